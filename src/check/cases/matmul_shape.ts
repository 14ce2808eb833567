// One matmul of the family (shaders/matmul.wgsl, matmul_quad.wgsl, matmul_tiled.wgsl) as a
// check case, against src/reference/matmul.ts: the kit's matmul entries (matmul.ts) and
// `seq2seq bench`'s matmul section both build theirs here. Each kernel picked runs into its
// own C from the same start, so a failure names the kernel: matmul() picks one, but another
// device picks another, and every one of them must be right. Small-integer inputs must come
// out exact (every product and partial sum is an integer below 2^24, so any summation order
// gives the same float32); uniform floats are compared under F32_TOL.
import type { View } from '../../gpu/buffers.ts';
import type { Gpu } from '../../gpu/context.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { kernelsFor, matmulWithKernel, planMatmul, type MatmulArgs, type MatmulKernel, type MatmulPlan } from '../../ops/matmul.ts';
import { TILED_KERNEL, tiledFits } from '../../ops/matmul_tiled.ts';
import type { Activation } from '../../reference/activation.ts';
import { matmulForward } from '../../reference/matmul.ts';
import { CaseBuffers, caseOf, type Expected, type OpCase } from '../case.ts';
import { EXACT, F32_TOL, maxAbs, type Tolerance } from '../compare.ts';
import { integersF32, uniformF32 } from '../random.ts';

export type MatmulLayout = 'NN' | 'NT' | 'TN';
export type MatmulEpilogue = 'none' | 'bias' | 'bias+relu' | 'bias+tanh' | 'bias+sigmoid' | 'accumulate' | 'tanh-grad';

/** How an operand is stored when not packed: elements between batch items, and between rows. */
export interface Stored {
  stride?: number;
  ld?: number;
}

/** One matmul: C[p] (=|+=) epilogue(op(A[p])·op(B[p])), p < batch (see src/ops/matmul.ts). */
export interface MatmulShape {
  /** What it computes in a training step, e.g. 'dW_ih = dGᵀ·X'. */
  name: string;
  layout: MatmulLayout;
  M: number;
  N: number;
  K: number;
  epilogue?: MatmulEpilogue;
  /** Small integers, compared exactly; else uniform floats in [-1, 1). */
  integers?: boolean;
  batch?: number;
  a?: Stored;
  b?: Stored;
  c?: Stored;
  seed?: number;
}

/** The kernels a case runs for a plan, each under a name (a kernel's, or e.g. bench's 'auto'). */
export type KernelPick = (plan: MatmulPlan, gpu: Gpu) => { name: string; kernel: MatmulKernel }[];

/** Every kernel that can run the plan on this device, and the tiled one wherever the limits allow it, chosen by matmul() or not. */
export const everyKernel: KernelPick = (plan, gpu) => [...kernelsFor(plan, gpu), ...(tiledFits(gpu) ? [TILED_KERNEL] : [])].map((kernel) => ({ name: kernel.name, kernel }));

type Rows = [rows: number, width: number];

/** Rows and width of A, B and C as stored for the layout. */
function storedRows(s: MatmulShape): { a: Rows; b: Rows; c: Rows } {
  return { a: s.layout === 'TN' ? [s.K, s.M] : [s.M, s.K], b: s.layout === 'NT' ? [s.N, s.K] : [s.K, s.N], c: [s.M, s.N] };
}

/** The strides as MatmulArgs and the reference take them, packed where the shape leaves them unset. */
function strideArgs(s: MatmulShape) {
  const rows = storedRows(s);
  const ld = (x: Stored | undefined, [, w]: Rows) => x?.ld ?? w;
  const stride = (x: Stored | undefined, [r, w]: Rows) => x?.stride ?? r * w;
  return {
    batch: s.batch ?? 1,
    lda: ld(s.a, rows.a), ldb: ld(s.b, rows.b), ldc: ld(s.c, rows.c),
    strideA: stride(s.a, rows.a), strideB: stride(s.b, rows.b), strideC: stride(s.c, rows.c),
  };
}
type Strides = ReturnType<typeof strideArgs>;

/** Elements an operand spans: where the last item's last row ends. */
const extent = (batch: number, [rows, width]: Rows, ld: number, stride: number) => (rows * width === 0 ? 0 : (batch - 1) * stride + (rows - 1) * ld + width);

/** The epilogue as MatmulArgs' flags (views aside). */
function epilogueArgs(e: MatmulEpilogue) {
  const activation: Activation = e.startsWith('bias+') ? (e.slice('bias+'.length) as Activation) : 'none';
  return { activation, accumulate: e === 'accumulate', bias: e.startsWith('bias'), tanhGrad: e === 'tanh-grad' };
}

interface Host {
  a: Float32Array;
  b: Float32Array;
  bias?: Float32Array;
  /** The tanh output whose gradient the tanh-grad epilogue applies, laid out as C. */
  y?: Float32Array;
  /** C's start: with accumulate the values added to; else values no result has, so an element left unwritten shows. */
  c0: Float32Array;
  /** C after the matmul; elements between batch items or rows keep their start. */
  ref: Float64Array;
}

function hostData(s: MatmulShape, x: Strides): Host {
  const seed = 10 * (s.seed ?? 1);
  const draw = (n: number, k: number) => (s.integers ? integersF32(n, seed + k, -4, 5) : uniformF32(n, seed + k));
  const rows = storedRows(s);
  const e = epilogueArgs(s.epilogue ?? 'none');
  const a = draw(extent(x.batch, rows.a, x.lda, x.strideA), 1);
  const b = draw(extent(x.batch, rows.b, x.ldb, x.strideB), 2);
  const cLength = extent(x.batch, rows.c, x.ldc, x.strideC);
  const c0 = e.accumulate ? draw(cLength, 3) : uniformF32(cLength, seed + 3, 100, 200);
  const bias = e.bias ? draw(s.N, 4) : undefined;
  const y = e.tanhGrad ? uniformF32(cLength, seed + 5) : undefined;
  const ref = matmulForward(a, b, Float64Array.from(c0), { ...s, ...x, transA: s.layout === 'TN', transB: s.layout === 'NT', bias, tanhGradOf: y, activation: e.activation, accumulate: e.accumulate }) as Float64Array;
  return { a, b, bias, y, c0, ref };
}

/**
 * Floats: F32_TOL with its absolute part scaled by the largest |C| (at least 1): random sums
 * cancel, so an element's rounding error follows the size of its terms, not its value.
 */
function toleranceOf(s: MatmulShape, ref: Float64Array): Tolerance {
  return s.integers ? EXACT : { atol: F32_TOL.atol * Math.max(1, maxAbs(ref)), rtol: F32_TOL.rtol };
}

/** A case's dispatches and outputs so far, and the bytes and flops of its dispatches. */
export interface MatmulWork {
  dispatches: Dispatch[];
  expected: Expected[];
  bytes: number;
  flops: number;
}

export const emptyWork = (): MatmulWork => ({ dispatches: [], expected: [], bytes: 0, flops: 0 });

/** What an output of the shape is called: '<name> NT 63x268x33 batch 9 [nt16x8-wg16]'. */
export const matmulOutputName = (s: MatmulShape, kernel: string) => `${s.name} ${s.layout} ${s.M}x${s.N}x${s.K}${(s.batch ?? 1) > 1 ? ` batch ${s.batch}` : ''} [${kernel}]`;

/** Adds the shape to `work`: its inputs, then one C and one dispatch per kernel picked. */
export function addMatmulShape(gpu: Gpu, bufs: CaseBuffers, s: MatmulShape, pick: KernelPick, work: MatmulWork): void {
  const x = strideArgs(s);
  const h = hostData(s, x);
  const e = epilogueArgs(s.epilogue ?? 'none');
  const input = (what: string, data: Float32Array | undefined) => data && bufs.input(`${s.name}.${what}`, data);
  const [a, b, bias, tanhGradOf] = [input('a', h.a)!, input('b', h.b)!, input('bias', h.bias), input('y', h.y)];
  const argsFor = (c: View): MatmulArgs => ({
    a, b, c, bias, tanhGradOf, M: s.M, N: s.N, K: s.K, ...x, transA: s.layout === 'TN', transB: s.layout === 'NT',
    activation: e.activation, accumulate: e.accumulate, label: `check.matmul ${s.name}`,
  });
  // Every C view sits alike between its sentinels, so the kernels that fit the first fit all.
  const cs = [bufs.input(`${s.name}.c`, h.c0)];
  const picks = pick(planMatmul(argsFor(cs[0])), gpu);
  const tol = toleranceOf(s, h.ref);
  for (const [i, p] of picks.entries()) {
    const c = cs[i] ?? bufs.input(`${s.name}.c[${p.name}]`, h.c0);
    work.dispatches.push(matmulWithKernel(gpu, planMatmul(argsFor(c)), p.kernel));
    work.expected.push({ name: matmulOutputName(s, p.name), view: c, ref: h.ref, ...tol });
  }
  const moved = h.a.length + h.b.length + (h.bias?.length ?? 0) + (h.y?.length ?? 0) + (e.accumulate ? 2 : 1) * x.batch * s.M * s.N;
  work.bytes += picks.length * 4 * moved;
  work.flops += picks.length * 2 * x.batch * s.M * s.N * s.K;
}

/** One shape as a case of its own, run by the kernels picked (default: every one that fits). */
export function matmulShapeCase(gpu: Gpu, s: MatmulShape, pick: KernelPick = everyKernel): OpCase {
  const bufs = new CaseBuffers(gpu);
  const work = emptyWork();
  addMatmulShape(gpu, bufs, s, pick, work);
  return caseOf(bufs, { op: 'matmul', shape: `${s.layout} M=${s.M} N=${s.N} K=${s.K}`, ...work });
}
