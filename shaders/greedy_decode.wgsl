// Greedy decoding of the `lstm` and `attn` decoders in ONE dispatch (src/ops/greedy_decode.ts;
// float64 reference: lstmGreedyDecode / attnGreedyDecode in src/reference/). A workgroup owns
// ROWS rows of the batch and runs every decode step for them, fed its own argmax (EOS = V − 1
// first). Rows never talk to each other, so workgroup barriers are the only synchronisation:
// per step t and layer k
//   gates   G (ROWS, 4H) = x-projection + h_{t-1}·W_hhᵀ + b_hh     one invocation per gate unit,
//           x-projection = P[token] (layer 0) or x·W_ihᵀ + b_ih      all ROWS rows at once
//   cell    c_t, h_t (PyTorch gate order i, f, g, o) into the stack's state rows
// then, with ATTN (Luong general score, no input feeding, as models/attn.ts):
//   scores  q·K_s for s < S  → weights (D, B, S) row t;  masked softmax (0 past the length)
//   context c = Σ_s A_s h̄_s;  h̃ = tanh(W_c [c ; q])
// and the output: logits = y·W_outᵀ + b_out (y = h̃ or the top h), argmax with the lowest
// index on ties (per invocation over an ascending slice, then a tree over invocations).
// Letters: B batch, S source length, D decode steps, H hidden, G = 4H, V vocabulary, L layers.
// Workgroup memory: two (ROWS, H) vectors, the argmax tree and the tokens; the builder picks
// ROWS so they fit. Element offsets arrive in the uniform; every output has one writer.

override WG: u32 = 256;   // a power of two (the argmax tree)
override ROWS: u32 = 4u;  // batch rows per workgroup, at most MAX_ROWS
override HC: u32 = 64u;   // H, sizing the workgroup vectors
const MAX_ROWS: u32 = 4u;
const MAX_LAYERS: u32 = 8u;

struct Params {
  B: u32, H: u32, V: u32, L: u32,
  S: u32, D: u32, ptab: u32, lstride: u32,   // lstride: elements per layer in the state buffers
  h_off: u32, c_off: u32, gate_off: u32, dec_off: u32,
  out_w: u32, out_b: u32, len_off: u32, key_off: u32,
  wts_off: u32, ht_off: u32, comb_w: u32, pad0: u32,
  pad1: u32, pad2: u32, pad3: u32, pad4: u32,
  pad5: u32, pad6: u32, pad7: u32, pad8: u32,
  pad9: u32, pad10: u32, pad11: u32, pad12: u32,
  layer: array<vec4u, MAX_LAYERS>,           // per layer: W_ih, b_ih, W_hh, b_hh offsets in the arena
};

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<f32>;            // the parameter arena
@group(0) @binding(2) var<storage, read> ptab: array<f32>;         // (V, G) decoder layer-0 table
@group(0) @binding(3) var<storage, read_write> hs: array<f32>;     // (L, 1 + S + Tm, B, H) states h
@group(0) @binding(4) var<storage, read_write> cs: array<f32>;     // (L, 1 + S + Tm, B, H) states c
@group(0) @binding(5) var<storage, read_write> scr: array<f32>;    // gates (B, G), then attn's h̃ (B, H) and weights (D, B, S)
@group(0) @binding(6) var<storage, read_write> decoded: array<i32>; // (D, B) time-major
#if ${ATTN}
@group(0) @binding(7) var<storage, read> lens: array<i32>;         // (B) source lengths
@group(0) @binding(8) var<storage, read> keys: array<f32>;         // (S, B, H) K = h̄ W_aᵀ
#endif

var<workgroup> xv: array<f32, ROWS * HC>;  // the layer's input x, then q, then y for the output
var<workgroup> hv: array<f32, ROWS * HC>;  // h_{t-1} of the layer, then the context c
var<workgroup> red_v: array<f32, WG>;
var<workgroup> red_i: array<u32, WG>;
var<workgroup> tok: array<u32, MAX_ROWS>;

// Storage writes (state rows, gates, weights) and workgroup vectors both cross phases.
fn sync() {
  storageBarrier();
  workgroupBarrier();
}

fn sigmoid(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

// tanh through exp of a non-positive argument, as shaders/lstm.wgsl's cell: finite for every input.
fn tanh_safe(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}

// Element (row, step r, b, i) of a state buffer: layer k, state row r (0 zeros, 1..S encoder, S+1+t decoder).
fn state_at(k: u32, r: u32, b: u32, i: u32) -> u32 {
  return k * p.lstride + (r * p.B + b) * p.H + i;
}

// Loads state row r of layer k into `dst` (xv or hv) for this workgroup's rows (0 past B).
fn load_h(k: u32, r: u32, b0: u32, lid: u32, into_x: bool) {
  for (var e = lid; e < ROWS * p.H; e += WG) {
    let row = e / p.H;
    let i = e % p.H;
    let b = b0 + row;
    var v = 0.0;
    if (b < p.B) { v = hs[p.h_off + state_at(k, r, b, i)]; }
    if (into_x) { xv[row * HC + i] = v; } else { hv[row * HC + i] = v; }
  }
}

// Gate pre-activations of layer k at step t for every row: one invocation per gate unit j.
fn gates(k: u32, b0: u32, lid: u32) {
  let H = p.H;
  let G = 4u * H;
  let lw = p.layer[k];
  for (var j = lid; j < G; j += WG) {
    var rec = array<f32, MAX_ROWS>(); // an explicit zero: SwiftShader kept the last pass's sums without it
    var inp = array<f32, MAX_ROWS>(); // an explicit zero: SwiftShader kept the last pass's sums without it
    let wr = lw.z + j * H;
    for (var i = 0u; i < H; i++) {
      let wv = w[wr + i];
      for (var r = 0u; r < ROWS; r++) { rec[r] += wv * hv[r * HC + i]; }
    }
    if (k > 0u) {
      let wi = lw.x + j * H;
      for (var i = 0u; i < H; i++) {
        let wv = w[wi + i];
        for (var r = 0u; r < ROWS; r++) { inp[r] += wv * xv[r * HC + i]; }
      }
    }
    for (var r = 0u; r < ROWS; r++) {
      let b = b0 + r;
      if (b >= p.B) { continue; }
      var x = inp[r] + w[lw.y + j];
      if (k == 0u) { x = ptab[p.ptab + tok[r] * G + j]; }
      scr[p.gate_off + b * G + j] = x + (rec[r] + w[lw.w + j]);
    }
  }
}

// The cell of layer k at step t: state row t_row − 1 in, row t_row out, one invocation per (row, unit).
fn cell(k: u32, t_row: u32, b0: u32, lid: u32) {
  let H = p.H;
  for (var e = lid; e < ROWS * H; e += WG) {
    let b = b0 + e / H;
    let j = e % H;
    if (b >= p.B) { continue; }
    let g0 = p.gate_off + b * 4u * H + j;
    let ig = sigmoid(scr[g0]);
    let fg = sigmoid(scr[g0 + H]);
    let gg = tanh_safe(scr[g0 + 2u * H]);
    let og = sigmoid(scr[g0 + 3u * H]);
    let c = fg * cs[p.c_off + state_at(k, t_row - 1u, b, j)] + ig * gg;
    cs[p.c_off + state_at(k, t_row, b, j)] = c;
    hs[p.h_off + state_at(k, t_row, b, j)] = og * tanh_safe(c);
  }
}

#if ${ATTN}
// Scores of q (in xv) against every source position, then the masked softmax per row, into weights row t.
fn attend_weights(t: u32, b0: u32, lid: u32) {
  let H = p.H;
  let S = p.S;
  for (var e = lid; e < ROWS * S; e += WG) {
    let r = e / S;
    let s = e % S;
    let b = b0 + r;
    if (b >= p.B) { continue; }
    var acc = 0.0;
    let k0 = p.key_off + (s * p.B + b) * H;
    for (var i = 0u; i < H; i++) { acc += xv[r * HC + i] * keys[k0 + i]; }
    scr[p.wts_off + (t * p.B + b) * S + s] = acc;
  }
  sync();
  if (lid < ROWS && b0 + lid < p.B) {
    let b = b0 + lid;
    let len = u32(clamp(lens[p.len_off + b], 0, i32(S)));
    let x0 = p.wts_off + (t * p.B + b) * S;
    var mx = -3.0e38;
    for (var s = 0u; s < len; s++) { mx = max(mx, scr[x0 + s]); }
    var z = 0.0;
    for (var s = 0u; s < len; s++) {
      let ev = exp(scr[x0 + s] - mx);
      scr[x0 + s] = ev;
      z += ev;
    }
    for (var s = 0u; s < S; s++) { scr[x0 + s] = select(0.0, scr[x0 + s] / z, s < len); }
  }
  sync();
}

// Context c (into hv) from the weights of row t and the encoder's top states h̄, then h̃ = tanh(W_c [c ; q]) into y (xv).
fn attend_combine(t: u32, b0: u32, lid: u32) {
  let H = p.H;
  let S = p.S;
  let top = p.L - 1u;
  for (var e = lid; e < ROWS * H; e += WG) {
    let r = e / H;
    let i = e % H;
    let b = b0 + r;
    var acc = 0.0;
    if (b < p.B) {
      for (var s = 0u; s < S; s++) { acc += scr[p.wts_off + (t * p.B + b) * S + s] * hs[p.h_off + state_at(top, 1u + s, b, i)]; }
    }
    hv[r * HC + i] = acc;
  }
  sync();
  for (var o = lid; o < H; o += WG) {
    var acc = array<f32, MAX_ROWS>(); // an explicit zero: SwiftShader kept the last pass's sums without it
    let wr = p.comb_w + o * 2u * H;
    for (var i = 0u; i < H; i++) {
      let wc = w[wr + i];
      let wq = w[wr + H + i];
      for (var r = 0u; r < ROWS; r++) { acc[r] += wc * hv[r * HC + i] + wq * xv[r * HC + i]; }
    }
    for (var r = 0u; r < ROWS; r++) {
      if (b0 + r < p.B) { scr[p.ht_off + (b0 + r) * H + o] = tanh(clamp(acc[r], -15.0, 15.0)); }
    }
  }
  sync();
  for (var e = lid; e < ROWS * H; e += WG) {
    let b = b0 + e / H;
    var v = 0.0;
    if (b < p.B) { v = scr[p.ht_off + b * H + e % H]; }
    xv[(e / H) * HC + e % H] = v;
  }
  sync();
}
#endif

const NONE: u32 = 0xffffffffu; // an invocation that saw no vocabulary entry

// (value, index) a beats (value, index) b: larger, or equal and earlier; anything beats NONE.
fn beats(av: f32, ai: u32, bv: f32, bi: u32) -> bool {
  return ai != NONE && (bi == NONE || av > bv || (av == bv && ai < bi));
}

// Logits of y (in xv) and their argmax per row into tok and decoded row t.
fn output_argmax(t: u32, b0: u32, lid: u32) {
  let H = p.H;
  var best_v = array<f32, MAX_ROWS>();
  var best_i = array<u32, MAX_ROWS>();
  for (var r = 0u; r < ROWS; r++) {
    best_v[r] = -3.4e38;
    best_i[r] = NONE;
  }
  for (var v = lid; v < p.V; v += WG) {
    var acc = array<f32, MAX_ROWS>(); // an explicit zero: SwiftShader kept the last pass's sums without it
    let wr = p.out_w + v * H;
    for (var i = 0u; i < H; i++) {
      let wv = w[wr + i];
      for (var r = 0u; r < ROWS; r++) { acc[r] += wv * xv[r * HC + i]; }
    }
    let bias = w[p.out_b + v];
    for (var r = 0u; r < ROWS; r++) {
      let logit = acc[r] + bias;
      if (best_i[r] == NONE || logit > best_v[r]) {
        best_v[r] = logit;
        best_i[r] = v;
      }
    }
  }
  for (var r = 0u; r < ROWS; r++) {
    red_v[lid] = best_v[r];
    red_i[lid] = best_i[r];
    sync();
    for (var half = WG / 2u; half > 0u; half /= 2u) {
      if (lid < half && beats(red_v[lid + half], red_i[lid + half], red_v[lid], red_i[lid])) {
        red_v[lid] = red_v[lid + half];
        red_i[lid] = red_i[lid + half];
      }
      sync();
    }
    if (lid == 0u) {
      tok[r] = red_i[0];
      if (b0 + r < p.B) { decoded[p.dec_off + t * p.B + b0 + r] = i32(red_i[0]); }
    }
    sync();
  }
}

@compute @workgroup_size(WG)
fn greedy_decode(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u) {
  let b0 = wid.x * ROWS;
  if (lid < ROWS) { tok[lid] = p.V - 1u; }
  let top = p.L - 1u;
  for (var t = 0u; t < p.D; t++) {
    let row = p.S + 1u + t; // the decoder state row step t writes
    for (var k = 0u; k < p.L; k++) {
      load_h(k, row - 1u, b0, lid, false);
      if (k > 0u) { load_h(k - 1u, row, b0, lid, true); }
      sync();
      gates(k, b0, lid);
      sync();
      cell(k, row, b0, lid);
      sync();
    }
    load_h(top, row, b0, lid, true);
    sync();
#if ${ATTN}
    attend_weights(t, b0, lid);
    attend_combine(t, b0, lid);
#endif
    output_argmax(t, b0, lid);
  }
}
