// Page side of the tiled-matmul tests: the workgroup-memory kernel forced on this adapter
// (matmul() only takes it on hardware ones), A, B and bias at odd offsets of one buffer,
// C inside sentinels (row strides and the tanh-gradient epilogue too); two runs from the same start, for bitwise determinism.
import { Gpu } from '../../../src/gpu/context.ts';
import { view } from '../../../src/gpu/buffers.ts';
import { matmulWithKernel, planMatmul } from '../../../src/ops/matmul.ts';
import { TILED_KERNEL } from '../../../src/ops/matmul_tiled.ts';
import type { MatmulCase } from './matmul.ts';

export interface TiledRun {
  first: number[];
  second: number[];
  /** C's whole buffer after the runs, sentinels included (PAD each side). */
  whole: number[];
}

let shared: Promise<Gpu> | null = null;

export async function runTiled(t: MatmulCase): Promise<TiledRun> {
  shared ??= Gpu.create({ subgroups: false });
  const gpu = await shared;
  const PAD = t.pad ?? 3;
  const bOff = PAD + t.a.length + PAD;
  const biasOff = bOff + t.b.length + PAD;
  // The bias and tanhGradOf's y share the kernel's third binding (never both at once).
  const third = t.tanhGradOf ?? t.bias;
  const inputs = gpu.createBuffer('tiled-inputs', biasOff + (third?.length ?? 0) + PAD);
  const cBuffer = gpu.createBuffer('tiled-c', t.c0.length + 2 * PAD);
  try {
    const host = new Float32Array(inputs.size / 4).fill(NaN);
    host.set(t.a, PAD);
    host.set(t.b, bOff);
    if (third) host.set(third, biasOff);
    gpu.upload(inputs, host);
    const c = view(cBuffer, PAD, t.c0.length);
    const args = {
      ...t,
      a: view(inputs, PAD, t.a.length),
      b: view(inputs, bOff, t.b.length),
      bias: t.bias ? view(inputs, biasOff, t.bias.length) : undefined,
      c,
      tanhGradOf: t.tanhGradOf ? view(inputs, biasOff, t.tanhGradOf.length) : undefined,
      label: 'tiled-test',
    };
    const d = matmulWithKernel(gpu, planMatmul(args), TILED_KERNEL);
    const runs: number[][] = [];
    for (let i = 0; i < 2; i++) {
      gpu.upload(cBuffer, new Float32Array(t.c0.length + 2 * PAD).fill(-777.25));
      gpu.upload(c, Float32Array.from(t.c0));
      gpu.run(d);
      runs.push(Array.from(await gpu.read(c)));
    }
    const whole = Array.from(await gpu.read(view(cBuffer)));
    gpu.check();
    return { first: runs[0], second: runs[1], whole };
  } finally {
    gpu.destroyBuffer(inputs);
    gpu.destroyBuffer(cBuffer);
  }
}
