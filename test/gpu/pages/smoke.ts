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
