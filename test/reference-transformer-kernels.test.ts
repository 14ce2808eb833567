// The float64 references of the Transformer's kernels (layer norm, multi-head attention with
// padding and causal masks, dropout, sinusoidal positions), each backward checked by central
// finite differences at tiny sizes.
import { describe, expect, it } from 'vitest';
import { expectClose, expectExact, randomArray } from './helpers/close.ts';
import { dot, FD_TOL, numericGrad } from './helpers/finite_diff.ts';
import { layerNormBackward, layerNormForward } from '../src/reference/layer_norm.ts';
import { multiheadBackward, multiheadForward, type MultiheadShape } from '../src/reference/multihead.ts';
import { dropoutBackward, dropoutForward, dropoutHash, dropoutMask, mix32, seedWords } from '../src/reference/dropout.ts';
import { positionsBackward, positionsForward, positionTable } from '../src/reference/positions.ts';

describe('layer norm reference', () => {
  const [R, D] = [3, 5];
  const x = randomArray(R * D, 1, -2, 2);
  const gamma = randomArray(D, 2, 0.5, 1.5);
  const beta = randomArray(D, 3);
  const dy = randomArray(R * D, 4);

  it('normalises each row: mean 0, biased variance 1 (γ 1, β 0)', () => {
    const { y, mean, rstd } = layerNormForward(x, new Float64Array(D).fill(1), new Float64Array(D), R, D);
    for (let r = 0; r < R; r++) {
      const row = y.slice(r * D, (r + 1) * D);
      expect(row.reduce((a, b) => a + b, 0) / D).toBeCloseTo(0, 12);
      expect(row.reduce((a, b) => a + b * b, 0) / D).toBeCloseTo(1 - 1e-5 * rstd[r] ** 2, 12);
      expect(mean[r]).toBeCloseTo(x.slice(r * D, (r + 1) * D).reduce((a, b) => a + b, 0) / D, 14);
    }
  });

  it('backward matches finite differences for x, γ and β', () => {
    const { mean, rstd } = layerNormForward(x, gamma, beta, R, D);
    const g = layerNormBackward(x, gamma, mean, rstd, dy, R, D);
    expectClose('dx', g.dx, numericGrad((p) => dot(dy, layerNormForward(p, gamma, beta, R, D).y), x), FD_TOL);
    expectClose('dGamma', g.dGamma, numericGrad((p) => dot(dy, layerNormForward(x, p, beta, R, D).y), gamma), FD_TOL);
    expectClose('dBeta', g.dBeta, numericGrad((p) => dot(dy, layerNormForward(x, gamma, p, R, D).y), beta), FD_TOL);
  });
});

describe('multi-head attention reference', () => {
  it.each([
    ['cross-attention, 3 heads, lengths 1 and max', { B: 2, T: 3, S: 4, d: 6, heads: 3, causal: false }, [1, 4]],
    ['causal self-attention, 1 head, a sample of length 0', { B: 2, T: 3, S: 3, d: 2, heads: 1, causal: true }, [3, 0]],
    ['causal with padding, 2 heads', { B: 2, T: 4, S: 4, d: 4, heads: 2, causal: true }, [2, 4]],
  ] as [string, MultiheadShape, number[]][])('%s: backward matches finite differences', (_name, x, lengths) => {
    const q = randomArray(x.B * x.T * x.d, 5, -1.5, 1.5);
    const k = randomArray(x.B * x.S * x.d, 6, -1.5, 1.5);
    const v = randomArray(x.B * x.S * x.d, 7);
    const dOut = randomArray(x.B * x.T * x.d, 8);
    const { A } = multiheadForward(x, q, k, v, lengths);
    const g = multiheadBackward(x, q, k, v, A, lengths, dOut);
    const loss = (qq: ArrayLike<number>, kk: ArrayLike<number>, vv: ArrayLike<number>) => dot(dOut, multiheadForward(x, qq, kk, vv, lengths).out);
    expectClose('dq', g.dq, numericGrad((p) => loss(p, k, v), q), FD_TOL);
    expectClose('dk', g.dk, numericGrad((p) => loss(q, p, v), k), FD_TOL);
    expectClose('dv', g.dv, numericGrad((p) => loss(q, k, p), v), FD_TOL);
    for (let b = 0; b < x.B; b++)
      for (let h = 0; h < x.heads; h++)
        for (let t = 0; t < x.T; t++) {
          const row = A.slice(((b * x.heads + h) * x.T + t) * x.S, ((b * x.heads + h) * x.T + t + 1) * x.S);
          const visible = Math.min(lengths[b], x.causal ? t + 1 : x.S);
          expect(row.slice(visible).every((a) => a === 0)).toBe(true);
          expect(row.reduce((a, c) => a + c, 0)).toBeCloseTo(visible > 0 ? 1 : 0, 12);
        }
  });

  it('rejects heads that do not divide d', () => {
    expect(() => multiheadForward({ B: 1, T: 1, S: 1, d: 4, heads: 3, causal: false }, [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [1])).toThrow('multihead: heads (3) must divide d (4).');
  });
});

describe('dropout reference', () => {
  const key = { p: 0.3, seed: 7, step: 12, tensor: 5 };

  it('drops about p of the elements, scales the rest by 1/(1 − p), and its backward is the same map', () => {
    const n = 20000;
    const mask = dropoutMask(key, n);
    const kept = mask.reduce((a, b) => a + b, 0) / n;
    expect(Math.abs(kept - 0.7)).toBeLessThan(0.02);
    const x = randomArray(50, 9);
    const y = dropoutForward(key, x);
    y.forEach((v, i) => expect(v).toBe(mask[i] ? x[i] * Math.fround(1 / 0.7) : 0));
    expectExact('backward', dropoutBackward(key, x), y);
  });

  it('the mask is a function of (seed, step, tensor, index): each one changes it, p 0 keeps all', () => {
    const base = dropoutMask(key, 256);
    expectExact('same key', dropoutMask({ ...key }, 256), base);
    for (const other of [{ seed: 8 }, { seed: 7 + 2 ** 32 }, { step: 13 }, { tensor: 6 }]) {
      const m = dropoutMask({ ...key, ...other }, 256);
      expect(m.some((v, i) => v !== base[i]), JSON.stringify(other)).toBe(true);
    }
    expect(dropoutMask({ ...key, p: 0 }, 256).every((v) => v === 1)).toBe(true);
    expect(dropoutForward({ ...key, p: 0 }, [1.5, -2])).toEqual(Float64Array.from([1.5, -2]));
  });

  it('hash words are 32-bit and stable (the WGSL kernel must give these exact draws)', () => {
    expect(mix32(0)).toBe(0);
    expect(seedWords(2 ** 32 + 5)).toEqual([5, 1]);
    const h = dropoutHash(7, 0, 12, 5, 0);
    expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    expect(() => dropoutMask({ ...key, p: 1 }, 1)).toThrow('dropout: p must be in [0, 1), got 1.');
  });
});

describe('sinusoidal positions reference', () => {
  it('matches the paper at hand-computed points; odd d ends with a sine', () => {
    const pe = positionTable(3, 5);
    expectClose('p 0', pe.slice(0, 5), [0, 1, 0, 1, 0], { atol: 0, rtol: 0 });
    expect(pe[5 + 0]).toBeCloseTo(Math.sin(1), 15);
    expect(pe[5 + 1]).toBeCloseTo(Math.cos(1), 15);
    expect(pe[10 + 2]).toBeCloseTo(Math.sin(2 / 10000 ** (2 / 5)), 15);
    expect(pe[10 + 4]).toBeCloseTo(Math.sin(2 / 10000 ** (4 / 5)), 15);
  });

  it('forward scales and adds the row position; backward is the scale', () => {
    const rows = { R: 6, d: 2, P: 3, div: 1, scale: Math.sqrt(2) };
    const x = randomArray(12, 10);
    const table = positionTable(3, 2);
    const y = positionsForward(rows, x, table);
    expect(y[3 * 2 + 1]).toBeCloseTo(x[7] * Math.sqrt(2) + table[1], 14); // row 3 is position 0
    const dy = randomArray(12, 11);
    expectClose('dx', positionsBackward(rows, dy), numericGrad((p) => dot(dy, positionsForward(rows, p, table)), x), FD_TOL);
    const timeMajor = positionsForward({ ...rows, div: 2 }, x, table); // rows s·B + b, B = 2
    expect(timeMajor[3 * 2]).toBeCloseTo(x[6] * Math.sqrt(2) + table[2], 14); // row 3 is position 1
  });
});
