// Batched matmul with optional transposes, bias, activation epilogue and accumulation:
//   C[p] (=|+=) act(op(A[p]) · op(B[p]) + bias)      p < batch
// Letters: M rows of C, N columns of C, K the contracted dimension.
//   NN  C = A·B        A (M, K), B (K, N)    e.g. dX = dY·W
//   NT  C = A·Bᵀ       A (M, K), B (N, K)    e.g. Y = X·Wᵀ (PyTorch W[out, in])
//   TN  C (+)= Aᵀ·B    A (K, M), B (K, N)    e.g. dW += dYᵀ·X
import code from '../../shaders/matmul.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import type { View } from '../gpu/buffers.ts';
import type { Dispatch } from '../gpu/program.ts';
import { u32 } from '../gpu/uniforms.ts';
import type { BindingKind } from '../gpu/pipelines.ts';

export type Activation = 'none' | 'relu' | 'tanh' | 'sigmoid';

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
  /** Batched: item p uses a[p·strideA..], b[p·strideB..], c[p·strideC..]; strides in elements. */
  batch?: number;
  strideA?: number;
  strideB?: number;
  strideC?: number;
  label?: string;
}

const ACTIVATIONS: Record<Activation, number> = { none: 0, relu: 1, tanh: 2, sigmoid: 3 };
const FLAG_BIAS = 1;
const FLAG_ACCUMULATE = 2;
const ACT_SHIFT = 2;

const BINDINGS: readonly BindingKind[] = ['uniform', 'read', 'read', 'read', 'storage'];
const WGX = 8;
const WGY = 8;
const BLOCK_M = 4;
const BLOCK_N = 4;
const MAX_WORKGROUPS = 65535;

function checkCount(label: string, name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${label}: ${name} must be an integer >= ${min}, got ${v}.`);
}

function checkView(label: string, name: string, v: View, shape: string, batch: number, stride: number, size: number): void {
  const need = size === 0 ? 0 : (batch - 1) * stride + size;
  if (v.length < need) {
    throw new RangeError(`${label}: ${name} is ${shape}${batch > 1 ? ` x batch ${batch} (stride ${stride})` : ''} and needs ${need} elements, but its view has ${v.length}.`);
  }
}

/** Records one dispatch of C[p] (=|+=) act(op(A[p])·op(B[p]) + bias). See MatmulArgs. */
export function matmul(gpu: Gpu, args: MatmulArgs): Dispatch {
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
  if (!(activation in ACTIVATIONS)) throw new Error(`${label}: unknown activation '${activation}'.`);
  if (args.accumulate && activation !== 'none') throw new Error(`${label}: activation '${activation}' cannot be combined with accumulate.`);
  checkView(label, 'A', a, transA ? `(K=${K}, M=${M})` : `(M=${M}, K=${K})`, batch, strideA, M * K);
  checkView(label, 'B', b, transB ? `(N=${N}, K=${K})` : `(K=${K}, N=${N})`, batch, strideB, K * N);
  checkView(label, 'C', c, `(M=${M}, N=${N})`, batch, strideC, M * N);
  if (batch > 1 && strideC < M * N) throw new RangeError(`${label}: strideC ${strideC} is less than M·N = ${M * N}, so batch items would overlap in C.`);
  if (args.bias && args.bias.length < N) throw new RangeError(`${label}: bias needs N = ${N} elements, but its view has ${args.bias.length}.`);
  for (const [name, v] of [['A', a], ['B', b], ['bias', args.bias]] as const) {
    if (v && v.buffer === c.buffer) throw new Error(`${label}: C must be in a different buffer from ${name} (${c.buffer.label}); WebGPU forbids writing a buffer bound twice.`);
  }

  const flags = (args.bias ? FLAG_BIAS : 0) | (args.accumulate ? FLAG_ACCUMULATE : 0) | (ACTIVATIONS[activation] << ACT_SHIFT);
  const params = gpu.uniform(
    [
      M, N, K, flags,
      a.offset, b.offset, c.offset, args.bias?.offset ?? 0,
      strideA, strideB, strideC, 0,
      transA ? 1 : K, transA ? M : 1, // A(m, k) steps
      transB ? 1 : N, transB ? K : 1, // B(k, n) steps
    ].map(u32),
  );
  const pipeline = gpu.pipelines.get({ name: 'matmul', code, entryPoint: 'mm_generic', bindings: BINDINGS, constants: { WGX, WGY } });
  const workgroups: [number, number, number] = [
    Math.max(1, Math.ceil(N / (BLOCK_N * WGX))),
    Math.max(1, Math.ceil(M / (BLOCK_M * WGY))),
    batch,
  ];
  if (workgroups.some((w) => w > MAX_WORKGROUPS)) throw new RangeError(`${label}: ${workgroups.join('x')} workgroups exceed the ${MAX_WORKGROUPS} limit per dimension.`);
  return gpu.dispatch(label, pipeline, [params, a, b, args.bias ?? a, c], workgroups);
}
