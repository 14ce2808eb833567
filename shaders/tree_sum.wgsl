// The one deterministic workgroup reduction, shared by reduce.wgsl, cross_entropy.wgsl and
// optimizer.wgsl (WGSL has no includes, so their builders append this text). Needs `override RWG` (a power of two,
// the workgroup size) in the including shader.

var<workgroup> shared_sum: array<f32, RWG>;

// Tree sum of one value per invocation in a fixed order; every invocation must call it.
fn tree_sum(t: u32, value: f32) -> f32 {
  shared_sum[t] = value;
  workgroupBarrier();
  for (var stride = RWG / 2u; stride > 0u; stride = stride / 2u) {
    if (t < stride) {
      shared_sum[t] = shared_sum[t] + shared_sum[t + stride];
    }
    workgroupBarrier();
  }
  return shared_sum[0];
}
