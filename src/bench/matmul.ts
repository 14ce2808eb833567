// Page-side matmul benchmark: each kernel variant is checked once against the float64 CPU
// reference, then timed (timestamp queries when the device has them, else submit →
// onSubmittedWorkDone over many back-to-back dispatches in one submit); median of `runs`
// after warm-up, the variants taking turns run by run so background load hits all alike.
// Returns plain JSON for the Node side to print.
import { Gpu } from '../gpu/context.ts';
import type { DeviceOptions } from '../gpu/device.ts';
import { view, type View } from '../gpu/buffers.ts';
import { chooseKernel, kernelsFor, matmulWithKernel, planMatmul, type MatmulArgs, type MatmulKernel, type MatmulPlan } from '../ops/matmul.ts';
import { matmul as matmulRef } from '../reference/matmul.ts';
import { TILED_KERNEL, tiledFits } from '../ops/matmul_tiled.ts';
import { median } from './median.ts';
import { timeDispatches } from './timing.ts';
import { uniformF32 } from '../check/random.ts';
import { compare, failure, maxAbs } from '../check/compare.ts';

export interface BenchShape {
  name: string;
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
}

export interface BenchResult {
  shape: string;
  M: number;
  N: number;
  K: number;
  /** Square size, for square shapes. */
  size?: number;
  variant: string;
  kernel: string;
  /** From the median time of `runs` runs; bestGflops from the fastest run. */
  gflops: number;
  bestGflops: number;
  /** Median milliseconds per dispatch. */
  ms: number;
  /** First dispatch including pipeline compilation and readback. */
  firstRunMs: number;
  method: 'timestamp' | 'submit';
  maxRelErr: number;
}

export interface BenchOptions {
  sizes?: number[];
  runs?: number;
  /** 'auto' (the kernel matmul() picks) and/or kernel names (e.g. 'generic4x4', 'nt16x8-wg16'); default all. */
  variants?: string[];
  /** Include the model's skinny shapes (default true). */
  skinny?: boolean;
  /** Minimum milliseconds of work per timed run. */
  targetMs?: number;
  /** How to acquire the device (the adapter asked for). */
  device?: DeviceOptions;
}

/** The shapes of the real model: LSTM gates (B=64, 4H=256, H=64), output projection over
 *  B·T = 1344 rows, and its weight gradient with K = 1344. */
export const SKINNY_SHAPES: BenchShape[] = [
  { name: 'gates NT 64x256x64', M: 64, N: 256, K: 64, transB: true },
  { name: 'proj NT 1344x100x64', M: 1344, N: 100, K: 64, transB: true },
  { name: 'dX NN 1344x64x100', M: 1344, N: 64, K: 100 },
  { name: 'dW TN 100x64x1344', M: 100, N: 64, K: 1344, transA: true },
  { name: 'dWgates TN 256x64x64', M: 256, N: 64, K: 64, transA: true },
  { name: 'dWhh TN 256x64x1280', M: 256, N: 64, K: 1280, transA: true },
  { name: 'dh NN 64x64x256', M: 64, N: 64, K: 256 },
];

function variantsFor(gpu: Gpu, plan: MatmulPlan, opts: BenchOptions): { variant: string; kernel: MatmulKernel }[] {
  const all = [
    { variant: 'auto', kernel: chooseKernel(plan, gpu) },
    ...kernelsFor(plan, gpu).map((k) => ({ variant: k.name, kernel: k })),
    // The workgroup-memory kernel, timed wherever the limits allow it, chosen or not.
    ...(tiledFits(gpu) ? [{ variant: TILED_KERNEL.name, kernel: TILED_KERNEL }] : []),
  ];
  const want = opts.variants;
  return want ? all.filter((v) => want.includes(v.variant)) : all;
}

async function benchShape(gpu: Gpu, shape: BenchShape, opts: BenchOptions, size?: number): Promise<BenchResult[]> {
  const { M, N, K } = shape;
  const aHost = uniformF32(M * K, 1 + M);
  const bHost = uniformF32(K * N, 2 + N);
  const biasHost = uniformF32(N, 3);
  const buf = (label: string, data: Float32Array | null, n: number): View => {
    const b = gpu.createBuffer(label, n);
    if (data) gpu.upload(b, data);
    return view(b);
  };
  const a = buf('bench-a', aHost, M * K);
  const b = buf('bench-b', bHost, K * N);
  const bias = buf('bench-bias', biasHost, N);
  const c = buf('bench-c', null, M * N);
  const args: MatmulArgs = { a, b, c, M, N, K, transA: shape.transA, transB: shape.transB, bias, label: shape.name };
  const plan = planMatmul(args);
  const ref = matmulRef(aHost, bHost, { ...args, bias: biasHost, tanhGradOf: undefined });
  const refScale = maxAbs(ref) || 1;
  // Check every variant once, then time them round-robin so background load hits all alike.
  const variants = variantsFor(gpu, plan, opts).map(({ variant, kernel }) => ({ variant, kernel, d: matmulWithKernel(gpu, plan, kernel), maxErr: 0, compileMs: 0, times: [] as number[], method: 'submit' as 'timestamp' | 'submit' }));
  for (const v of variants) {
    const t0 = performance.now();
    gpu.run(v.d);
    const got = await gpu.read(c);
    v.compileMs = performance.now() - t0;
    // Errors relative to the largest |ref|: the bench's random sums cancel, so |ref| per element says little.
    const r = compare(`benchMatmul: kernel ${v.kernel.name} on ${shape.name}: C`, got, ref, { atol: 1e-5 * refScale, rtol: 0 });
    v.maxErr = r.max_abs_err / refScale;
    if (!r.ok) throw new Error(failure(r) ?? '');
  }
  const runs = opts.runs ?? 5;
  for (let r = 0; r < runs; r++) {
    for (const v of variants) {
      const t = await timeDispatches(gpu, [v.d], opts.targetMs ?? 100);
      v.times.push(t.ms);
      v.method = t.method;
    }
  }
  const out: BenchResult[] = variants.map((v) => {
    const ms = median(v.times);
    const best = Math.min(...v.times);
    const flop = 2 * M * N * K;
    return {
      shape: shape.name, M, N, K, size, variant: v.variant, kernel: v.kernel.name,
      gflops: +(flop / (ms * 1e6)).toFixed(3), bestGflops: +(flop / (best * 1e6)).toFixed(3),
      ms: +ms.toFixed(4), method: v.method, maxRelErr: v.maxErr, firstRunMs: +v.compileMs.toFixed(1),
    };
  });
  for (const v of [a, b, bias, c]) gpu.destroyBuffer(v.buffer);
  return out;
}

/** Benchmarks the matmul variants on square sizes (and the model's skinny shapes). */
export async function benchMatmul(opts: BenchOptions = {}): Promise<BenchResult[]> {
  const gpu = await Gpu.create(opts.device);
  try {
    const results: BenchResult[] = [];
    for (const size of opts.sizes ?? [128, 256, 512]) {
      const shape = { name: `square NN ${size}`, M: size, N: size, K: size };
      results.push(...(await benchShape(gpu, shape, opts, size)));
    }
    if (opts.skinny ?? true) for (const shape of SKINNY_SHAPES) results.push(...(await benchShape(gpu, shape, opts)));
    return results;
  } finally {
    gpu.destroy();
  }
}
