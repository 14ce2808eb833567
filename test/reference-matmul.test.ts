// The float64 matmul reference on hand-worked cases.
import { describe, expect, it } from 'vitest';
import { activate } from '../src/reference/activation.ts';
import { matmul, matmulForward } from '../src/reference/matmul.ts';

// A (2, 3), B (3, 2)
const A = [1, 2, 3, 4, 5, 6];
const B = [7, 8, 9, 10, 11, 12];
// A·B = [[1·7+2·9+3·11, 1·8+2·10+3·12], [4·7+5·9+6·11, 4·8+5·10+6·12]]
const AB = [58, 64, 139, 154];

describe('matmul reference', () => {
  it('NN: A·B by hand', () => {
    expect(Array.from(matmul(A, B, { M: 2, N: 2, K: 3 }))).toEqual(AB);
  });

  it('TN: Aᵀ stored (K, M) gives the same product', () => {
    const At = [1, 4, 2, 5, 3, 6]; // (3, 2)
    expect(Array.from(matmul(At, B, { M: 2, N: 2, K: 3, transA: true }))).toEqual(AB);
  });

  it('NT: B stored (N, K) gives the same product', () => {
    const Bt = [7, 9, 11, 8, 10, 12]; // (2, 3)
    expect(Array.from(matmul(A, Bt, { M: 2, N: 2, K: 3, transB: true }))).toEqual(AB);
  });

  it('bias is added to every row, then the activation', () => {
    const bias = [-100, -200];
    expect(Array.from(matmul(A, B, { M: 2, N: 2, K: 3, bias }))).toEqual([-42, -136, 39, -46]);
    expect(Array.from(matmul(A, B, { M: 2, N: 2, K: 3, bias, activation: 'relu' }))).toEqual([0, 0, 39, 0]);
    const t = matmul([1], [0.5], { M: 1, N: 1, K: 1, activation: 'tanh' });
    expect(t[0]).toBeCloseTo(Math.tanh(0.5), 15);
    const s = matmul([2], [1], { M: 1, N: 1, K: 1, bias: [-2], activation: 'sigmoid' });
    expect(s[0]).toBe(0.5);
  });

  it('accumulate adds to C, bias included', () => {
    const c = [1, 1, 1, 1];
    matmulForward(A, B, c, { M: 2, N: 2, K: 3, accumulate: true, bias: [10, 0] });
    expect(c).toEqual([69, 65, 150, 155]);
  });

  it('rejects an activation with accumulate', () => {
    expect(() => matmulForward(A, B, [0, 0, 0, 0], { M: 2, N: 2, K: 3, accumulate: true, activation: 'relu' })).toThrow(/accumulate/);
  });

  it('batches with strides: item p uses its own slices', () => {
    // batch 2, M=1, N=1, K=2; A items at stride 3 (one pad element), B packed, C stride 2.
    const a = [1, 2, 99, 3, 4];
    const b = [5, 6, 7, 8];
    const c = matmul(a, b, { M: 1, N: 1, K: 2, batch: 2, strideA: 3, strideB: 2, strideC: 2 });
    expect(Array.from(c)).toEqual([1 * 5 + 2 * 6, 0, 3 * 7 + 4 * 8]);
  });

  it('K = 0 gives the bias alone', () => {
    expect(Array.from(matmul([], [], { M: 2, N: 2, K: 0, bias: [1, 2] }))).toEqual([1, 2, 1, 2]);
  });

  it('activate', () => {
    expect(activate('relu', -1)).toBe(0);
    expect(activate('none', 3)).toBe(3);
    expect(activate('sigmoid', 0)).toBe(0.5);
  });
});
