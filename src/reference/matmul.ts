// Float64 CPU reference of the batched matmul family (shaders/matmul.wgsl):
//   C[b] (=|+=) act(op(A[b]) · op(B[b]) + bias)
// Letters: M rows of C, N columns of C, K the contracted dimension.
// Layouts: A (M, K), or (K, M) with transA; B (K, N), or (N, K) with transB; C (M, N).

import { activate, type Activation } from './activation.ts';

export interface MatmulRefArgs {
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
  /** (N) added to every row of C. */
  bias?: ArrayLike<number>;
  /** C += A·B (the existing contents of `c` are kept and added to). */
  accumulate?: boolean;
  activation?: Activation;
  /** (M, N) laid out as C: C = result ⊙ (1 − y²) (see ops/matmul.ts). */
  tanhGradOf?: ArrayLike<number>;
  batch?: number;
  /** Elements between consecutive batch items; default the packed size. */
  strideA?: number;
  strideB?: number;
  strideC?: number;
  /** Elements between stored rows of A, B and C; default the packed widths (see ops/matmul.ts). */
  lda?: number;
  ldb?: number;
  ldc?: number;
}

/**
 * Writes C into `c` (float64) and returns it. a: (batch, M, K) or (batch, K, M); b: (batch, K, N)
 * or (batch, N, K); c: (batch, M, N), all with the given batch strides. With `accumulate` the
 * previous values of `c` are added to; otherwise `c` may start with anything.
 */
export function matmulForward(a: ArrayLike<number>, b: ArrayLike<number>, c: Float64Array | number[], args: MatmulRefArgs): Float64Array | number[] {
  const { M, N, K } = args;
  const transA = args.transA ?? false;
  const transB = args.transB ?? false;
  const activation = args.activation ?? 'none';
  const batch = args.batch ?? 1;
  const strideA = args.strideA ?? M * K;
  const strideB = args.strideB ?? K * N;
  const strideC = args.strideC ?? M * N;
  const lda = args.lda ?? (transA ? M : K);
  const ldb = args.ldb ?? (transB ? K : N);
  const ldc = args.ldc ?? N;
  if (args.accumulate && activation !== 'none') throw new Error('matmulForward: an activation cannot be combined with accumulate.');
  for (let p = 0; p < batch; p++) {
    const a0 = p * strideA;
    const b0 = p * strideB;
    const c0 = p * strideC;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const av = a[a0 + (transA ? k * lda + m : m * lda + k)];
          const bv = b[b0 + (transB ? n * ldb + k : k * ldb + n)];
          s += av * bv;
        }
        if (args.bias) s += args.bias[n];
        const i = c0 + m * ldc + n;
        if (args.tanhGradOf) s *= 1 - args.tanhGradOf[i] ** 2;
        c[i] = args.accumulate ? c[i] + s : activate(activation, s);
      }
    }
  }
  return c;
}

/** Convenience: a fresh C of (batch·strideC) zeros, then matmulForward. */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, args: MatmulRefArgs): Float64Array {
  const batch = args.batch ?? 1;
  const strideC = args.strideC ?? args.M * args.N;
  const ldc = args.ldc ?? args.N;
  const c = new Float64Array(batch > 0 && args.M > 0 ? (batch - 1) * strideC + (args.M - 1) * ldc + args.N : 0);
  return matmulForward(a, b, c, args) as Float64Array;
}
