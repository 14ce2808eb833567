// Page side of the matmul GPU tests: packs A, B and bias into one buffer at odd offsets
// (so element offsets and read-only aliasing are exercised), C into another, runs the
// kernel twice from the same start and returns both results for the Node side to compare.
import { Gpu } from '../../../src/gpu/context.ts';
import { view } from '../../../src/gpu/buffers.ts';
import { matmul, type Activation } from '../../../src/ops/matmul.ts';

export interface MatmulCase {
  M: number;
  N: number;
  K: number;
  a: number[];
  b: number[];
  bias?: number[];
  /** Initial contents of C's view (the accumulate start). */
  c0: number[];
  transA?: boolean;
  transB?: boolean;
  accumulate?: boolean;
  activation?: Activation;
  batch?: number;
  strideA?: number;
  strideB?: number;
  strideC?: number;
}

const PAD = 3; // odd element offsets for every view

export async function runMatmul(t: MatmulCase): Promise<{ first: number[]; second: number[] }> {
  const gpu = await Gpu.create();
  try {
    const aOff = PAD;
    const bOff = aOff + t.a.length + PAD;
    const biasOff = bOff + t.b.length + PAD;
    const inLen = biasOff + (t.bias?.length ?? 0) + PAD;
    const inputs = gpu.createBuffer('inputs', inLen);
    const host = new Float32Array(inLen).fill(NaN);
    host.set(t.a, aOff);
    host.set(t.b, bOff);
    if (t.bias) host.set(t.bias, biasOff);
    gpu.upload(inputs, host);
    const out = gpu.createBuffer('c', t.c0.length + 2 * PAD);
    const cView = view(out, PAD, t.c0.length);
    const d = matmul(gpu, {
      ...t,
      a: view(inputs, aOff, t.a.length),
      b: view(inputs, bOff, t.b.length),
      bias: t.bias ? view(inputs, biasOff, t.bias.length) : undefined,
      c: cView,
      label: 'matmul-test',
    });
    const results: number[][] = [];
    for (let i = 0; i < 2; i++) {
      gpu.upload(cView, Float32Array.from(t.c0));
      gpu.run(d);
      results.push(Array.from(await gpu.read(cView)));
    }
    gpu.check();
    return { first: results[0], second: results[1] };
  } finally {
    gpu.destroy();
  }
}

/** Calls matmul with the given view lengths and returns the error message (or null). */
export async function matmulError(args: {
  aLen: number; bLen: number; cLen: number; biasLen?: number; M: number; N: number; K: number;
  batch?: number; accumulate?: boolean; activation?: Activation; sameBuffer?: boolean;
}): Promise<string | null> {
  const gpu = await Gpu.create();
  try {
    const a = gpu.createBuffer('a', args.aLen + (args.biasLen ?? 0));
    const b = gpu.createBuffer('b', args.bLen);
    const c = args.sameBuffer ? a : gpu.createBuffer('c', args.cLen);
    matmul(gpu, {
      a: view(a, 0, args.aLen), b: view(b), c: view(c, 0, args.sameBuffer ? args.aLen : args.cLen),
      bias: args.biasLen !== undefined ? view(a, args.aLen, args.biasLen) : undefined,
      M: args.M, N: args.N, K: args.K, batch: args.batch, accumulate: args.accumulate, activation: args.activation,
    });
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    gpu.destroy();
  }
}
