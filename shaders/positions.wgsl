// The Transformer's input: embeddings scaled by √d plus sinusoidal positions, in place.
// Reference: src/reference/positions.ts. The table PE (P, d) is computed once in float64 on
// the CPU and uploaded (WGSL's sin and cos are only loosely specified, and the table is fixed).
//   positions_forward    x[r, j] = x[r, j]·scale + PE[(r / div) % P, j]
//   positions_backward   dx[r, j] = dx[r, j]·scale
// One invocation per element.

override WG: u32 = 256;

struct Params {
  rows: u32,
  dim: u32,
  positions: u32,
  div: u32,
  scale: f32,
  x_off: u32,
  table_off: u32,
};
@group(0) @binding(0) var<uniform> p: Params;

fn flat_index(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@group(0) @binding(1) var<storage, read> f_table: array<f32>;      // (P, d)
@group(0) @binding(2) var<storage, read_write> f_x: array<f32>;    // (R, d)

@compute @workgroup_size(WG)
fn positions_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= p.rows * p.dim) { return; }
  let r = i / p.dim;
  let pos = (r / p.div) % p.positions;
  f_x[p.x_off + i] = f_x[p.x_off + i] * p.scale + f_table[p.table_off + pos * p.dim + i % p.dim];
}

@group(0) @binding(1) var<storage, read_write> b_dx: array<f32>;   // (R, d)

@compute @workgroup_size(WG)
fn positions_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= p.rows * p.dim) { return; }
  b_dx[p.x_off + i] = b_dx[p.x_off + i] * p.scale;
}
