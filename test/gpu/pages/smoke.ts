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

/** Throws an error carrying `code`, as a page function failing in each way the Node side tells apart. */
export async function throwError(code: 'invalid_settings' | 'invalid_data' | 'invalid_checkpoint' | 'diverged' | 'device_lost' | 'internal'): Promise<never> {
  const { UserError } = await import('../../../src/errors.ts');
  const { DataError } = await import('../../../src/data/parse.ts');
  const { CheckpointError } = await import('../../../src/io/safetensors.ts');
  const { NonFiniteError } = await import('../../../src/train/non_finite.ts');
  const { GpuDeviceLostError } = await import('../../../src/gpu/device.ts');
  if (code === 'invalid_settings') throw new UserError('hidden_size=9999 is too large; use at most 512.');
  if (code === 'invalid_data') throw new DataError('pairs.tsv line 3 has no tab between source and target.');
  if (code === 'invalid_checkpoint') throw new CheckpointError('model.safetensors is not a safetensors file.');
  if (code === 'diverged') throw new NonFiniteError('Training diverged at step 3: the loss is not finite; lower lr.');
  if (code === 'device_lost') throw new GpuDeviceLostError('The GPU device was lost (gone); reload the page.');
  throw new TypeError('x is undefined');
}
