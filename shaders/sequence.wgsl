// Per-sequence reversal of time-major tokens, within each sequence's length.
//   reverse_sequences  out[t, b] = tokens[len_b - 1 - t, b] for t < len_b, else PAD (0)
// tokens, out: (S, B) i32, different buffers; lengths: (B) i32, clamped to [0, S].

override WG: u32 = 64;

struct Params {
  tokens_offset: u32,
  lengths_offset: u32,
  out_offset: u32,
  steps: u32,
  batch: u32,
};
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> tokens: array<i32>;        // (S, B)
@group(0) @binding(2) var<storage, read> lengths: array<i32>;       // (B)
@group(0) @binding(3) var<storage, read_write> out: array<i32>;     // (S, B)

@compute @workgroup_size(WG)
fn reverse_sequences(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.steps * p.batch) { return; }
  let t = i / p.batch;
  let b = i % p.batch;
  let len = u32(clamp(lengths[p.lengths_offset + b], 0, i32(p.steps)));
  var token = 0;
  if (t < len) {
    token = tokens[p.tokens_offset + (len - 1u - t) * p.batch + b];
  }
  out[p.out_offset + i] = token;
}
