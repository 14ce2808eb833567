// Luong global attention, "general" score (SPEC §3 `attn`): the kernels between its matmuls.
// Reference: src/reference/attention.ts (same names). The scores, the context and their
// gradients are batched matmuls (ops/matmul) over batch-major copies of the states:
//   transpose_rows             out (N2, N1, W) = in (N1, N2, ·)[:, :, c0 : c0 + W]   layout changes
//   masked_softmax             A_r = softmax over s < len(b(r)) of scores_r; exactly 0 past it
//   masked_softmax_backward    dScore_r = A_r ⊙ (dA_r − Σ_s A_rs dA_rs); 0 past the length
//   attention_concat           cat[t, b] = [c[b, t] ; q[t, b]]        context first, time-major
//   attention_query_gather     dq[t, b] = dcat[t, b][H:] + dQ[b, t]   back to time-major
// Letters: R rows of S scores, B samples, T steps, H hidden. Row r of a score matrix belongs to
// sample b(r) = (r / group) % B: group T for batch-major rows b·T + t, K for beam rows b·K + i,
// 1 for one greedy step's rows b. Lengths are clamped to [0, S]; a length of 0 gives an
// all-zero row (no NaN). Every output element has one writer: deterministic, no atomics.

override WG: u32 = 64;

struct Params {
  n1: u32, n2: u32, width: u32, group: u32,   // transpose: N1, N2, W; softmax: R, S, B, group
  in_stride: u32, in_col: u32,                // transpose: elements per input row, first column
  off1: u32, off2: u32, off3: u32, off4: u32, // element offset of binding k
};

@group(0) @binding(0) var<uniform> p: Params;

fn flat_index(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// ---- transpose_rows: one invocation per output element ----
@group(0) @binding(1) var<storage, read> t_in: array<f32>;
@group(0) @binding(2) var<storage, read_write> t_out: array<f32>;

@compute @workgroup_size(WG)
fn transpose_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= p.n1 * p.n2 * p.width) { return; }
  let j = i % p.width;
  let a = (i / p.width) % p.n1;   // out row (b, a) <- in row (a, b)
  let b = i / (p.width * p.n1);
  t_out[p.off2 + i] = t_in[p.off1 + (a * p.n2 + b) * p.in_stride + p.in_col + j];
}

// ---- masked softmax over rows of S, in place: one invocation per row ----
// p.n1 = R, p.n2 = S, p.width = B.
@group(0) @binding(1) var<storage, read> s_len: array<i32>;
@group(0) @binding(2) var<storage, read_write> s_x: array<f32>;

fn row_length(r: u32) -> u32 {
  return u32(clamp(s_len[p.off1 + (r / p.group) % p.width], 0, i32(p.n2)));
}

@compute @workgroup_size(WG)
fn masked_softmax(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = flat_index(gid, nwg);
  if (r >= p.n1) { return; }
  let len = row_length(r);
  let x0 = p.off2 + r * p.n2;
  var mx = -3.0e38;
  for (var s = 0u; s < len; s++) { mx = max(mx, s_x[x0 + s]); }
  var z = 0.0;
  for (var s = 0u; s < len; s++) {
    let e = exp(s_x[x0 + s] - mx);
    s_x[x0 + s] = e;
    z += e;
  }
  for (var s = 0u; s < p.n2; s++) { s_x[x0 + s] = select(0.0, s_x[x0 + s] / z, s < len); }
}

// dA in, dScore out (in place over dA); A the forward output.
@group(0) @binding(1) var<storage, read> b_len: array<i32>;
@group(0) @binding(2) var<storage, read> b_A: array<f32>;
@group(0) @binding(3) var<storage, read_write> b_d: array<f32>;

@compute @workgroup_size(WG)
fn masked_softmax_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = flat_index(gid, nwg);
  if (r >= p.n1) { return; }
  let len = u32(clamp(b_len[p.off1 + (r / p.group) % p.width], 0, i32(p.n2)));
  let a0 = p.off2 + r * p.n2;
  let d0 = p.off3 + r * p.n2;
  var sum = 0.0;
  for (var s = 0u; s < len; s++) { sum += b_A[a0 + s] * b_d[d0 + s]; }
  for (var s = 0u; s < p.n2; s++) { b_d[d0 + s] = select(0.0, b_A[a0 + s] * (b_d[d0 + s] - sum), s < len); }
}

// ---- concat: cat (T, B, 2H) = [c (B, T, H) ; q (T, B, H)]; p.n1 = T, p.n2 = B, p.width = H ----
@group(0) @binding(1) var<storage, read> c_ctx: array<f32>;
@group(0) @binding(2) var<storage, read> c_q: array<f32>;
@group(0) @binding(3) var<storage, read_write> c_cat: array<f32>;

@compute @workgroup_size(WG)
fn attention_concat(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  let H = p.width;
  if (i >= p.n1 * p.n2 * 2u * H) { return; }
  let j = i % (2u * H);
  let b = (i / (2u * H)) % p.n2;
  let t = i / (2u * H * p.n2);
  if (j < H) {
    c_cat[p.off3 + i] = c_ctx[p.off1 + (b * p.n1 + t) * H + j];
  } else {
    c_cat[p.off3 + i] = c_q[p.off2 + (t * p.n2 + b) * H + j - H];
  }
}

// ---- query gather: dq (T, B, H) = dcat (T, B, 2H)[:, :, H:] + dQ (B, T, H); p.n1 = T, p.n2 = B, p.width = H ----
@group(0) @binding(1) var<storage, read> g_dcat: array<f32>;
@group(0) @binding(2) var<storage, read> g_dQ: array<f32>;
@group(0) @binding(3) var<storage, read_write> g_dq: array<f32>;

@compute @workgroup_size(WG)
fn attention_query_gather(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  let H = p.width;
  if (i >= p.n1 * p.n2 * H) { return; }
  let j = i % H;
  let b = (i / H) % p.n2;
  let t = i / (H * p.n2);
  g_dq[p.off3 + i] = g_dcat[p.off1 + (t * p.n2 + b) * 2u * H + H + j] + g_dQ[p.off2 + (b * p.n1 + t) * H + j];
}
