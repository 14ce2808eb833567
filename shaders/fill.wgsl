// fill: out[i] = value;  copy: dst[i] = src[i].  Element offsets come in the uniforms,
// so one pipeline serves every buffer and length. Indices span x and y workgroups
// (see linearWorkgroups) so lengths above 65535 workgroups still work.

override WG: u32 = 64;

struct FillParams {
  offset: u32,
  count: u32,
  value: f32,
};
@group(0) @binding(0) var<uniform> fp: FillParams;
@group(0) @binding(1) var<storage, read_write> fill_out: array<f32>;

@compute @workgroup_size(WG)
fn fill(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= fp.count) { return; }
  fill_out[fp.offset + i] = fp.value;
}

struct CopyParams {
  src_offset: u32,
  dst_offset: u32,
  count: u32,
};
@group(0) @binding(0) var<uniform> cp: CopyParams;
@group(0) @binding(1) var<storage, read> copy_src: array<f32>;
@group(0) @binding(2) var<storage, read_write> copy_dst: array<f32>;

@compute @workgroup_size(WG)
fn copy(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= cp.count) { return; }
  copy_dst[cp.dst_offset + i] = copy_src[cp.src_offset + i];
}
