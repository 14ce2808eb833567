// One LSTM layer over all its time steps in ONE dispatch (a persistent kernel, after
// Diamos et al. 2016): forward and backward through time. WebGPU has no barrier across
// workgroups, but batch rows are independent over time, so each workgroup owns 4 batch
// rows (b0 .. b0+3) for the whole sequence and needs only workgroupBarrier between the
// recurrent matmul and the cell of each step. Its NI invocations own the hidden units
// j = lid, lid + NI, … of its 4 rows; what every unit reads of the step before (h_{t-1}
// forward, dG_t backward) goes through workgroup memory (HC >= H units of room), what a
// unit carries alone (c forward, dh and dc backward) stays in its own rows of Cs and dS.
// PyTorch gate order i, f, g, o (src/reference/lstm.ts). Letters: B batch, H hidden.
//
// Steps t >= live (the batch's longest length, read from `n_off`) hold every row's state:
// the forward writes the held h, c into their rows (so row `steps` is the final state),
// the backward writes zero dG rows and passes dh (+ above), dc through, as the masked cell
// does for a row past its length. With use_mask, row b is live at t iff t < lengths[b].

override NI: u32 = 64; // invocations per workgroup
override HC: u32 = 64; // hidden units of workgroup memory (>= H)

struct FwdParams {
  B: u32, H: u32, steps: u32, use_mask: u32,
  g_off: u32,    // G (steps, B, 4H): x·W_ihᵀ + b_ih in, activated gates [i|f|g|o] out
  h_off: u32,    // Hs (1 + steps, B, H): row 0 h_{-1}, row t+1 h_t
  c_off: u32,    // Cs (1 + steps, B, H), same rows
  len_off: u32,  // lengths (B) i32
  n_off: u32,    // live steps (1) i32, in the lengths buffer
  w_off: u32,    // W_hh (4H, H)
  bias_off: u32, // b_hh (4H)
};

@group(0) @binding(0) var<uniform> fp: FwdParams;
@group(0) @binding(1) var<storage, read> f_len: array<i32>;
@group(0) @binding(2) var<storage, read_write> f_g: array<f32>;
@group(0) @binding(3) var<storage, read_write> f_h: array<f32>;
@group(0) @binding(4) var<storage, read_write> f_c: array<f32>;
@group(0) @binding(5) var<storage, read> f_w: array<f32>;

struct BwdParams {
  B: u32, H: u32, steps: u32, use_mask: u32,
  g_off: u32,     // G (steps, B, 4H) activated gates (read)
  c_off: u32,     // Cs (1 + steps, B, H) (read)
  len_off: u32,
  n_off: u32,
  w_off: u32,     // W_hh (4H, H)
  above_off: u32, // above (steps, B, H): the gradient of h_t from the layer above or the output
  use_above: u32,
  dg_off: u32,    // dG (steps, B, 4H) out
  dh_off: u32,    // dS (B, H): dh at the last step in, dh_{-1} out
  dc_off: u32,    // dS (B, H): dc likewise
  zero_in: u32,   // 1: the last state's dh, dc are zero (nothing read from dS)
};

@group(0) @binding(0) var<uniform> bp: BwdParams;
@group(0) @binding(1) var<storage, read> b_len: array<i32>;
@group(0) @binding(2) var<storage, read> b_g: array<f32>;
@group(0) @binding(3) var<storage, read> b_c: array<f32>;
@group(0) @binding(4) var<storage, read> b_above: array<f32>;
@group(0) @binding(5) var<storage, read> b_w: array<f32>;
@group(0) @binding(6) var<storage, read_write> b_dg: array<f32>;
@group(0) @binding(7) var<storage, read_write> b_ds: array<f32>;

// h_{t-1} of the 4 rows per unit k, double buffered: step t reads one half, writes the other.
var<workgroup> wg_h: array<vec4f, 2u * HC>;
// dG_t of the 4 rows per gate column n (4H of them).
var<workgroup> wg_dg: array<vec4f, 4u * HC>;

fn sigmoid4(x: vec4f) -> vec4f {
  return 1.0 / (1.0 + exp(-x));
}

// tanh through exp of a non-positive argument: finite for every input.
fn tanh4(x: vec4f) -> vec4f {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}

// The 4 rows of the workgroup, clamped to B - 1 so loads stay in bounds (stores skip them).
fn rows_of(b0: u32, B: u32) -> vec4u {
  return min(vec4u(b0) + vec4u(0u, 1u, 2u, 3u), vec4u(B - 1u));
}

// Row q of the 4 is live at step t: inside the batch and (with the mask) t < its length.
fn live_rows(b0: u32, B: u32, t: u32, use_mask: bool, lengths: vec4i) -> vec4<bool> {
  let inside = vec4u(b0) + vec4u(0u, 1u, 2u, 3u) < vec4u(B);
  return inside & (vec4<bool>(!use_mask) | (vec4i(i32(t)) < lengths));
}

// ---- forward ---------------------------------------------------------------------------

fn f_load4(base: vec4u) -> vec4f {
  return vec4f(f_g[base.x], f_g[base.y], f_g[base.z], f_g[base.w]);
}

// Stores of the first n of 4 rows (the rest lie past B).
fn store_g(base: vec4u, v: vec4f, n: u32) {
  for (var q = 0u; q < n; q++) { f_g[base[q]] = v[q]; }
}

fn store_h(base: vec4u, v: vec4f, n: u32) {
  for (var q = 0u; q < n; q++) { f_h[base[q]] = v[q]; }
}

fn store_c(base: vec4u, v: vec4f, n: u32) {
  for (var q = 0u; q < n; q++) { f_c[base[q]] = v[q]; }
}

// Row-major (rows, width) index of column `col` of the 4 rows at time row `r`.
fn at(off: u32, r: u32, rows: vec4u, B: u32, width: u32, col: u32) -> vec4u {
  return vec4u(off + r * B * width + col) + rows * width;
}

fn f_c4(base: vec4u) -> vec4f {
  return vec4f(f_c[base.x], f_c[base.y], f_c[base.z], f_c[base.w]);
}

// Step t of unit j for the 4 rows: the recurrent matmul from h_{t-1} (half `cur` of wg_h),
// the gates (stored), then h_t, c_t (stored, and h_t into the other half of wg_h).
fn forward_unit(j: u32, t: u32, cur: u32, b0: u32, rows: vec4u, nrows: u32, lengths: vec4i) {
  let H = fp.H;
  let B = fp.B;
  let HH = H * H;
  let wi = fp.w_off + j * H;
  // 16 accumulators: gate × row, each b_hh + Σ_k h_{t-1}[row, k]·W_hh[gate·H + j, k].
  var ai = vec4f(f_w[fp.bias_off + j]);
  var af = vec4f(f_w[fp.bias_off + H + j]);
  var ag = vec4f(f_w[fp.bias_off + 2u * H + j]);
  var ao = vec4f(f_w[fp.bias_off + 3u * H + j]);
  for (var k = 0u; k < H; k++) {
    let hk = wg_h[cur * HC + k];
    ai += hk * f_w[wi + k];
    af += hk * f_w[wi + HH + k];
    ag += hk * f_w[wi + 2u * HH + k];
    ao += hk * f_w[wi + 3u * HH + k];
  }
  let gb = at(fp.g_off, t, rows, B, 4u * H, j);
  let i = sigmoid4(f_load4(gb) + ai);
  let f = sigmoid4(f_load4(gb + vec4u(H)) + af);
  let g = tanh4(f_load4(gb + vec4u(2u * H)) + ag);
  let o = sigmoid4(f_load4(gb + vec4u(3u * H)) + ao);
  store_g(gb, i, nrows);
  store_g(gb + vec4u(H), f, nrows);
  store_g(gb + vec4u(2u * H), g, nrows);
  store_g(gb + vec4u(3u * H), o, nrows);
  let live = live_rows(b0, B, t, fp.use_mask != 0u, lengths);
  let cp = f_c4(at(fp.c_off, t, rows, B, H, j));
  let cn = f * cp + i * g;
  let c = select(cp, cn, live);
  let h = select(wg_h[cur * HC + j], o * tanh4(cn), live);
  store_h(at(fp.h_off, t + 1u, rows, B, H, j), h, nrows);
  store_c(at(fp.c_off, t + 1u, rows, B, H, j), c, nrows);
  wg_h[(1u - cur) * HC + j] = h;
}

@compute @workgroup_size(NI)
fn lstm_sequence_forward(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let H = fp.H;
  let B = fp.B;
  let b0 = wid.x * 4u;
  let rows = rows_of(b0, B);
  let nrows = min(4u, B - b0);
  let lengths = vec4i(f_len[fp.len_off + rows.x], f_len[fp.len_off + rows.y], f_len[fp.len_off + rows.z], f_len[fp.len_off + rows.w]);
  let live_steps = min(u32(max(f_len[fp.n_off], 0)), fp.steps);
  for (var j = lid.x; j < H; j += NI) {
    wg_h[j] = vec4f(f_h[fp.h_off + rows.x * H + j], f_h[fp.h_off + rows.y * H + j], f_h[fp.h_off + rows.z * H + j], f_h[fp.h_off + rows.w * H + j]);
  }
  var cur = 0u;
  workgroupBarrier();
  for (var t = 0u; t < live_steps; t++) {
    for (var j = lid.x; j < H; j += NI) { forward_unit(j, t, cur, b0, rows, nrows, lengths); }
    cur = 1u - cur;
    workgroupBarrier();
  }
  // Past the batch's longest length every row holds its state.
  for (var j = lid.x; j < H; j += NI) {
    let h = wg_h[cur * HC + j];
    let c = f_c4(at(fp.c_off, live_steps, rows, B, H, j));
    for (var t = live_steps; t < fp.steps; t++) {
      store_h(at(fp.h_off, t + 1u, rows, B, H, j), h, nrows);
      store_c(at(fp.c_off, t + 1u, rows, B, H, j), c, nrows);
    }
  }
}

// ---- backward through time ------------------------------------------------------------

fn b_gate4(base: vec4u) -> vec4f {
  return vec4f(b_g[base.x], b_g[base.y], b_g[base.z], b_g[base.w]);
}

fn b_c4(base: vec4u) -> vec4f {
  return vec4f(b_c[base.x], b_c[base.y], b_c[base.z], b_c[base.w]);
}

fn b_store_dg(base: vec4u, v: vec4f, n: u32) {
  for (var q = 0u; q < n; q++) { b_dg[base[q]] = v[q]; }
}

fn b_ds4(base: vec4u) -> vec4f {
  return vec4f(b_ds[base.x], b_ds[base.y], b_ds[base.z], b_ds[base.w]);
}

fn b_store_ds(base: vec4u, v: vec4f, n: u32) {
  for (var q = 0u; q < n; q++) { b_ds[base[q]] = v[q]; }
}

// The cell backward of unit j at step t for the 4 rows: dh += above, dG_t (stored, and into
// wg_dg when the step is live), dc_{t-1}; dh and dc are read from and written back to dS.
fn backward_cell(j: u32, t: u32, live_step: bool, live: vec4<bool>, rows: vec4u, nrows: u32) {
  let H = bp.H;
  let B = bp.B;
  let G = 4u * H;
  let sh = rows * H + vec4u(j);
  var dh = b_ds4(vec4u(bp.dh_off) + sh);
  var dc = b_ds4(vec4u(bp.dc_off) + sh);
  if (bp.use_above != 0u) {
    let ab = at(bp.above_off, t, rows, B, H, j);
    dh += vec4f(b_above[ab.x], b_above[ab.y], b_above[ab.z], b_above[ab.w]);
  }
  var dgi = vec4f(0.0);
  var dgf = vec4f(0.0);
  var dgg = vec4f(0.0);
  var dgo = vec4f(0.0);
  if (live_step) {
    let gb = at(bp.g_off, t, rows, B, G, j);
    let i = b_gate4(gb);
    let f = b_gate4(gb + vec4u(H));
    let g = b_gate4(gb + vec4u(2u * H));
    let o = b_gate4(gb + vec4u(3u * H));
    let tc = tanh4(b_c4(at(bp.c_off, t + 1u, rows, B, H, j)));
    let dct = dc + dh * o * (1.0 - tc * tc);
    let zero = vec4f(0.0);
    dgi = select(zero, dct * g * i * (1.0 - i), live);
    dgf = select(zero, dct * b_c4(at(bp.c_off, t, rows, B, H, j)) * f * (1.0 - f), live);
    dgg = select(zero, dct * i * (1.0 - g * g), live);
    dgo = select(zero, dh * tc * o * (1.0 - o), live);
    dc = select(dc, dct * f, live);
    wg_dg[j] = dgi;
    wg_dg[H + j] = dgf;
    wg_dg[2u * H + j] = dgg;
    wg_dg[3u * H + j] = dgo;
  }
  let db = at(bp.dg_off, t, rows, B, G, j);
  b_store_dg(db, dgi, nrows);
  b_store_dg(db + vec4u(H), dgf, nrows);
  b_store_dg(db + vec4u(2u * H), dgg, nrows);
  b_store_dg(db + vec4u(3u * H), dgo, nrows);
  b_store_ds(vec4u(bp.dh_off) + sh, dh, nrows);
  b_store_ds(vec4u(bp.dc_off) + sh, dc, nrows);
}

// dh_{t-1}[row, j] = Σ_n dG_t[row, n]·W_hh[n, j]; held rows keep dh (their dG is zero).
fn backward_recurrent(j: u32, live: vec4<bool>, rows: vec4u, nrows: u32) {
  let H = bp.H;
  var rec = vec4f(0.0);
  for (var n = 0u; n < 4u * H; n++) {
    rec += wg_dg[n] * b_w[bp.w_off + n * H + j];
  }
  let at_dh = vec4u(bp.dh_off) + rows * H + vec4u(j);
  b_store_ds(at_dh, select(b_ds4(at_dh), vec4f(0.0), live) + rec, nrows);
}

@compute @workgroup_size(NI)
fn lstm_sequence_backward(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let H = bp.H;
  let B = bp.B;
  let b0 = wid.x * 4u;
  let rows = rows_of(b0, B);
  let nrows = min(4u, B - b0);
  let lengths = vec4i(b_len[bp.len_off + rows.x], b_len[bp.len_off + rows.y], b_len[bp.len_off + rows.z], b_len[bp.len_off + rows.w]);
  let live_steps = min(u32(max(b_len[bp.n_off], 0)), bp.steps);
  if (bp.zero_in != 0u) {
    for (var j = lid.x; j < H; j += NI) {
      b_store_ds(vec4u(bp.dh_off) + rows * H + vec4u(j), vec4f(0.0), nrows);
      b_store_ds(vec4u(bp.dc_off) + rows * H + vec4u(j), vec4f(0.0), nrows);
    }
  }
  for (var s = 0u; s < bp.steps; s++) {
    let t = bp.steps - 1u - s;
    let live_step = t < live_steps;
    let live = live_rows(b0, B, t, bp.use_mask != 0u, lengths) & vec4<bool>(live_step);
    for (var j = lid.x; j < H; j += NI) { backward_cell(j, t, live_step, live, rows, nrows); }
    // No live row at this step: dG is zero, dh passes through unchanged.
    if (live_step) {
      workgroupBarrier();
      for (var j = lid.x; j < H; j += NI) { backward_recurrent(j, live, rows, nrows); }
      workgroupBarrier();
    }
  }
}
