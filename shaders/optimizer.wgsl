// Gradient clipping by global norm and the parameter updates, over whole arenas.
//   grad_norm_finalize  one workgroup: sums the per-workgroup partial sums of squares
//                       (reduce.wgsl sum_squares_partial) in a fixed order and writes
//                       stats[0] = norm, stats[1] = clip scale = min(1, clip_norm / (norm + 1e-6))
//                       (1 when clip_norm is 0)
//   adam_step           g = grad * stats[1]; m = β1 m + (1-β1) g; v = β2 v + (1-β2) g²;
//                       p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + ε)   (PyTorch's Adam)
//   sgd_step            p -= lr * grad * stats[1]
// params, grads, m, v: (n); partials: (P); stats: (2).
// The step enters Adam through its uniforms as step_size = lr / (1 - β1^t) and
// inv_sqrt_bc2 = 1 / sqrt(1 - β2^t), computed in float64 on the host for each step.

override WG: u32 = 64;
// Reduction workgroup size: a power of two.
override RWG: u32 = 256;

// tree_sum and its workgroup array come from shaders/tree_sum.wgsl (appended by the builder).

struct NormParams {
  partial_offset: u32,
  partial_count: u32,
  stats_offset: u32,
  clip_norm: f32,
};
@group(0) @binding(0) var<uniform> np: NormParams;
@group(0) @binding(1) var<storage, read> norm_partials: array<f32>;     // (P)
@group(0) @binding(2) var<storage, read_write> norm_stats: array<f32>;  // (2)

@compute @workgroup_size(RWG)
fn grad_norm_finalize(@builtin(local_invocation_index) t: u32) {
  var s = 0.0;
  for (var g = t; g < np.partial_count; g += RWG) {
    s += norm_partials[np.partial_offset + g];
  }
  let total = tree_sum(t, s);
  if (t == 0u) {
    let norm = sqrt(total);
    var scale = 1.0;
    if (np.clip_norm > 0.0) {
      scale = min(1.0, np.clip_norm / (norm + 1e-6));
    }
    norm_stats[np.stats_offset] = norm;
    norm_stats[np.stats_offset + 1u] = scale;
  }
}

struct AdamParams {
  param_offset: u32,
  grad_offset: u32,
  m_offset: u32,
  v_offset: u32,
  stats_offset: u32,
  count: u32,
  step_size: f32,
  inv_sqrt_bc2: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
};
@group(0) @binding(0) var<uniform> ap: AdamParams;
@group(0) @binding(1) var<storage, read_write> adam_p: array<f32>;   // (n)
@group(0) @binding(2) var<storage, read> adam_g: array<f32>;         // (n)
@group(0) @binding(3) var<storage, read_write> adam_m: array<f32>;   // (n)
@group(0) @binding(4) var<storage, read_write> adam_v: array<f32>;   // (n)
@group(0) @binding(5) var<storage, read> adam_stats: array<f32>;     // (2)

@compute @workgroup_size(WG)
fn adam_step(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= ap.count) { return; }
  let g = adam_g[ap.grad_offset + i] * adam_stats[ap.stats_offset + 1u];
  let m = ap.beta1 * adam_m[ap.m_offset + i] + (1.0 - ap.beta1) * g;
  let v = ap.beta2 * adam_v[ap.v_offset + i] + (1.0 - ap.beta2) * g * g;
  adam_m[ap.m_offset + i] = m;
  adam_v[ap.v_offset + i] = v;
  let k = ap.param_offset + i;
  adam_p[k] = adam_p[k] - ap.step_size * m / (sqrt(v) * ap.inv_sqrt_bc2 + ap.eps);
}

struct SgdParams {
  param_offset: u32,
  grad_offset: u32,
  stats_offset: u32,
  count: u32,
  lr: f32,
};
@group(0) @binding(0) var<uniform> sp: SgdParams;
@group(0) @binding(1) var<storage, read_write> sgd_p: array<f32>;   // (n)
@group(0) @binding(2) var<storage, read> sgd_g: array<f32>;         // (n)
@group(0) @binding(3) var<storage, read> sgd_stats: array<f32>;     // (2)

@compute @workgroup_size(WG)
fn sgd_step(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= sp.count) { return; }
  let k = sp.param_offset + i;
  sgd_p[k] = sgd_p[k] - sp.lr * sgd_g[sp.grad_offset + i] * sgd_stats[sp.stats_offset + 1u];
}
