// The elementwise LSTM cell, PyTorch gate order i, f, g, o (see src/reference/lstm.ts).
// The pre-activations of step t, pre = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh, were accumulated
// into G by two matmuls; the forward kernel overwrites them in place with the activated
// gates that the backward kernel reads. One invocation owns one (b, j), j < H.
// Letters: B batch rows, H hidden. Element offsets arrive in the uniforms.
// Masks: with use_mask, row b is live at step t_mask iff t_mask < lengths[b]; a held row
// keeps (h, c), and in backward passes dh, dc straight through with zero gate gradients.

override WG: u32 = 64;

struct FwdParams {
  B: u32, H: u32, use_mask: u32, t_mask: u32,
  g_off: u32,      // G (B, 4H): pre-activations in, activated gates out
  h_prev: u32,     // Hs (B, H) h_{t-1}
  c_prev: u32,     // Cs (B, H) c_{t-1}
  h_out: u32,      // Hs (B, H) h_t
  c_out: u32,      // Cs (B, H) c_t
  len_off: u32,    // lengths (B) i32
};

@group(0) @binding(0) var<uniform> fp: FwdParams;
@group(0) @binding(1) var<storage, read> f_len: array<i32>;
@group(0) @binding(2) var<storage, read_write> f_g: array<f32>;
@group(0) @binding(3) var<storage, read_write> f_h: array<f32>;
@group(0) @binding(4) var<storage, read_write> f_c: array<f32>;

fn sigmoid(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

// tanh through exp of a non-positive argument: finite for every input.
fn tanh_safe(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}


@compute @workgroup_size(WG)
fn lstm_cell_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let H = fp.H;
  let idx = gid.x + gid.y * nwg.x * WG;
  if (idx >= fp.B * H) { return; }
  let b = idx / H;
  let j = idx - b * H;
  let r = fp.g_off + b * 4u * H + j;
  let i = sigmoid(f_g[r]);
  let f = sigmoid(f_g[r + H]);
  let g = tanh_safe(f_g[r + 2u * H]);
  let o = sigmoid(f_g[r + 3u * H]);
  f_g[r] = i;
  f_g[r + H] = f;
  f_g[r + 2u * H] = g;
  f_g[r + 3u * H] = o;
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
};

@group(0) @binding(0) var<uniform> bp: BwdParams;
@group(0) @binding(1) var<storage, read> b_len: array<i32>;
@group(0) @binding(2) var<storage, read> b_g: array<f32>;
@group(0) @binding(3) var<storage, read> b_c: array<f32>;
@group(0) @binding(4) var<storage, read> b_above: array<f32>;
@group(0) @binding(5) var<storage, read_write> b_dg: array<f32>;
@group(0) @binding(6) var<storage, read_write> b_ds: array<f32>;

@compute @workgroup_size(WG)
fn lstm_cell_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let H = bp.H;
  let idx = gid.x + gid.y * nwg.x * WG;
  if (idx >= bp.B * H) { return; }
  let b = idx / H;
  let j = idx - b * H;
  var dh = b_ds[bp.dh_off + idx];
  if (bp.use_above != 0u) { dh += b_above[bp.above_off + idx]; }
  let dc = b_ds[bp.dc_off + idx];
  let r = bp.dg_off + b * 4u * H + j;
  if (bp.use_mask != 0u && i32(bp.t_mask) >= b_len[bp.len_off + b]) {
    b_dg[r] = 0.0;
    b_dg[r + H] = 0.0;
    b_dg[r + 2u * H] = 0.0;
    b_dg[r + 3u * H] = 0.0;
    b_ds[bp.dh_off + idx] = dh;
    return;
  }
  let q = bp.g_off + b * 4u * H + j;
  let i = b_g[q];
  let f = b_g[q + H];
  let g = b_g[q + 2u * H];
  let o = b_g[q + 3u * H];
  let tc = tanh_safe(b_c[bp.c_cur + idx]);
  let dct = dc + dh * o * (1.0 - tc * tc);
  b_dg[r] = dct * g * i * (1.0 - i);
  b_dg[r + H] = dct * b_c[bp.c_prev + idx] * f * (1.0 - f);
  b_dg[r + 2u * H] = dct * i * (1.0 - g * g);
  b_dg[r + 3u * H] = dh * tc * o * (1.0 - o);
  b_ds[bp.dc_off + idx] = dct * f;
  b_ds[bp.dh_off + idx] = 0.0;
}
