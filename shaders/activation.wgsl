// Elementwise activations. ACT picks the function at pipeline creation:
// 0 = relu, 1 = tanh, 2 = sigmoid.
//   activation_forward          y = act(x)                 x, y: (n), different buffers
//   activation_forward_inplace  y = act(y)                 y: (n)
//   activation_backward         dx (+)= dy * act'(y)       y, dy, dx: (n), dx apart from y and dy
//   activation_backward_inplace d = d * act'(y)            y, d: (n), d is dy and becomes dx
// The backward reads the forward OUTPUT y: relu' = y > 0, tanh' = 1 - y², sigmoid' = y (1 - y).

override WG: u32 = 64;
override ACT: u32 = 0;

fn act(x: f32) -> f32 {
  switch ACT {
    case 0u: { return max(x, 0.0); }
    // tanh(±15) is ±1 in f32; the clamp keeps exp-based tanh implementations finite.
    case 1u: { return tanh(clamp(x, -15.0, 15.0)); }
    default: {
      // Stable sigmoid: exp of a non-positive number only.
      let e = exp(-abs(x));
      return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
    }
  }
}

fn act_grad(y: f32) -> f32 {
  switch ACT {
    case 0u: { return select(0.0, 1.0, y > 0.0); }
    case 1u: { return 1.0 - y * y; }
    default: { return y * (1.0 - y); }
  }
}

fn flat_index(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

struct ForwardParams {
  x_offset: u32,
  y_offset: u32,
  count: u32,
};
@group(0) @binding(0) var<uniform> fp: ForwardParams;
@group(0) @binding(1) var<storage, read> fwd_x: array<f32>;        // (n)
@group(0) @binding(2) var<storage, read_write> fwd_y: array<f32>;  // (n)

@compute @workgroup_size(WG)
fn activation_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= fp.count) { return; }
  fwd_y[fp.y_offset + i] = act(fwd_x[fp.x_offset + i]);
}

@group(0) @binding(1) var<storage, read_write> inplace_y: array<f32>;  // (n)

@compute @workgroup_size(WG)
fn activation_forward_inplace(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= fp.count) { return; }
  let k = fp.y_offset + i;
  inplace_y[k] = act(inplace_y[k]);
}

struct BackwardParams {
  y_offset: u32,
  dy_offset: u32,
  dx_offset: u32,
  count: u32,
  accumulate: u32,
};
@group(0) @binding(0) var<uniform> bp: BackwardParams;
@group(0) @binding(1) var<storage, read> bwd_y: array<f32>;         // (n)
@group(0) @binding(2) var<storage, read> bwd_dy: array<f32>;        // (n)
@group(0) @binding(3) var<storage, read_write> bwd_dx: array<f32>;  // (n)

@compute @workgroup_size(WG)
fn activation_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= bp.count) { return; }
  let g = bwd_dy[bp.dy_offset + i] * act_grad(bwd_y[bp.y_offset + i]);
  let k = bp.dx_offset + i;
  if (bp.accumulate != 0u) {
    bwd_dx[k] = bwd_dx[k] + g;
  } else {
    bwd_dx[k] = g;
  }
}

@group(0) @binding(2) var<storage, read_write> inplace_d: array<f32>;  // (n)

@compute @workgroup_size(WG)
fn activation_backward_inplace(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat_index(gid, nwg);
  if (i >= bp.count) { return; }
  let k = bp.dy_offset + i;
  inplace_d[k] = inplace_d[k] * act_grad(bwd_y[bp.y_offset + i]);
}
