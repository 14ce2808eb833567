// Luong global attention, "general" score (docs/contract.md §3 `attn`): the kernels between its
// matmuls. Reference: src/reference/attention.ts (same names). The scores, the context and their
// gradients are batched matmuls (ops/matmul) that read each sample's rows straight out of the
// time-major states (row strides), so the only layout kernel left is a row copy:
//   copy_rows                  out[r, c0 : c0 + W] = in[r, c1 : c1 + W]   q into [c ; q]
//   masked_softmax             A_r = softmax over s < len(b(r)) of scale·scores_r; exactly 0 past it
//   masked_softmax_backward    dScore_r = scale·A_r ⊙ (dA_r − Σ_s A_rs dA_rs); 0 past the length
// and each softmax with a row copy riding along (invocation r also copies row r, W = copy_width
// wide), for when as many rows must be copied as the softmax has: a dispatch fewer, same values:
//   masked_softmax_copy_rows           q into [c ; q] beside the forward
//   masked_softmax_backward_copy_rows  dCat's q half out to the stack's dh beside the backward
// Under a causal mask (causal = T > 0) row r is query position t = r mod T and sees only s <= t
// as well (the Transformer decoder's self-attention); scale 1/√d_head is the Transformer's.
// Letters: R rows of S scores, B samples, T steps, H hidden. Row r of a score matrix belongs to
// sample b(r) = (r / group) % B: group T for batch-major rows b·T + t, K for beam rows b·K + i,
// 1 for one greedy step's rows b. Lengths are clamped to [0, S]; a length of 0 gives an
// all-zero row (no NaN). Every output element has one writer: deterministic, no atomics.

override WG: u32 = 64;

struct Params {
  n1: u32, n2: u32, width: u32, group: u32,   // copy: rows, -, W; softmax: R, S, B, group
  in_stride: u32, in_col: u32,                // copy: elements per input row, first column read
  out_stride: u32, out_col: u32,              // copy: elements per output row, first column written
  off1: u32, off2: u32, off3: u32, off4: u32, // element offset of binding k
  scale: f32,                                 // softmax: scores are multiplied by it (1: unscaled, exactly)
  causal: u32,                                // softmax: 0, or T: row r is query t = r % T and sees s <= t
  copy_width: u32,                            // softmax with a row copy: W of the copy
  off5: u32,                                  // element offset of binding 5
};

@group(0) @binding(0) var<uniform> p: Params;

fn flat_index(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// ---- copy_rows: one invocation per row (no index division) ----
@group(0) @binding(1) var<storage, read> t_in: array<f32>;
@group(0) @binding(2) var<storage, read_write> t_out: array<f32>;

@compute @workgroup_size(WG)
fn copy_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = flat_index(gid, nwg);
  if (r >= p.n1) { return; }
  let i0 = p.off1 + r * p.in_stride + p.in_col;
  let o0 = p.off2 + r * p.out_stride + p.out_col;
  for (var j = 0u; j < p.width; j++) { t_out[o0 + j] = t_in[i0 + j]; }
}

// ---- masked softmax over rows of S, in place: one invocation per row ----
// p.n1 = R, p.n2 = S, p.width = B.
@group(0) @binding(1) var<storage, read> s_len: array<i32>;
@group(0) @binding(2) var<storage, read_write> s_x: array<f32>;

// The visible prefix of row r: s < len(b(r)), and s <= t under the causal mask.
fn visible(len: i32, r: u32) -> u32 {
  let n = u32(clamp(len, 0, i32(p.n2)));
  return select(n, min(n, r % max(p.causal, 1u) + 1u), p.causal > 0u);
}

fn row_length(r: u32) -> u32 {
  return visible(s_len[p.off1 + (r / p.group) % p.width], r);
}

// Softmax of row r of s_x in place.
fn softmax_row(r: u32) {
  let len = row_length(r);
  let x0 = p.off2 + r * p.n2;
  var mx = -3.0e38;
  for (var s = 0u; s < len; s++) { mx = max(mx, p.scale * s_x[x0 + s]); }
  var z = 0.0;
  for (var s = 0u; s < len; s++) {
    let e = exp(p.scale * s_x[x0 + s] - mx);
    s_x[x0 + s] = e;
    z += e;
  }
  for (var s = 0u; s < p.n2; s++) { s_x[x0 + s] = select(0.0, s_x[x0 + s] / z, s < len); }
}

@compute @workgroup_size(WG)
fn masked_softmax(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = flat_index(gid, nwg);
  if (r >= p.n1) { return; }
  softmax_row(r);
}

// The copy beside the forward: row r of f_in (in_stride, from in_col) into row r of f_out.
@group(0) @binding(3) var<storage, read> f_in: array<f32>;
@group(0) @binding(4) var<storage, read_write> f_out: array<f32>;

@compute @workgroup_size(WG)
fn masked_softmax_copy_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = flat_index(gid, nwg);
  if (r >= p.n1) { return; }
  softmax_row(r);
  let i0 = p.off3 + r * p.in_stride + p.in_col;
  let o0 = p.off4 + r * p.out_stride + p.out_col;
  for (var j = 0u; j < p.copy_width; j++) { f_out[o0 + j] = f_in[i0 + j]; }
}

// dA in, dScore out (in place over dA); A the forward output.
@group(0) @binding(1) var<storage, read> b_len: array<i32>;
@group(0) @binding(2) var<storage, read> b_A: array<f32>;
@group(0) @binding(3) var<storage, read_write> b_d: array<f32>;

// Softmax backward of row r of b_d in place.
fn softmax_backward_row(r: u32) {
  let len = visible(b_len[p.off1 + (r / p.group) % p.width], r);
  let a0 = p.off2 + r * p.n2;
  let d0 = p.off3 + r * p.n2;
  var sum = 0.0;
  for (var s = 0u; s < len; s++) { sum += b_A[a0 + s] * b_d[d0 + s]; }
  for (var s = 0u; s < p.n2; s++) { b_d[d0 + s] = select(0.0, b_A[a0 + s] * (b_d[d0 + s] - sum) * p.scale, s < len); }
}

@compute @workgroup_size(WG)
fn masked_softmax_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = flat_index(gid, nwg);
  if (r >= p.n1) { return; }
  softmax_backward_row(r);
}

// The copy beside the backward: row r of g_in (in_stride, from in_col) into row r of g_out.
@group(0) @binding(4) var<storage, read> g_in: array<f32>;
@group(0) @binding(5) var<storage, read_write> g_out: array<f32>;

@compute @workgroup_size(WG)
fn masked_softmax_backward_copy_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = flat_index(gid, nwg);
  if (r >= p.n1) { return; }
  softmax_backward_row(r);
  let i0 = p.off4 + r * p.in_stride + p.in_col;
  let o0 = p.off5 + r * p.out_stride + p.out_col;
  for (var j = 0u; j < p.copy_width; j++) { g_out[o0 + j] = g_in[i0 + j]; }
}
