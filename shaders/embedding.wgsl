// Embedding lookup and its deterministic gradient (no atomics).
//   embedding_forward   out[r, e] = W[ids[r], e]                    W: (V, E), ids: (R) i32, out: (R, E)
//   embedding_backward  dW[v, e] (+)= Σ_{r: ids[r] = v} dOut[r, e]  dOut: (R, E), dW: (V, E)
// The backward gives each invocation one (v, e) and scans the ids in order, so every
// sum runs in the same order on every run (llm.c's encoder_backward owns rows likewise).
// An id outside [0, V) gathers zeros and contributes to no row.

override WG: u32 = 64;

struct Params {
  w_offset: u32,
  ids_offset: u32,
  out_offset: u32,
  rows: u32,
  vocab: u32,
  dim: u32,
  accumulate: u32,
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

@group(0) @binding(2) var<storage, read> bwd_dout: array<f32>;      // (R, E)
@group(0) @binding(3) var<storage, read_write> bwd_dw: array<f32>;  // (V, E)

// Here w_offset is dW's offset and out_offset dOut's.
@compute @workgroup_size(WG)
fn embedding_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.vocab * p.dim) { return; }
  let v = i32(i / p.dim);
  let e = i % p.dim;
  var s = 0.0;
  for (var r = 0u; r < p.rows; r++) {
    if (ids[p.ids_offset + r] == v) {
      s += bwd_dout[p.out_offset + r * p.dim + e];
    }
  }
  let k = p.w_offset + i;
  if (p.accumulate != 0u) {
    bwd_dw[k] = bwd_dw[k] + s;
  } else {
    bwd_dw[k] = s;
  }
}
