// Inverted dropout with a counter-based mask: element i of tensor `tensor` at training step
// `step` is kept when hash(seed, step, tensor, i) >= threshold (= round(p·2^32)), and scaled
// by 1/(1 − p). The mask is never stored: the backward recomputes it from the same key, and a
// resumed run draws the same masks. Reference: src/reference/dropout.ts (same hash).
//   dropout            y = keep ? x·scale : 0      (the backward is the same map on dy)
//   dropout_inplace    x = keep ? x·scale : 0
//   dropout_residual   out = res + (keep ? x·scale : 0)
// The step is read from a storage word that the model rewrites before each submit, so the
// recorded dispatches never change.

override WG: u32 = 256;

struct Params {
  n: u32,
  x_off: u32,
  y_off: u32,
  step_off: u32,
  threshold: u32,
  scale: f32,
  seed_lo: u32,
  seed_hi: u32,
  tensor: u32,
  res_off: u32,
};
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> step_word: array<u32>;   // (1) the training step

// The "lowbias32" integer finaliser: a 32-bit avalanche mixer.
fn mix32(v: u32) -> u32 {
  var x = v;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

fn kept(i: u32) -> bool {
  var h = mix32(i + 0x9e3779b9u);
  h = mix32(h ^ p.tensor);
  h = mix32(h ^ step_word[p.step_off]);
  h = mix32(h ^ p.seed_hi);
  h = mix32(h ^ p.seed_lo);
  return h >= p.threshold;
}

fn flat_index(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@group(0) @binding(2) var<storage, read> f_x: array<f32>;          // (n)
@group(0) @binding(3) var<storage, read_write> f_y: array<f32>;    // (n)

@compute @workgroup_size(WG)
fn dropout(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= p.n) { return; }
  f_y[p.y_off + i] = select(0.0, f_x[p.x_off + i] * p.scale, kept(i));
}

@group(0) @binding(2) var<storage, read_write> i_x: array<f32>;    // (n)

@compute @workgroup_size(WG)
fn dropout_inplace(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= p.n) { return; }
  i_x[p.y_off + i] = select(0.0, i_x[p.y_off + i] * p.scale, kept(i));
}

// dropout_residual: out = res + keep ? x·scale : 0, a residual branch joining its skip path
// (p = 0: the plain sum, scale 1).
@group(0) @binding(2) var<storage, read> r_res: array<f32>;        // (n)
@group(0) @binding(3) var<storage, read> r_x: array<f32>;          // (n)
@group(0) @binding(4) var<storage, read_write> r_out: array<f32>;  // (n)

@compute @workgroup_size(WG)
fn dropout_residual(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= p.n) { return; }
  r_out[p.y_off + i] = r_res[p.res_off + i] + select(0.0, r_x[p.x_off + i] * p.scale, kept(i));
}
