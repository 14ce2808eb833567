// A one-time check, on devices with subgroups, of what the quad matmul kernels assume:
// numbering invocations by subgroup (subgroup_id · subgroup_size + subgroup_invocation_id)
// gives each invocation of a workgroup its own index in 0..size-1 (true whenever only a
// workgroup's last subgroup may be partial, as on every implementation we know of). If a
// device breaks it, the quad kernels would silently compute the wrong blocks: instead the
// caller falls back to the kernels that need no subgroups.

const PROBE = /* wgsl */ `
enable subgroups;
override SIZE: u32 = 16u;
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(SIZE)
fn probe(@builtin(local_invocation_index) li: u32, @builtin(subgroup_id) sgid: u32,
         @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) sgsize: u32) {
  out[li] = sgid * sgsize + lane;
}
`;

/** True when the subgroup numbering is a permutation of 0..size-1 in a workgroup of `size`. */
export async function subgroupNumberingHolds(device: GPUDevice, size: number): Promise<boolean> {
  const bytes = size * 4;
  const out = device.createBuffer({ label: 'subgroup-probe', size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const readback = device.createBuffer({ label: 'subgroup-probe-read', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  // The scope is popped on every path, so later errors still reach the device's handler.
  device.pushErrorScope('validation');
  let got: number[] | null = null;
  try {
    const module = device.createShaderModule({ label: 'subgroup-probe', code: PROBE });
    const pipeline = await device.createComputePipelineAsync({ label: 'subgroup-probe', layout: 'auto', compute: { module, entryPoint: 'probe', constants: { SIZE: size } } });
    const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: out } }] });
    const encoder = device.createCommandEncoder({ label: 'subgroup-probe' });
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(1);
    pass.end();
    encoder.copyBufferToBuffer(out, 0, readback, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    got = Array.from(new Uint32Array(readback.getMappedRange())).sort((a, b) => a - b);
    readback.unmap();
  } catch {
    got = null;
  } finally {
    if (await device.popErrorScope()) got = null;
    out.destroy();
    readback.destroy();
  }
  return got !== null && got.every((v, i) => v === i);
}
