// Fused softmax cross-entropy, forward and backward, over rows whose target is not PAD (0),
// and greedy argmax. Three dispatches make one loss, each sum in a fixed order:
//   cross_entropy_count    one workgroup: count = #{r : 0 < targets[r] < V} -> scratch[R]
//   cross_entropy_forward  one invocation per row: scratch[r] = -log softmax(logits[r])[t],
//                          dlogits[r] = (softmax(logits[r]) - onehot(t)) / count; both 0 on ignored rows
//                          With label smoothing ε the target is q = (1 - ε)·onehot(t) + ε/V:
//                          scratch[r] = (1 - ε)·nll + ε·mean_j(-log p_j), dlogits = (p - q) / count;
//                          ε = 0 takes exactly the unsmoothed arithmetic.
//   cross_entropy_mean     one workgroup: loss[0] = Σ_r scratch[r] / count (0 when count is 0)
//   argmax                 out[r] = index of the row maximum, the lowest on ties
// logits, dlogits: (R, V); targets: (R) i32; scratch: (R + 1); loss: (1); out: (R) i32.
// A target outside [0, V) is ignored like PAD.

override WG: u32 = 64;
// Reduction workgroup size: a power of two.
override RWG: u32 = 256;

struct Params {
  logits_offset: u32,
  targets_offset: u32,
  dlogits_offset: u32,
  scratch_offset: u32,
  loss_offset: u32,
  rows: u32,
  vocab: u32,
  smoothing: f32,
};
@group(0) @binding(0) var<uniform> p: Params;

fn counted(t: i32) -> bool {
  return t > 0 && u32(t) < p.vocab;
}

// tree_sum and its workgroup array come from shaders/tree_sum.wgsl (appended by the builder).

@group(0) @binding(1) var<storage, read> cnt_targets: array<i32>;         // (R)
@group(0) @binding(2) var<storage, read_write> cnt_scratch: array<f32>;   // (R + 1)

@compute @workgroup_size(RWG)
fn cross_entropy_count(@builtin(local_invocation_index) t: u32) {
  var n = 0u;
  for (var r = t; r < p.rows; r += RWG) {
    if (counted(cnt_targets[p.targets_offset + r])) { n++; }
  }
  // Partial counts stay below 2^24, so the f32 tree sum is exact.
  let total = tree_sum(t, f32(n));
  if (t == 0u) {
    cnt_scratch[p.scratch_offset + p.rows] = total;
  }
}

@group(0) @binding(1) var<storage, read> fwd_logits: array<f32>;          // (R, V)
@group(0) @binding(2) var<storage, read> fwd_targets: array<i32>;         // (R)
@group(0) @binding(3) var<storage, read_write> fwd_dlogits: array<f32>;   // (R, V)
@group(0) @binding(4) var<storage, read_write> fwd_scratch: array<f32>;   // (R + 1)

@compute @workgroup_size(WG)
fn cross_entropy_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = gid.x + gid.y * nwg.x * WG;
  if (r >= p.rows) { return; }
  let t = fwd_targets[p.targets_offset + r];
  let src = p.logits_offset + r * p.vocab;
  let dst = p.dlogits_offset + r * p.vocab;
  if (!counted(t)) {
    for (var j = 0u; j < p.vocab; j++) { fwd_dlogits[dst + j] = 0.0; }
    fwd_scratch[p.scratch_offset + r] = 0.0;
    return;
  }
  var mx = fwd_logits[src];
  for (var j = 1u; j < p.vocab; j++) { mx = max(mx, fwd_logits[src + j]); }
  var s = 0.0;
  var centred = 0.0;
  for (var j = 0u; j < p.vocab; j++) {
    s += exp(fwd_logits[src + j] - mx);
    centred += fwd_logits[src + j] - mx;
  }
  let inv_s = 1.0 / s;
  let inv_count = 1.0 / max(fwd_scratch[p.scratch_offset + p.rows], 1.0);
  // ε = 0: keep is 1 and spread 0, so q is the one-hot exactly.
  let keep = 1.0 - p.smoothing;
  let spread = p.smoothing / f32(p.vocab);
  for (var j = 0u; j < p.vocab; j++) {
    let prob = exp(fwd_logits[src + j] - mx) * inv_s;
    fwd_dlogits[dst + j] = (prob - (select(0.0, keep, j == u32(t)) + spread)) * inv_count;
  }
  var loss = log(s) - (fwd_logits[src + u32(t)] - mx);
  if (p.smoothing > 0.0) {
    loss = keep * loss + p.smoothing * (log(s) - centred / f32(p.vocab));
  }
  fwd_scratch[p.scratch_offset + r] = loss;
}

@group(0) @binding(1) var<storage, read> mean_scratch: array<f32>;       // (R + 1)
@group(0) @binding(2) var<storage, read_write> mean_loss: array<f32>;    // (1)

@compute @workgroup_size(RWG)
fn cross_entropy_mean(@builtin(local_invocation_index) t: u32) {
  var s = 0.0;
  for (var r = t; r < p.rows; r += RWG) {
    s += mean_scratch[p.scratch_offset + r];
  }
  let total = tree_sum(t, s);
  if (t == 0u) {
    mean_loss[p.loss_offset] = total / max(mean_scratch[p.scratch_offset + p.rows], 1.0);
  }
}

struct ArgmaxParams {
  x_offset: u32,
  out_offset: u32,
  rows: u32,
  cols: u32,
};
@group(0) @binding(0) var<uniform> ap: ArgmaxParams;
@group(0) @binding(1) var<storage, read> am_x: array<f32>;            // (R, V)
@group(0) @binding(2) var<storage, read_write> am_out: array<i32>;    // (R)

@compute @workgroup_size(WG)
fn argmax(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = gid.x + gid.y * nwg.x * WG;
  if (r >= ap.rows) { return; }
  let base = ap.x_offset + r * ap.cols;
  var best = am_x[base];
  var idx = 0u;
  for (var j = 1u; j < ap.cols; j++) {
    let x = am_x[base + j];
    if (x > best) {
      best = x;
      idx = j;
    }
  }
  am_out[ap.out_offset + r] = i32(idx);
}
