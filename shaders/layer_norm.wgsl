// LayerNorm over the last dimension (PyTorch nn.LayerNorm, biased variance, eps in the
// uniform), forward and backward. Reference: src/reference/layer_norm.ts.
//   layer_norm_forward      one invocation per row: μ, rstd = 1/√(var + eps) -> stats (R, 2),
//                           y = (x − μ)·rstd ⊙ γ + β
//   layer_norm_backward_dx  one invocation per row: g = dy ⊙ γ,
//                           dx (+)= rstd·(g − mean(g) − x̂·mean(g ⊙ x̂))
//   layer_norm_backward_gamma  one invocation per column, rows summed in order: dγ = Σ_r dy ⊙ x̂
// (dβ = Σ_r dy is ops/reduce's column sum.) Letters: R rows, D features. Every output element
// has one writer and a fixed summation order: deterministic, no atomics.

override WG: u32 = 64;

struct Params {
  rows: u32,
  dim: u32,
  accumulate: u32,
  eps: f32,
  off1: u32, off2: u32, off3: u32, off4: u32, off5: u32, // element offset of binding k
};
@group(0) @binding(0) var<uniform> p: Params;

fn flat_index(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@group(0) @binding(1) var<storage, read> f_x: array<f32>;              // (R, D)
@group(0) @binding(2) var<storage, read> f_gamma: array<f32>;          // (D)
@group(0) @binding(3) var<storage, read> f_beta: array<f32>;           // (D)
@group(0) @binding(4) var<storage, read_write> f_y: array<f32>;        // (R, D)
@group(0) @binding(5) var<storage, read_write> f_stats: array<f32>;    // (R, 2) mean, rstd

@compute @workgroup_size(WG)
fn layer_norm_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = flat_index(gid, nwg);
  if (r >= p.rows) { return; }
  let x0 = p.off1 + r * p.dim;
  var m = 0.0;
  for (var j = 0u; j < p.dim; j++) { m += f_x[x0 + j]; }
  m /= f32(p.dim);
  // Two passes: the variance of centred values, not E[x²] − μ², which cancels in float32.
  var v = 0.0;
  for (var j = 0u; j < p.dim; j++) {
    let c = f_x[x0 + j] - m;
    v += c * c;
  }
  let rstd = inverseSqrt(v / f32(p.dim) + p.eps);
  let y0 = p.off4 + r * p.dim;
  for (var j = 0u; j < p.dim; j++) {
    f_y[y0 + j] = (f_x[x0 + j] - m) * rstd * f_gamma[p.off2 + j] + f_beta[p.off3 + j];
  }
  f_stats[p.off5 + 2u * r] = m;
  f_stats[p.off5 + 2u * r + 1u] = rstd;
}

@group(0) @binding(1) var<storage, read> d_x: array<f32>;              // (R, D)
@group(0) @binding(2) var<storage, read> d_gamma: array<f32>;          // (D)
@group(0) @binding(3) var<storage, read> d_stats: array<f32>;          // (R, 2)
@group(0) @binding(4) var<storage, read> d_dy: array<f32>;             // (R, D)
@group(0) @binding(5) var<storage, read_write> d_dx: array<f32>;       // (R, D)

@compute @workgroup_size(WG)
fn layer_norm_backward_dx(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = flat_index(gid, nwg);
  if (r >= p.rows) { return; }
  let m = d_stats[p.off3 + 2u * r];
  let rstd = d_stats[p.off3 + 2u * r + 1u];
  let x0 = p.off1 + r * p.dim;
  let dy0 = p.off4 + r * p.dim;
  var mg = 0.0;
  var mgx = 0.0;
  for (var j = 0u; j < p.dim; j++) {
    let g = d_dy[dy0 + j] * d_gamma[p.off2 + j];
    mg += g;
    mgx += g * (d_x[x0 + j] - m) * rstd;
  }
  mg /= f32(p.dim);
  mgx /= f32(p.dim);
  let dx0 = p.off5 + r * p.dim;
  for (var j = 0u; j < p.dim; j++) {
    let xhat = (d_x[x0 + j] - m) * rstd;
    let v = rstd * (d_dy[dy0 + j] * d_gamma[p.off2 + j] - mg - xhat * mgx);
    d_dx[dx0 + j] = select(v, d_dx[dx0 + j] + v, p.accumulate != 0u);
  }
}

@group(0) @binding(1) var<storage, read> g_x: array<f32>;              // (R, D)
@group(0) @binding(2) var<storage, read> g_stats: array<f32>;          // (R, 2)
@group(0) @binding(3) var<storage, read> g_dy: array<f32>;             // (R, D)
@group(0) @binding(4) var<storage, read_write> g_dgamma: array<f32>;   // (D)

@compute @workgroup_size(WG)
fn layer_norm_backward_gamma(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let j = flat_index(gid, nwg);
  if (j >= p.dim) { return; }
  var s = 0.0;
  for (var r = 0u; r < p.rows; r++) {
    let xhat = (g_x[p.off1 + r * p.dim + j] - g_stats[p.off2 + 2u * r]) * g_stats[p.off2 + 2u * r + 1u];
    s += g_dy[p.off3 + r * p.dim + j] * xhat;
  }
  let o = p.off4 + j;
  g_dgamma[o] = select(s, g_dgamma[o] + s, p.accumulate != 0u);
}
