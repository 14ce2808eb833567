// Page side of the GPU smoke test: runs fill and copy over odd lengths and returns what
// the GPU wrote, for the Node side to check element by element.
import { Gpu } from '../../../src/gpu/context.ts';
import { view } from '../../../src/gpu/buffers.ts';
import { copy, fill } from '../../../src/ops/fill.ts';

export async function adapterInfo() {
  const gpu = await Gpu.create();
  try {
    return gpu.adapter;
  } finally {
    gpu.destroy();
  }
}

/** Fills [offset, offset+count) of a `size`-element buffer with `value`, then copies it out. */
export async function fillAndCopy(size: number, offset: number, count: number, value: number) {
  const gpu = await Gpu.create();
  try {
    const a = gpu.createBuffer('a', size);
    const b = gpu.createBuffer('b', size);
    gpu.upload(a, Float32Array.from({ length: size }, (_, i) => -(i + 1)));
    gpu.run([fill(gpu, view(a, offset, count), value), copy(gpu, view(a), view(b))]);
    return { a: Array.from(await gpu.read(view(a))), b: Array.from(await gpu.read(view(b))), submits: gpu.stats.submits };
  } finally {
    gpu.destroy();
  }
}

/** Throws the error of `kind`, as a page function failing in each way the Node side tells apart. */
export async function throwError(kind: 'user' | 'diverged' | 'device_lost' | 'internal'): Promise<never> {
  const { UserError } = await import('../../../src/errors.ts');
  const { NonFiniteError } = await import('../../../src/train/non_finite.ts');
  const { GpuDeviceLostError } = await import('../../../src/gpu/device.ts');
  if (kind === 'user') throw new UserError('hidden_size=9999 is too large; use at most 512.');
  if (kind === 'diverged') throw new NonFiniteError('Training diverged at step 3: the loss is not finite; lower lr.');
  if (kind === 'device_lost') throw new GpuDeviceLostError('The GPU device was lost (gone); reload the page.');
  throw new TypeError('x is undefined');
}
