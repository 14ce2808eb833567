// Matmul test cases shared by the kernel tests (test/gpu/matmul*.test.ts).
import type { MatmulCase } from '../gpu/pages/matmul.ts';
import { matmulForward } from '../../src/reference/matmul.ts';
import { randomArray } from './close.ts';

export type Layout = 'NN' | 'NT' | 'TN';

/** Small integers in [-4, 4]: sums of their products are exact in float32. */
export const ints = (n: number, seed: number) => randomArray(n, seed, -4, 5).map(Math.floor);

export interface InterleavedSpec {
  M: number; N: number; K: number; layout: Layout; batch: number;
  /** Elements beyond the packed row width between stored rows. */
  interleave: number;
  accumulate?: boolean; seed?: number; viewPad?: number; subgroups?: boolean;
}

/**
 * A, B and C with the batch items' rows interleaved (item p's rows one row width after item
 * p−1's, rows `batch·width + interleave` apart), as one sample's rows of a time-major tensor.
 */
export function interleavedCase(s: InterleavedSpec): MatmulCase {
  const stored = (rows: number, width: number) => ({ ld: s.batch * width + s.interleave, stride: width, len: (s.batch - 1) * width + (rows - 1) * (s.batch * width + s.interleave) + width });
  const A = s.layout === 'TN' ? stored(s.K, s.M) : stored(s.M, s.K);
  const B = s.layout === 'NT' ? stored(s.N, s.K) : stored(s.K, s.N);
  const C = stored(s.M, s.N);
  const seed = s.seed ?? 1;
  return {
    M: s.M, N: s.N, K: s.K,
    transA: s.layout === 'TN', transB: s.layout === 'NT',
    a: ints(A.len, seed * 10 + 1), b: ints(B.len, seed * 10 + 2),
    c0: s.accumulate ? ints(C.len, seed * 10 + 4) : randomArray(C.len, 99, 100, 200).map(Math.fround),
    accumulate: s.accumulate, batch: s.batch,
    strideA: A.stride, strideB: B.stride, strideC: C.stride, lda: A.ld, ldb: B.ld, ldc: C.ld,
    pad: s.viewPad, subgroups: s.subgroups,
  };
}

/** C after the case's matmul, by the float64 reference; padding between batch items is never written. */
export function expectedC(t: MatmulCase): number[] {
  const c = t.c0.slice();
  matmulForward(t.a, t.b, c, t);
  if (t.batch && t.batch > 1 && t.strideC) {
    for (let p = 0; p < t.batch - 1; p++) for (let i = p * t.strideC + t.M * t.N; i < (p + 1) * t.strideC; i++) c[i] = t.c0[i];
  }
  return c;
}
