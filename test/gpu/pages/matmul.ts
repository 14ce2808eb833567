// Page side of the matmul GPU tests the check kit cannot express (its views all sit at
// multiples of 4, on the default device): packs A, B and bias into one buffer at the offsets
// asked for, odd ones included (so element offsets and read-only aliasing are exercised), C
// into another, on a device with or without subgroups; runs matmul() and every kernel that
// fits twice from the same start and returns both results for the Node side to compare.
// Also the subgroup probe, the device's kernel families and the shape errors.
import { Gpu } from '../../../src/gpu/context.ts';
import { view } from '../../../src/gpu/buffers.ts';
import { subgroupNumberingHolds } from '../../../src/gpu/subgroups.ts';
import { kernelsFor, matmul, matmulPipelineSpecs, matmulWithKernel, planMatmul } from '../../../src/ops/matmul.ts';
import { tiledFits } from '../../../src/ops/matmul_tiled.ts';
import type { Activation } from '../../../src/reference/activation.ts';

export interface MatmulCase {
  M: number;
  N: number;
  K: number;
  a: number[];
  b: number[];
  bias?: number[];
  /** Initial contents of C's view. */
  c0: number[];
  transA?: boolean;
  transB?: boolean;
  /** Elements before each view: 3 gives odd offsets (generic kernel), 4 aligned ones. */
  pad?: number;
  /** false: a device without subgroups (the quad kernels' fallback). */
  subgroups?: boolean;
}

export interface KernelRun {
  kernel: string;
  first: number[];
  second: number[];
}

/** Runs matmul() (kernel 'auto') and then every kernel that fits the case. */
export async function runMatmul(t: MatmulCase): Promise<KernelRun[]> {
  const gpu = await sharedGpu(t.subgroups ?? true);
  const made: GPUBuffer[] = [];
  try {
    const PAD = t.pad ?? 3;
    const aOff = PAD;
    const bOff = aOff + t.a.length + PAD;
    const biasOff = bOff + t.b.length + PAD;
    const inLen = biasOff + (t.bias?.length ?? 0) + PAD;
    const inputs = gpu.createBuffer('inputs', inLen);
    made.push(inputs);
    const host = new Float32Array(inLen).fill(NaN);
    host.set(t.a, aOff);
    host.set(t.b, bOff);
    if (t.bias) host.set(t.bias, biasOff);
    gpu.upload(inputs, host);
    const cBuffer = gpu.createBuffer('c', t.c0.length + 2 * PAD);
    made.push(cBuffer);
    const cView = view(cBuffer, PAD, t.c0.length);
    const args = {
      ...t,
      a: view(inputs, aOff, t.a.length),
      b: view(inputs, bOff, t.b.length),
      bias: t.bias ? view(inputs, biasOff, t.bias.length) : undefined,
      c: cView,
      label: 'matmul-test',
    };
    const plan = planMatmul(args);
    const dispatches = [
      { kernel: 'auto', d: matmul(gpu, args) },
      ...kernelsFor(plan, gpu).map((k) => ({ kernel: k.name, d: matmulWithKernel(gpu, plan, k) })),
    ];
    const out: KernelRun[] = [];
    for (const { kernel, d } of dispatches) {
      const results: number[][] = [];
      for (let i = 0; i < 2; i++) {
        gpu.upload(cView, Float32Array.from(t.c0));
        gpu.run(d);
        results.push(Array.from(await gpu.read(cView)));
      }
      out.push({ kernel, first: results[0], second: results[1] });
    }
    gpu.check();
    return out;
  } finally {
    for (const b of made) gpu.destroyBuffer(b);
  }
}

// One device per subgroups setting for every case, so each pipeline compiles once per test file.
const shared = new Map<boolean, Promise<Gpu>>();
function sharedGpu(subgroups: boolean): Promise<Gpu> {
  let gpu = shared.get(subgroups);
  if (!gpu) {
    gpu = Gpu.create({ subgroups }).then(async (g) => {
      await g.pipelines.prepare(matmulPipelineSpecs(g));
      return g;
    });
    shared.set(subgroups, gpu);
  }
  return gpu;
}

/** Whether the test device runs the quad kernels. */
export async function hasSubgroups(): Promise<boolean> {
  return (await sharedGpu(true)).subgroups;
}

/** Whether the test device's limits hold the tiled kernel (the kit runs it wherever they do). */
export async function tiledKernelFits(): Promise<boolean> {
  return tiledFits(await sharedGpu(true));
}

/** The adapter's subgroups feature, and the numbering probe's answer at several workgroup sizes. */
export async function probeNumbering(sizes: number[]): Promise<{ feature: boolean; holds: boolean[] }> {
  const gpu = await sharedGpu(true);
  const feature = gpu.device.features.has('subgroups');
  const holds = feature ? await Promise.all(sizes.map((n) => subgroupNumberingHolds(gpu.device, n))) : [];
  return { feature, holds };
}

/** Calls matmul with the given view lengths and returns the error message (or null). */
export async function matmulError(args: {
  aLen: number; bLen: number; cLen: number; biasLen?: number; M: number; N: number; K: number;
  batch?: number; accumulate?: boolean; activation?: Activation; sameBuffer?: boolean;
  lda?: number; ldc?: number; strideC?: number;
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
      lda: args.lda, ldc: args.ldc, strideC: args.strideC,
    });
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    gpu.destroy();
  }
}
