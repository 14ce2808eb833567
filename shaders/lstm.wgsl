// The elementwise LSTM cell, PyTorch gate order i, f, g, o (see src/reference/lstm.ts),
// written once (cell_forward, cell_backward) and run two ways (src/gpu/shader.ts):
//   standalone (FUSED off): lstm_cell_forward / lstm_cell_backward, one invocation per
//     (b, j); the recurrent matmul is a separate dispatch.
//   fused (FUSED on): lstm_step_forward / lstm_step_backward, the recurrent matmul and the
//     cell in one dispatch per time step (what the models record).
// The forward overwrites the pre-activations in G in place with the activated gates that
// the backward reads. Letters: B batch rows, H hidden. Element offsets arrive in uniforms.
// Masks: with use_mask, row b is live at step t_mask iff t_mask < lengths[b]; a held row
// keeps (h, c), and in backward passes dh, dc straight through with zero gate gradients.

override WG: u32 = 64;

struct FwdParams {
  B: u32, H: u32, use_mask: u32, t_mask: u32,
  g_off: u32,      // G (B, 4H): pre-activations in (fused: the x-projection), activated gates out
  h_prev: u32,     // Hs (B, H) h_{t-1}
  c_prev: u32,     // Cs (B, H) c_{t-1}
  h_out: u32,      // Hs (B, H) h_t
  c_out: u32,      // Cs (B, H) c_t
  len_off: u32,    // lengths (B) i32
#if ${FUSED}
  w_off: u32,      // W_hh (4H, H)
  bias_off: u32,   // b_hh (4H)
#endif
};

@group(0) @binding(0) var<uniform> fp: FwdParams;
@group(0) @binding(1) var<storage, read> f_len: array<i32>;
@group(0) @binding(2) var<storage, read_write> f_g: array<f32>;
@group(0) @binding(3) var<storage, read_write> f_h: array<f32>;
@group(0) @binding(4) var<storage, read_write> f_c: array<f32>;
#if ${FUSED}
@group(0) @binding(5) var<storage, read> f_w: array<f32>;
#endif

struct BwdParams {
  B: u32, H: u32, use_mask: u32, t_mask: u32,
  g_off: u32,      // G (B, 4H) activated gates of step t
  c_prev: u32,     // Cs (B, H) c_{t-1}
  c_cur: u32,      // Cs (B, H) c_t
  dg_off: u32,     // dG (B, 4H) out: gradient of the pre-activations
  dh_off: u32,     // dS (B, H) in: dh_t from the future; out: the part of dh_{t-1} not through W_hh
  dc_off: u32,     // dS (B, H) in: dc_t; out: dc_{t-1}
  above_off: u32,  // dA (B, H) gradient of h_t from above (the output layer or the next layer)
  use_above: u32,
  len_off: u32,
#if ${FUSED}
  next_off: u32,   // dG (B, 4H) of step t+1, same buffer as dg
  w_off: u32,      // W_hh (4H, H) of step t+1's layer
  use_next: u32,
#endif
};

@group(0) @binding(0) var<uniform> bp: BwdParams;
@group(0) @binding(1) var<storage, read> b_len: array<i32>;
@group(0) @binding(2) var<storage, read> b_g: array<f32>;
@group(0) @binding(3) var<storage, read> b_c: array<f32>;
@group(0) @binding(4) var<storage, read> b_above: array<f32>;
@group(0) @binding(5) var<storage, read_write> b_dg: array<f32>;
@group(0) @binding(6) var<storage, read_write> b_ds: array<f32>;
#if ${FUSED}
@group(0) @binding(7) var<storage, read> b_w: array<f32>;
#endif

fn sigmoid(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

// tanh through exp of a non-positive argument: finite for every input.
fn tanh_safe(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}

// ---- the cell ------------------------------------------------------------------------

// Pre-activation at G[r], plus `rec` (h·W_hhᵀ + b_hh of that gate) when fused.
fn pre(r: u32, rec: f32) -> f32 {
#if ${FUSED}
  return f_g[r] + rec;
#else
  return f_g[r];
#endif
}

// The cell forward of (b, j): gates in place in G, then c_t and h_t (or held).
fn cell_forward(b: u32, j: u32, rec: vec4f) {
  let H = fp.H;
  let r = fp.g_off + b * 4u * H + j;
  let i = sigmoid(pre(r, rec.x));
  let f = sigmoid(pre(r + H, rec.y));
  let g = tanh_safe(pre(r + 2u * H, rec.z));
  let o = sigmoid(pre(r + 3u * H, rec.w));
  f_g[r] = i;
  f_g[r + H] = f;
  f_g[r + 2u * H] = g;
  f_g[r + 3u * H] = o;
  let idx = b * H + j;
  let cp = f_c[fp.c_prev + idx];
  if (fp.use_mask == 0u || i32(fp.t_mask) < f_len[fp.len_off + b]) {
    let c = f * cp + i * g;
    f_c[fp.c_out + idx] = c;
    f_h[fp.h_out + idx] = o * tanh_safe(c);
  } else {
    f_c[fp.c_out + idx] = cp;
    f_h[fp.h_out + idx] = f_h[fp.h_prev + idx];
  }
}

// The cell backward of (b, j), with `rec` (dG_{t+1}·W_hh of this unit) added to dh when fused.
fn cell_backward(b: u32, j: u32, rec: f32, live: bool) {
  let H = bp.H;
  let idx = b * H + j;
#if ${FUSED}
  var dh = b_ds[bp.dh_off + idx] + rec;
#else
  var dh = b_ds[bp.dh_off + idx];
#endif
  if (bp.use_above != 0u) { dh += b_above[bp.above_off + idx]; }
  let dc = b_ds[bp.dc_off + idx];
  let r = bp.dg_off + b * 4u * H + j;
  if (!live) {
    b_dg[r] = 0.0;
    b_dg[r + H] = 0.0;
    b_dg[r + 2u * H] = 0.0;
    b_dg[r + 3u * H] = 0.0;
    b_ds[bp.dh_off + idx] = dh;
    return;
  }
  let gq = bp.g_off + b * 4u * H + j;
  let i = b_g[gq];
  let f = b_g[gq + H];
  let g = b_g[gq + 2u * H];
  let o = b_g[gq + 3u * H];
  let tc = tanh_safe(b_c[bp.c_cur + idx]);
  let dct = dc + dh * o * (1.0 - tc * tc);
  b_dg[r] = dct * g * i * (1.0 - i);
  b_dg[r + H] = dct * b_c[bp.c_prev + idx] * f * (1.0 - f);
  b_dg[r + 2u * H] = dct * i * (1.0 - g * g);
  b_dg[r + 3u * H] = dh * tc * o * (1.0 - o);
  b_ds[bp.dc_off + idx] = dct * f;
  b_ds[bp.dh_off + idx] = 0.0;
}

#if ${FUSED}
// ---- fused steps: the recurrent matmul and the cell in one dispatch per step ----------

// lstm_step_forward: pre = G_t (already x·W_ihᵀ + b_ih) + b_hh + h_{t-1}·W_hhᵀ, then the cell.
// One invocation owns 4 batch rows × 1 hidden unit × 4 gates (16 accumulators, register
// blocked: 8 loads per 16 multiply-adds). Invocation index = row block · H + j.
@compute @workgroup_size(WG)
fn lstm_step_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let H = fp.H;
  let B = fp.B;
  let id = gid.x + gid.y * nwg.x * WG;
  let j = id % H;
  let b0 = (id / H) * 4u;
  if (b0 >= B) { return; }
  // Rows past B are clamped to the last one: loads stay in bounds, stores skip them.
  let rows = min(vec4u(b0) + vec4u(0u, 1u, 2u, 3u), vec4u(B - 1u));
  let hb = vec4u(fp.h_prev) + rows * H;
  let HH = H * H;
  let wi = fp.w_off + j * H;
  var ai = vec4f(0.0);
  var af = vec4f(0.0);
  var ag = vec4f(0.0);
  var ao = vec4f(0.0);
  for (var k = 0u; k < H; k++) {
    let hk = vec4f(f_h[hb.x + k], f_h[hb.y + k], f_h[hb.z + k], f_h[hb.w + k]);
    ai += hk * f_w[wi + k];
    af += hk * f_w[wi + HH + k];
    ag += hk * f_w[wi + 2u * HH + k];
    ao += hk * f_w[wi + 3u * HH + k];
  }
  let bias = vec4f(f_w[fp.bias_off + j], f_w[fp.bias_off + H + j], f_w[fp.bias_off + 2u * H + j], f_w[fp.bias_off + 3u * H + j]);
  // Rows written one call each (no dynamic indexing into the accumulators).
  cell_forward(b0, j, bias + vec4f(ai.x, af.x, ag.x, ao.x));
  if (b0 + 1u < B) { cell_forward(b0 + 1u, j, bias + vec4f(ai.y, af.y, ag.y, ao.y)); }
  if (b0 + 2u < B) { cell_forward(b0 + 2u, j, bias + vec4f(ai.z, af.z, ag.z, ao.z)); }
  if (b0 + 3u < B) { cell_forward(b0 + 3u, j, bias + vec4f(ai.w, af.w, ag.w, ao.w)); }
}

// lstm_step_backward at step t: dh_t = dS.dh (+ above) (+ dG_{t+1}·W_hh, the recurrent
// gradient of the step after), then the cell backward. One invocation owns 4 batch rows ×
// 4 hidden units (16 accumulators). Index = row block · ⌈H/4⌉ + unit block.
@compute @workgroup_size(WG)
fn lstm_step_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let H = bp.H;
  let B = bp.B;
  let id = gid.x + gid.y * nwg.x * WG;
  let jb = (H + 3u) / 4u;
  let j0 = (id % jb) * 4u;
  let b0 = (id / jb) * 4u;
  if (b0 >= B) { return; }
  var r0 = vec4f(0.0); // r_q[p] = Σ_n dG_{t+1}[b0+q, n] · W_hh[n, j0+p]
  var r1 = vec4f(0.0);
  var r2 = vec4f(0.0);
  var r3 = vec4f(0.0);
  if (bp.use_next != 0u) {
    let rows = min(vec4u(b0) + vec4u(0u, 1u, 2u, 3u), vec4u(B - 1u));
    let cols = min(vec4u(j0) + vec4u(0u, 1u, 2u, 3u), vec4u(H - 1u));
    let nb = vec4u(bp.next_off) + rows * 4u * H;
    for (var n = 0u; n < 4u * H; n++) {
      let wr = bp.w_off + n * H;
      let wv = vec4f(b_w[wr + cols.x], b_w[wr + cols.y], b_w[wr + cols.z], b_w[wr + cols.w]);
      r0 += b_dg[nb.x + n] * wv;
      r1 += b_dg[nb.y + n] * wv;
      r2 += b_dg[nb.z + n] * wv;
      r3 += b_dg[nb.w + n] * wv;
    }
  }
  step_backward_row(b0, j0, r0);
  if (b0 + 1u < B) { step_backward_row(b0 + 1u, j0, r1); }
  if (b0 + 2u < B) { step_backward_row(b0 + 2u, j0, r2); }
  if (b0 + 3u < B) { step_backward_row(b0 + 3u, j0, r3); }
}

fn step_backward_row(b: u32, j0: u32, rec: vec4f) {
  let H = bp.H;
  let live = bp.use_mask == 0u || i32(bp.t_mask) < b_len[bp.len_off + b];
  cell_backward(b, j0, rec.x, live);
  if (j0 + 1u < H) { cell_backward(b, j0 + 1u, rec.y, live); }
  if (j0 + 2u < H) { cell_backward(b, j0 + 2u, rec.z, live); }
  if (j0 + 3u < H) { cell_backward(b, j0 + 3u, rec.w, live); }
}
#else
// ---- standalone cells: one invocation per (b, j) --------------------------------------

@compute @workgroup_size(WG)
fn lstm_cell_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let H = fp.H;
  let idx = gid.x + gid.y * nwg.x * WG;
  if (idx >= fp.B * H) { return; }
  let b = idx / H;
  cell_forward(b, idx - b * H, vec4f(0.0));
}

@compute @workgroup_size(WG)
fn lstm_cell_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let H = bp.H;
  let idx = gid.x + gid.y * nwg.x * WG;
  if (idx >= bp.B * H) { return; }
  let b = idx / H;
  let live = bp.use_mask == 0u || i32(bp.t_mask) < b_len[bp.len_off + b];
  cell_backward(b, idx - b * H, 0.0, live);
}
#endif
