// Batched matmul with optional transposes, bias, activation epilogue and accumulation:
//   C[p] (=|+=) act(op(A[p]) · op(B[p]) + bias)      p < batch
// Letters: M rows of C, N columns of C, K the contracted dimension.
//   NN  C = A·B        A (M, K), B (K, N)    e.g. dX = dY·W
//   NT  C = A·Bᵀ       A (M, K), B (N, K)    e.g. Y = X·Wᵀ (PyTorch W[out, in])
//   TN  C (+)= Aᵀ·B    A (K, M), B (K, N)    e.g. dW += dYᵀ·X
import matmulSource from '../../shaders/matmul.wgsl?raw';
import quadSource from '../../shaders/matmul_quad.wgsl?raw';
import { QUAD_WORKGROUP_INVOCATIONS, type Gpu } from '../gpu/context.ts';
import type { View } from '../gpu/buffers.ts';
import type { Dispatch } from '../gpu/program.ts';
import { u32 } from '../gpu/uniforms.ts';
import type { BindingKind, PipelineSpec } from '../gpu/pipelines.ts';
import { tiledKernelFor, type TiledDevice } from './matmul_tiled.ts';
import { shaderVariant, type ShaderVariant } from '../gpu/shader.ts';
import type { Activation } from '../reference/activation.ts';

export interface MatmulArgs {
  a: View; // (M, K), or (K, M) with transA
  b: View; // (K, N), or (N, K) with transB
  c: View; // (M, N)
  M: number;
  N: number;
  K: number;
  /** A stored (K, M) instead of (M, K). */
  transA?: boolean;
  /** B stored (N, K) instead of (K, N). */
  transB?: boolean;
  /** (N) added to every row. */
  bias?: View;
  /** C += result (gradient accumulation); else C = result. */
  accumulate?: boolean;
  /** Epilogue applied after the bias; not allowed with accumulate. */
  activation?: Activation;
  /**
   * (M, N) laid out as C (ldc, strideC): the output y of a tanh. C = result ⊙ (1 − y²), the
   * result taken back through that tanh (a backward matmul with the tanh's backward fused in).
   * Not with bias, accumulate or an activation.
   */
  tanhGradOf?: View;
  /** Batched: item p uses a[p·strideA..], b[p·strideB..], c[p·strideC..]; strides in elements. */
  batch?: number;
  strideA?: number;
  strideB?: number;
  strideC?: number;
  /**
   * Row strides in elements (leading dimensions) of A's and B's stored rows and of C's rows:
   * default the packed widths (A: K, or M with transA; B: N, or K with transB; C: N). With
   * strideX they read or write matrices interleaved in a larger one, e.g. sample b's rows of a
   * time-major (T, B, H) tensor: offset b·H, lda = B·H, strideA = H.
   */
  lda?: number;
  ldb?: number;
  ldc?: number;
  label?: string;
}

const ACTIVATIONS: Record<Activation, number> = { none: 0, relu: 1, tanh: 2, sigmoid: 3 };
const FLAG_BIAS = 1;
const FLAG_ACCUMULATE = 2;
const ACT_SHIFT = 2;
const FLAG_TANH_GRAD = 16;

const BINDINGS: readonly BindingKind[] = ['uniform', 'read', 'read', 'read', 'storage'];
const WGX = 8;
const WGY = 8;
const BLOCK_M = 4;
const BLOCK_N = 4;
const MAX_WORKGROUPS = 65535;

function checkCount(label: string, name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${label}: ${name} must be an integer >= ${min}, got ${v}.`);
}

/** A stored operand: `rows` rows of `width` elements, `ld` apart, `batch` items `stride` apart. */
interface Stored {
  rows: number;
  width: number;
  ld: number;
  stride: number;
}

function checkView(label: string, name: string, v: View, shape: string, batch: number, x: Stored): void {
  if (x.rows > 1 && x.ld < x.width) throw new RangeError(`${label}: ${name}'s row stride ${x.ld} is less than its row width ${x.width}.`);
  const need = x.rows * x.width === 0 ? 0 : (batch - 1) * x.stride + (x.rows - 1) * x.ld + x.width;
  if (v.length < need) {
    const strides = `${batch > 1 ? ` x batch ${batch} (stride ${x.stride})` : ''}${x.rows > 1 && x.ld !== x.width ? ` with rows ${x.ld} apart` : ''}`;
    throw new RangeError(`${label}: ${name} is ${shape}${strides} and needs ${need} elements, but its view has ${v.length}.`);
  }
}

/** Batch items of C never share an element: whole blocks apart, or rows interleaved. */
function itemsApart(batch: number, M: number, N: number, ldc: number, strideC: number): boolean {
  if (batch <= 1 || M * N === 0) return true;
  const blocks = strideC >= (M - 1) * ldc + N;
  const interleaved = strideC >= N && (batch - 1) * strideC + N <= ldc;
  return blocks || interleaved;
}

/** A validated matmul: the uniform fields and the facts kernel selection depends on. */
export interface MatmulPlan {
  label: string;
  args: MatmulArgs;
  batch: number;
  transA: boolean;
  transB: boolean;
  fields: number[];
}

export function planMatmul(args: MatmulArgs): MatmulPlan {
  const label = args.label ?? 'matmul';
  const { a, b, c, M, N, K } = args;
  const transA = args.transA ?? false;
  const transB = args.transB ?? false;
  const activation = args.activation ?? 'none';
  const batch = args.batch ?? 1;
  checkCount(label, 'M', M, 0);
  checkCount(label, 'N', N, 0);
  checkCount(label, 'K', K, 0);
  checkCount(label, 'batch', batch, 1);
  const strideA = args.strideA ?? M * K;
  const strideB = args.strideB ?? K * N;
  const strideC = args.strideC ?? M * N;
  checkCount(label, 'strideA', strideA, 0);
  checkCount(label, 'strideB', strideB, 0);
  checkCount(label, 'strideC', strideC, 0);
  const lda = args.lda ?? (transA ? M : K);
  const ldb = args.ldb ?? (transB ? K : N);
  const ldc = args.ldc ?? N;
  checkCount(label, 'lda', lda, 0);
  checkCount(label, 'ldb', ldb, 0);
  checkCount(label, 'ldc', ldc, 0);
  if (!(activation in ACTIVATIONS)) throw new Error(`${label}: unknown activation '${activation}'.`);
  if (args.accumulate && activation !== 'none') throw new Error(`${label}: activation '${activation}' cannot be combined with accumulate.`);
  const rowsOf = (trans: boolean, r: number, w: number, ld: number, stride: number) => (trans ? { rows: w, width: r, ld, stride } : { rows: r, width: w, ld, stride });
  checkView(label, 'A', a, transA ? `(K=${K}, M=${M})` : `(M=${M}, K=${K})`, batch, rowsOf(transA, M, K, lda, strideA));
  checkView(label, 'B', b, transB ? `(N=${N}, K=${K})` : `(K=${K}, N=${N})`, batch, rowsOf(transB, K, N, ldb, strideB));
  checkView(label, 'C', c, `(M=${M}, N=${N})`, batch, { rows: M, width: N, ld: ldc, stride: strideC });
  if (!itemsApart(batch, M, N, ldc, strideC)) throw new RangeError(`${label}: strideC ${strideC} and ldc ${ldc} make batch items overlap in C (M=${M}, N=${N}).`);
  if (args.bias && args.bias.length < N) throw new RangeError(`${label}: bias needs N = ${N} elements, but its view has ${args.bias.length}.`);
  if (args.tanhGradOf) {
    if (args.bias || args.accumulate || activation !== 'none') throw new Error(`${label}: tanhGradOf cannot be combined with bias, accumulate or an activation.`);
    checkView(label, 'tanhGradOf', args.tanhGradOf, `(M=${M}, N=${N})`, batch, { rows: M, width: N, ld: ldc, stride: strideC });
  }
  for (const [name, v] of [['A', a], ['B', b], ['bias', args.bias], ['tanhGradOf', args.tanhGradOf]] as const) {
    if (v && v.buffer === c.buffer) throw new Error(`${label}: C must be in a different buffer from ${name} (${c.buffer.label}); WebGPU forbids writing a buffer bound twice.`);
  }
  const flags = epilogueFlags({ bias: Boolean(args.bias), accumulate: args.accumulate, activation }) | (args.tanhGradOf ? FLAG_TANH_GRAD : 0);
  const fields = [
    M, N, K, flags,
    a.offset, b.offset, c.offset, (args.bias ?? args.tanhGradOf)?.offset ?? 0,
    strideA, strideB, strideC, ldc,
    transA ? 1 : lda, transA ? lda : 1, // A(m, k) steps
    transB ? 1 : ldb, transB ? ldb : 1, // B(k, n) steps
    batch,
  ];
  return { label, args, batch, transA, transB, fields };
}

/** One kernel of the family: an entry point of a shader and the C block its workgroup covers. */
export interface MatmulKernel {
  name: string;
  code: string;
  /** The shader's name in the pipeline cache, exactly what its code depends on (default `matmul-<name>`). */
  module?: string;
  entryPoint: string;
  /** The epilogue (bias, accumulate, activation) is the pipeline constant EPILOGUE, not read from the uniform. */
  constantEpilogue?: boolean;
  /** C rows and columns per invocation (per quad of four for the quad kernels). */
  blockM: number;
  blockN: number;
  /** A wgx x wgy grid of blocks per workgroup, or with `flat` wgx blocks numbered row by row. */
  wgx: number;
  wgy: number;
  flat?: boolean;
  /** Flat blocks numbered over all batch items (one x range) instead of one z slice per item. */
  packsBatch?: boolean;
}

/** What kernel choice depends on besides the plan: the Gpu satisfies it. */
export interface MatmulDevice extends TiledDevice {
  /** Subgroups (with WGSL's subgroup_id) and the numbering they assume hold: the quad kernels can run. */
  readonly subgroups: boolean;
}

type Layout = 'NN' | 'NT' | 'TN';

/** matmul.wgsl for a layout: its structural switches TRANS_A (TN) and TRANS_B (NT). */
function matmulShader(layout: Layout): { module: string; code: string } {
  return moduleOf(shaderVariant('matmul', matmulSource, { TRANS_A: layout === 'TN', TRANS_B: layout === 'NT' }));
}

/** matmul.wgsl with matmul_quad.wgsl appended (`enable` must come first); WIDE: 16-column lane blocks. */
function quadShader(layout: Layout, wide: boolean): { module: string; code: string } {
  const source = `enable subgroups;\n${matmulSource}\n${quadSource}`;
  return moduleOf(shaderVariant('matmul-quad', source, { TRANS_A: layout === 'TN', TRANS_B: layout === 'NT', WIDE: wide }));
}

const moduleOf = (v: ShaderVariant) => ({ module: v.name, code: v.code });

/** Any layout and alignment (element steps in the uniform): the NN text serves every layout. */
export const GENERIC_KERNEL: MatmulKernel = { name: 'generic4x4', ...matmulShader('NN'), entryPoint: 'mm_generic', blockM: BLOCK_M, blockN: BLOCK_N, wgx: WGX, wgy: WGY };

/** The vec4 16x8-block kernel of each layout (workgroup shape chosen per dispatch). */
const FAST: Record<Layout, Omit<MatmulKernel, 'wgx' | 'wgy'>> = {
  NN: { name: 'nn16x8', ...matmulShader('NN'), entryPoint: 'mm_16x8', blockM: 16, blockN: 8 },
  NT: { name: 'nt16x8', ...matmulShader('NT'), entryPoint: 'mm_16x8', blockM: 16, blockN: 8 },
  TN: { name: 'tn16x8', ...matmulShader('TN'), entryPoint: 'mm_16x8', blockM: 16, blockN: 8 },
};

/**
 * The quad-shared kernels (matmul_quad.wgsl): a quad of four invocations covers 32 rows x 2W
 * columns, so blockM/blockN here are a quad's and `wgx` counts quads per workgroup (WG).
 * W = 8 keeps more workgroups for the model's skinny shapes; W = 16 loads less per output.
 */
const QUAD: Record<Layout, Omit<MatmulKernel, 'wgx' | 'wgy'>[]> = {
  NN: quadPair('NN', 'nn'),
  NT: quadPair('NT', 'nt'),
  TN: quadPair('TN', 'tn'),
};
function quadPair(layout: Layout, prefix: string): Omit<MatmulKernel, 'wgx' | 'wgy'>[] {
  const quad = { entryPoint: 'mm_quad', constantEpilogue: true, packsBatch: true, blockM: 32 };
  return [
    { name: `${prefix}-quad16`, ...quadShader(layout, true), ...quad, blockN: 32 },
    { name: `${prefix}-quad8`, ...quadShader(layout, false), ...quad, blockN: 16 },
  ];
}
/** Quads per workgroup: the invocations the Gpu checked its subgroup numbering for. */
const QUAD_WORKGROUP = QUAD_WORKGROUP_INVOCATIONS / 4;

const aligned = (...xs: number[]) => xs.every((x) => x % 4 === 0);

/** The layout of a plan's vec4 kernels when every vectorised dimension, offset and stride is a multiple of 4. */
function vec4Layout(plan: MatmulPlan): Layout | null {
  const { M, N, K, a, b } = plan.args;
  const strides = plan.batch > 1 ? plan.fields.slice(8, 10) : [];
  // Row strides (A's and B's element steps; 1 for the contiguous direction).
  if (!aligned(a.offset, b.offset, ...strides, plan.fields[12] * plan.fields[13], plan.fields[14] * plan.fields[15])) return null;
  if (!plan.transA && !plan.transB && aligned(K, N)) return 'NN';
  if (!plan.transA && plan.transB && aligned(K)) return 'NT';
  if (plan.transA && !plan.transB && aligned(M, N)) return 'TN';
  return null;
}

function fastKernel(plan: MatmulPlan): Omit<MatmulKernel, 'wgx' | 'wgy'> | null {
  const layout = vec4Layout(plan);
  return layout ? FAST[layout] : null;
}

function quadKernelsFor(plan: MatmulPlan, dev: MatmulDevice): MatmulKernel[] {
  const layout = vec4Layout(plan);
  // The quad kernels also write C as vec4.
  const { N, c } = plan.args;
  const strideC = plan.batch > 1 ? [plan.fields[10]] : [];
  if (!layout || !dev.subgroups || !aligned(N, c.offset, plan.fields[11], ...strideC)) return [];
  return QUAD[layout].map(withQuadWorkgroup);
}

function withQuadWorkgroup(k: Omit<MatmulKernel, 'wgx' | 'wgy'>): MatmulKernel {
  return { ...k, wgx: QUAD_WORKGROUP, wgy: 1, flat: true };
}

/** Every kernel that can run a plan on a device (the benchmark and tests compare them). */
export function kernelsFor(plan: MatmulPlan, dev: MatmulDevice): MatmulKernel[] {
  const fast = fastKernel(plan);
  const out: MatmulKernel[] = quadKernelsFor(plan, dev);
  if (fast) {
    for (const wg of WORKGROUP_SIZES) out.push(withWorkgroup(fast, wg));
  }
  out.push(GENERIC_KERNEL);
  return out;
}

/**
 * Workgroup sizes of the fast kernels, largest first. One size: each is a separate pipeline,
 * and the 16x8 kernels take seconds to compile on SwiftShader. On the benchmark 64, 16 and 4
 * ran within noise of each other; 16 keeps >= 4 workgroups down to 64 blocks (the 100x64 dW).
 */
const WORKGROUP_SIZES = [16];

function withWorkgroup(fast: Omit<MatmulKernel, 'wgx' | 'wgy'>, wg: number): MatmulKernel {
  return { ...fast, name: `${fast.name}-wg${wg}`, wgx: wg, wgy: 1, flat: true };
}

/** The fraction of a kernel's computed outputs (blocks x block size) that are real. */
function blockUse(plan: MatmulPlan, k: { blockM: number; blockN: number }): number {
  const { M, N } = plan.args;
  return (M * N) / (Math.ceil(M / k.blockM) * k.blockM * Math.ceil(N / k.blockN) * k.blockN);
}

function workgroups(plan: MatmulPlan, k: MatmulKernel): number {
  const { M, N } = plan.args;
  const blocks = Math.ceil(M / k.blockM) * Math.ceil(N / k.blockN);
  return k.packsBatch ? Math.ceil((blocks * plan.batch) / k.wgx) : Math.ceil(blocks / k.wgx) * plan.batch;
}

/**
 * The kernel the family uses for a plan on a device: a quad kernel when the device has
 * subgroups, else the 16x8 vec4 kernel when aligned; the 4x4 kernel when the blocks would be
 * mostly padding. The wide quad kernel only for large outputs: on the model's skinny shapes
 * (64 to 256 wide) the narrow one was as fast or faster, and the wide one takes 3x longer
 * to compile (6-8 s on SwiftShader).
 */
export function chooseKernel(plan: MatmulPlan, dev: MatmulDevice): MatmulKernel {
  // Hardware adapters: workgroup-memory tiles (src/ops/matmul_tiled.ts decides).
  const tiled = tiledKernelFor(plan, dev);
  if (tiled) return tiled;
  const [wide, narrow] = quadKernelsFor(plan, dev);
  if (wide && narrow && blockUse(plan, narrow) >= MIN_BLOCK_USE) {
    const large = Math.min(plan.args.M, plan.args.N) >= WIDE_QUAD_MIN_SIDE && workgroups(plan, wide) >= MIN_WORKGROUPS;
    return large && blockUse(plan, wide) >= blockUse(plan, narrow) ? wide : narrow;
  }
  const fast = fastKernel(plan);
  if (!fast) return GENERIC_KERNEL;
  const { M, N } = plan.args;
  const blocks = Math.ceil(M / fast.blockM) * Math.ceil(N / fast.blockN);
  // A 16x8 block computes (and loads for) every row and column it covers, clamped or not;
  // when most of it would be padding, the 4x4 kernel does less work.
  if (blockUse(plan, fast) < MIN_BLOCK_USE) return GENERIC_KERNEL;
  const invocations = blocks * plan.batch;
  for (const wg of WORKGROUP_SIZES) {
    if (invocations >= MIN_WORKGROUPS * wg) return withWorkgroup(fast, wg);
  }
  return withWorkgroup(fast, WORKGROUP_SIZES[WORKGROUP_SIZES.length - 1]);
}

/** Rows and columns of C from which the wide quad kernel is used. */
const WIDE_QUAD_MIN_SIDE = 128;
/** Workgroups wanted per dispatch so the adapter can spread work over its threads. */
const MIN_WORKGROUPS = 8;
/** The fraction of the 16x8 blocks' outputs that must be real for them to beat the 4x4 kernel (about 2.5x slower per output). */
const MIN_BLOCK_USE = 0.4;

/** A kernel's pipeline; the quad kernels' epilogue (the plan's flags) is a pipeline constant. */
function pipelineSpec(kernel: MatmulKernel, flags: number): PipelineSpec {
  return {
    name: kernel.module ?? `matmul-${kernel.name}`,
    code: kernel.code,
    entryPoint: kernel.entryPoint,
    bindings: BINDINGS,
    constants: kernel.constantEpilogue ? { WG: kernel.wgx, EPILOGUE: flags } : kernel.flat ? { WG: kernel.wgx } : { WGX: kernel.wgx, WGY: kernel.wgy },
  };
}

/**
 * The pipelines matmul() may use (the quad kernels with the plain epilogue). The 16x8 kernels
 * take seconds each to compile on SwiftShader: `await gpu.pipelines.prepare(matmulPipelineSpecs(gpu))`
 * at start-up compiles them in the background instead of stalling the first submit.
 */
export function matmulPipelineSpecs(dev: MatmulDevice): PipelineSpec[] {
  const fast = Object.values(FAST).flatMap((f) => WORKGROUP_SIZES.map((wg) => withWorkgroup(f, wg)));
  const quad = dev.subgroups ? Object.values(QUAD).flat().map(withQuadWorkgroup) : [];
  return [GENERIC_KERNEL, ...fast, ...quad].map((k) => pipelineSpec(k, 0));
}

function epilogueFlags(e: { bias: boolean; accumulate?: boolean; activation: Activation }): number {
  return (e.bias ? FLAG_BIAS : 0) | (e.accumulate ? FLAG_ACCUMULATE : 0) | (ACTIVATIONS[e.activation] << ACT_SHIFT);
}

/** Records the dispatch of a planned matmul with a given kernel (the benchmark compares kernels). */
export function matmulWithKernel(gpu: Gpu, plan: MatmulPlan, kernel: MatmulKernel): Dispatch {
  const { args, label, batch } = plan;
  const params = gpu.uniform(plan.fields.map(u32));
  const pipeline = gpu.pipelines.get(pipelineSpec(kernel, plan.fields[3]));
  const blocks = Math.ceil(args.M / kernel.blockM) * Math.ceil(args.N / kernel.blockN);
  const workgroups: [number, number, number] = kernel.packsBatch
    ? [Math.max(1, Math.ceil((blocks * batch) / kernel.wgx)), 1, 1]
    : kernel.flat
    ? [Math.max(1, Math.ceil(blocks / kernel.wgx)), 1, batch]
    : [Math.max(1, Math.ceil(args.N / (kernel.blockN * kernel.wgx))), Math.max(1, Math.ceil(args.M / (kernel.blockM * kernel.wgy))), batch];
  if (workgroups.some((w) => w > MAX_WORKGROUPS)) throw new RangeError(`${label}: ${workgroups.join('x')} workgroups exceed the ${MAX_WORKGROUPS} limit per dimension.`);
  return gpu.dispatch(label, pipeline, [params, args.a, args.b, args.bias ?? args.tanhGradOf ?? args.a, args.c], workgroups);
}

/** Records one dispatch of C[p] (=|+=) act(op(A[p])·op(B[p]) + bias). See MatmulArgs. */
export function matmul(gpu: Gpu, args: MatmulArgs): Dispatch {
  const plan = planMatmul(args);
  return matmulWithKernel(gpu, plan, chooseKernel(plan, gpu));
}
