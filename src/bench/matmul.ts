// Page-side matmul benchmark: each shape is a case of the check kit (src/check/cases/
// matmul_shape.ts) with one C per kernel variant, checked as the kit checks every op (against
// the float64 reference, twice bitwise equal, nothing written outside its views); then each
// variant's checked dispatch is timed (timestamp queries when the device has them, else submit →
// onSubmittedWorkDone over many back-to-back dispatches in one submit); median of `runs`
// after warm-up, the variants taking turns run by run so background load hits all alike.
// Returns plain JSON for the Node side to print.
import { Gpu } from '../gpu/context.ts';
import type { DeviceOptions } from '../gpu/device.ts';
import { chooseKernel, type MatmulKernel, type MatmulPlan } from '../ops/matmul.ts';
import { median } from './median.ts';
import { timeDispatches } from './timing.ts';
import { runCase, type OpCase } from '../check/case.ts';
import { everyKernel, matmulShapeCase, type MatmulShape } from '../check/cases/matmul_shape.ts';
import { failure, maxAbs } from '../check/compare.ts';

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

function variantsFor(gpu: Gpu, plan: MatmulPlan, opts: BenchOptions): { name: string; kernel: MatmulKernel }[] {
  const all = [
    { name: 'auto', kernel: chooseKernel(plan, gpu) },
    // Every kernel that fits, the workgroup-memory one wherever the limits allow it, chosen or not.
    ...everyKernel(plan, gpu),
  ];
  const want = opts.variants;
  return want ? all.filter((v) => want.includes(v.name)) : all;
}

/** The kit's case of the shape (uniform floats, bias), one C per variant; and the variants. */
function shapeCase(gpu: Gpu, shape: BenchShape, opts: BenchOptions) {
  const layout = shape.transA ? 'TN' : shape.transB ? 'NT' : 'NN';
  const s: MatmulShape = { name: shape.name, layout, M: shape.M, N: shape.N, K: shape.K, epilogue: 'bias' };
  let variants: { name: string; kernel: MatmulKernel }[] = [];
  const c = matmulShapeCase(gpu, s, (plan) => (variants = variantsFor(gpu, plan, opts)));
  return { c, variants: variants.map((v, i) => ({ ...v, d: c.dispatches[i], out: c.expected[i], maxErr: 0, compileMs: 0, times: [] as number[], method: 'submit' as 'timestamp' | 'submit' })) };
}

/** Runs the case as the check kit does (twice, sentinels too), throwing on the first failure; each variant's worst error relative to the largest |C|. */
async function checkVariants(gpu: Gpu, c: OpCase, variants: ReturnType<typeof shapeCase>['variants']): Promise<void> {
  const results = await runCase(gpu, c);
  const bad = results.find((r) => !r.ok);
  if (bad) throw new Error(`benchMatmul: ${failure(bad)}`);
  for (const v of variants) {
    const r = results.find((x) => x.name.endsWith(` ${v.out.name}`));
    v.maxErr = (r?.max_abs_err ?? 0) / (maxAbs(v.out.ref) || 1);
  }
}

async function benchShape(gpu: Gpu, shape: BenchShape, opts: BenchOptions, size?: number): Promise<BenchResult[]> {
  const { M, N, K } = shape;
  const { c, variants } = shapeCase(gpu, shape, opts);
  try {
    // The first run of each variant alone: its pipeline's compilation and a readback.
    c.reset();
    for (const v of variants) {
      const t0 = performance.now();
      gpu.run(v.d);
      await gpu.read(v.out.view);
      v.compileMs = performance.now() - t0;
    }
    await checkVariants(gpu, c, variants);
    // Time them round-robin so background load hits all alike.
    const runs = opts.runs ?? 5;
    for (let r = 0; r < runs; r++) {
      for (const v of variants) {
        const t = await timeDispatches(gpu, [v.d], opts.targetMs ?? 100);
        v.times.push(t.ms);
        v.method = t.method;
      }
    }
    return variants.map((v) => {
      const ms = median(v.times);
      const best = Math.min(...v.times);
      const flop = 2 * M * N * K;
      return {
        shape: shape.name, M, N, K, size, variant: v.name, kernel: v.kernel.name,
        gflops: +(flop / (ms * 1e6)).toFixed(3), bestGflops: +(flop / (best * 1e6)).toFixed(3),
        ms: +ms.toFixed(4), method: v.method, maxRelErr: v.maxErr, firstRunMs: +v.compileMs.toFixed(1),
      };
    });
  } finally {
    c.destroy();
  }
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
