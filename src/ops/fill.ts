// Fill and copy over views: the clearing and state moves of a recorded step.
import code from '../../shaders/fill.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import type { View } from '../gpu/buffers.ts';
import { linearWorkgroups, type Dispatch } from '../gpu/program.ts';
import { f32, u32 } from '../gpu/uniforms.ts';

const WG = 64;

/** out[:] = value.  out: (n) */
export function fill(gpu: Gpu, out: View, value: number, label = 'fill'): Dispatch {
  const pipeline = gpu.pipelines.get({ name: 'fill', code, entryPoint: 'fill', bindings: ['uniform', 'storage'], constants: { WG } });
  const params = gpu.uniform([u32(out.offset), u32(out.length), f32(value)]);
  return gpu.dispatch(label, pipeline, [params, out], linearWorkgroups(out.length, WG));
}

/** dst[:] = src[:].  src, dst: (n), distinct buffers */
export function copy(gpu: Gpu, src: View, dst: View, label = 'copy'): Dispatch {
  if (src.length !== dst.length) throw new Error(`copy: source has ${src.length} elements, destination ${dst.length}.`);
  if (src.buffer === dst.buffer) throw new Error('copy: source and destination must be different buffers.');
  const pipeline = gpu.pipelines.get({ name: 'fill', code, entryPoint: 'copy', bindings: ['uniform', 'read', 'storage'], constants: { WG } });
  const params = gpu.uniform([u32(src.offset), u32(dst.offset), u32(src.length)]);
  return gpu.dispatch(label, pipeline, [params, src, dst], linearWorkgroups(src.length, WG));
}
