// Embedding lookup and its deterministic gradient (no atomics).
//   embedding_forward   out[r, e] = W[ids[r], e]                    W: (V, E), ids: (R) i32, out: (R, E)
//   embedding_backward  dW[v, e] (+)= Σ_{r: ids[r] = v} dOut[r, e]  dOut: (R, E), dW: (V, E)
// The backward gives each invocation one (v, e), which sums its rows r in ascending order,
// so every sum runs in the same order on every run, without atomics (llm.c's
// encoder_backward owns rows likewise). An id outside [0, V) gathers zeros and
// contributes to no row.

override WG: u32 = 64;

struct Params {
  w_offset: u32,
  ids_offset: u32,
  out_offset: u32,
  rows: u32,
  vocab: u32,
  dim: u32,
};
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> ids: array<i32>;           // (R)

@group(0) @binding(2) var<storage, read> fwd_w: array<f32>;         // (V, E)
@group(0) @binding(3) var<storage, read_write> fwd_out: array<f32>; // (R, E)

@compute @workgroup_size(WG)
fn embedding_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.rows * p.dim) { return; }
  let r = i / p.dim;
  let e = i % p.dim;
  let id = ids[p.ids_offset + r];
  var value = 0.0;
  if (id >= 0 && u32(id) < p.vocab) {
    value = fwd_w[p.w_offset + u32(id) * p.dim + e];
  }
  fwd_out[p.out_offset + i] = value;
}

// The same gather, 4 consecutive elements per invocation (dim % 4 == 0): a quarter of the
// invocations, which is what costs on software adapters. Indices are i = (r, e/4).
@compute @workgroup_size(WG)
fn embedding_forward4(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let quads = p.dim / 4u;
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.rows * quads) { return; }
  let r = i / quads;
  let o = p.out_offset + r * p.dim + (i % quads) * 4u;
  let id = ids[p.ids_offset + r];
  if (id >= 0 && u32(id) < p.vocab) {
    let w = p.w_offset + u32(id) * p.dim + (i % quads) * 4u;
    fwd_out[o] = fwd_w[w];
    fwd_out[o + 1u] = fwd_w[w + 1u];
    fwd_out[o + 2u] = fwd_w[w + 2u];
    fwd_out[o + 3u] = fwd_w[w + 3u];
  } else {
    fwd_out[o] = 0.0;
    fwd_out[o + 1u] = 0.0;
    fwd_out[o + 2u] = 0.0;
    fwd_out[o + 3u] = 0.0;
  }
}

// The backward in four dispatches, all integer bookkeeping but the last:
//   embedding_count    one invocation per v: counts[v] = #{r : ids[r] = v}
//   embedding_offsets  one invocation: offsets = exclusive prefix sum of counts (V + 1)
//   embedding_bucket   one invocation per v: rows[offsets[v] ..] = the r with ids[r] = v, ascending
//   embedding_backward one invocation per (v, e): sums dOut[r, e] over its rows in that order
// Work 2·V·R + R·E instead of V·E·R for a scan of every id per (v, e); same sums, same order.
// scratch (u32): counts (V), offsets (V + 1), rows (R).

@group(0) @binding(2) var<storage, read_write> idx_scratch: array<u32>;  // (2V + 1 + R)

fn counts_at(v: u32) -> u32 { return p.out_offset + v; }
fn offsets_at(v: u32) -> u32 { return p.out_offset + p.vocab + v; }
fn rows_at(k: u32) -> u32 { return p.out_offset + 2u * p.vocab + 1u + k; }

// Here out_offset is the scratch offset.
@compute @workgroup_size(WG)
fn embedding_count(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let v = gid.x + gid.y * nwg.x * WG;
  if (v >= p.vocab) { return; }
  var n = 0u;
  for (var r = 0u; r < p.rows; r++) {
    if (ids[p.ids_offset + r] == i32(v)) { n++; }
  }
  idx_scratch[counts_at(v)] = n;
}

@compute @workgroup_size(1)
fn embedding_offsets() {
  var total = 0u;
  for (var v = 0u; v < p.vocab; v++) {
    idx_scratch[offsets_at(v)] = total;
    total += idx_scratch[counts_at(v)];
  }
  idx_scratch[offsets_at(p.vocab)] = total;
}

@compute @workgroup_size(WG)
fn embedding_bucket(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let v = gid.x + gid.y * nwg.x * WG;
  if (v >= p.vocab) { return; }
  var k = idx_scratch[offsets_at(v)];
  for (var r = 0u; r < p.rows; r++) {
    if (ids[p.ids_offset + r] == i32(v)) {
      idx_scratch[rows_at(k)] = r;
      k++;
    }
  }
}

struct BackwardParams {
  dw_offset: u32,
  dout_offset: u32,
  scratch_offset: u32,
  vocab: u32,
  dim: u32,
  accumulate: u32,
};
@group(0) @binding(0) var<uniform> bp: BackwardParams;
@group(0) @binding(1) var<storage, read> bwd_scratch: array<u32>;   // (2V + 1 + R)
@group(0) @binding(2) var<storage, read> bwd_dout: array<f32>;      // (R, E)
@group(0) @binding(3) var<storage, read_write> bwd_dw: array<f32>;  // (V, E)

@compute @workgroup_size(WG)
fn embedding_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= bp.vocab * bp.dim) { return; }
  let v = i / bp.dim;
  let e = i % bp.dim;
  let offsets = bp.scratch_offset + bp.vocab;
  let rows = offsets + bp.vocab + 1u;
  var s = 0.0;
  for (var k = bwd_scratch[offsets + v]; k < bwd_scratch[offsets + v + 1u]; k++) {
    s += bwd_dout[bp.dout_offset + bwd_scratch[rows + k] * bp.dim + e];
  }
  let j = bp.dw_offset + i;
  if (bp.accumulate != 0u) {
    bwd_dw[j] = bwd_dw[j] + s;
  } else {
    bwd_dw[j] = s;
  }
}
