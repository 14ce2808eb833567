// The float64 attention references checked by central finite differences: the kernels
// (masked softmax scores, context, and their backward) and the whole `attn` model on every
// named tensor, at tiny sizes with source lengths 1 and max in one batch.
import { describe, expect, it } from 'vitest';
import {
  attentionContextForward,
  attentionKeysBackward,
  attentionQueryBackward,
  attentionWeightsBackward,
  attentionWeightsForward,
  copyRows,
  maskedSoftmax,
  maskedSoftmaxBackward,
  type AttentionShape,
} from '../src/reference/attention.ts';
import { matmul, matmulForward } from '../src/reference/matmul.ts';
import { attnGreedyDecode, attnInitParams, attnModelBackward, attnModelForward, attnParamShapes } from '../src/reference/attn_model.ts';
import type { LstmDims, LstmTokens } from '../src/reference/lstm_model.ts';
import { expectClose, randomArray } from './helpers/close.ts';
import { numericGradOf } from './helpers/finite_diff.ts';
import { expectArgmaxRows, fedBack } from './helpers/greedy.ts';

const FD_TOL = { atol: 1e-7, rtol: 1e-5 };


describe('attention kernel references', () => {
  // 3 samples of lengths 1, 4 (= S) and 2; T = 2 steps, rows t·B + b.
  const x: AttentionShape = { R: 6, S: 4, B: 3, H: 5, group: 1 };
  const lengths = [1, 4, 2];
  const q = randomArray(x.R * x.H, 1, -1.5, 1.5);
  const keys = randomArray(x.S * x.B * x.H, 2, -1.5, 1.5);
  const hbar = randomArray(x.S * x.B * x.H, 3);
  const wA = randomArray(x.R * x.S, 4);
  const wCat = randomArray(x.R * 2 * x.H, 5);
  // A scalar of both outputs: sum(wA ⊙ A) + sum(wCat ⊙ cat).
  const objective = (qq: number[], kk: number[], hh: number[]) => {
    const A = attentionWeightsForward(x, qq, kk, lengths);
    const cat = attentionContextForward(x, A, hh, qq);
    let s = 0;
    A.forEach((v, i) => (s += wA[i] * v));
    cat.forEach((v, i) => (s += wCat[i] * v));
    return s;
  };

  it('gives padding zero weight, rows summing to one, and a length-1 row all its weight', () => {
    const A = attentionWeightsForward(x, q, keys, lengths);
    for (let r = 0; r < x.R; r++) {
      const len = lengths[r % x.B];
      const row = Array.from(A.subarray(r * x.S, (r + 1) * x.S));
      expect(row.slice(len).every((v) => v === 0)).toBe(true);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
      if (len === 1) expect(row[0]).toBe(1);
    }
  });

  it('backward matches finite differences for q, keys and encoder states', () => {
    const A = attentionWeightsForward(x, q, keys, lengths);
    // d objective / d cat = wCat; through A, wA adds directly to dA, so fold it into dScores.
    const dS = attentionWeightsBackward(x, A, wCat, hbar);
    for (let r = 0; r < x.R; r++) {
      let sum = 0;
      for (let s = 0; s < x.S; s++) sum += A[r * x.S + s] * wA[r * x.S + s];
      for (let s = 0; s < x.S; s++) dS[r * x.S + s] += A[r * x.S + s] * (wA[r * x.S + s] - sum);
    }
    const dq = attentionQueryBackward(x, dS, keys, wCat);
    const { dKeys, dHbar } = attentionKeysBackward(x, dS, A, q, wCat);
    expectClose('dq', dq, numericGradOf(q, () => objective(q, keys, hbar)), FD_TOL);
    expectClose('dKeys', dKeys, numericGradOf(keys, () => objective(q, keys, hbar)), FD_TOL);
    expectClose('dHbar', dHbar, numericGradOf(hbar, () => objective(q, keys, hbar)), FD_TOL);
  });

  it('maps beam rows b·K + i to sample b (group K)', () => {
    const beam: AttentionShape = { R: 6, S: 4, B: 3, H: 5, group: 2 };
    const qb = randomArray(beam.R * beam.H, 9);
    const A = attentionWeightsForward(beam, qb, keys, lengths);
    const one: AttentionShape = { R: 1, S: 4, B: 3, H: 5, group: 1 };
    for (let r = 0; r < beam.R; r++) {
      const b = Math.floor(r / 2);
      // A one-row run for sample b: put the query on row b of a B-row batch.
      const rows = new Array(3 * 5).fill(0);
      for (let j = 0; j < 5; j++) rows[b * 5 + j] = qb[r * 5 + j];
      const ref = attentionWeightsForward({ ...one, R: 3 }, rows, keys, lengths).subarray(b * 4, (b + 1) * 4);
      expectClose(`row ${r}`, A.subarray(r * 4, (r + 1) * 4), ref, { atol: 0, rtol: 0 });
    }
  });
});

describe('the GPU formulation (per-sample strided matmuls over the time-major states between the kernels) computes the same', () => {
  // T = 2 steps, B = 3 samples of lengths 1, 4 (= S) and 2, H = 5.
  const [T, S, B, H] = [2, 4, 3, 5];
  const x: AttentionShape = { R: T * B, S, B, H, group: 1 };
  const lengths = [1, 4, 2];
  const q = randomArray(T * B * H, 11); // (T, B, H)
  const keys = randomArray(S * B * H, 12); // (S, B, H)
  const hbar = randomArray(S * B * H, 13);
  const dCat = randomArray(T * B * 2 * H, 14);
  const rows = { R: B * T, S, B, group: T }; // score rows b·T + t
  /** Sample b's rows of a time-major (·, B, W) tensor, as matmul strides. */
  const tmA = (W: number) => ({ strideA: W, lda: B * W });
  const tmB = (W: number) => ({ strideB: W, ldb: B * W });
  const tmC = (W: number) => ({ strideC: W, ldc: B * W });
  /** (B, n, W) batch-major → (n, B, W) time-major, to compare with the per-row references. */
  const timeMajor = (v: ArrayLike<number>, n: number, W: number) => {
    const out = new Float64Array(B * n * W);
    for (let b = 0; b < B; b++) for (let i = 0; i < n; i++) for (let j = 0; j < W; j++) out[(i * B + b) * W + j] = v[(b * n + i) * W + j];
    return out;
  };
  const weights = () => maskedSoftmax(rows, matmul(q, keys, { M: T, N: S, K: H, transB: true, batch: B, ...tmA(H), ...tmB(H) }), lengths); // (B, T, S)

  it('forward: scores, masked softmax, context into [c ; q], the query copied beside it', () => {
    const A = weights();
    const cat = new Float64Array(T * B * 2 * H);
    matmulForward(A, hbar, cat, { M: T, N: H, K: S, batch: B, strideA: T * S, ...tmB(H), ...tmC(2 * H) });
    copyRows(q, cat, { rows: T * B, W: H, outStride: 2 * H, outCol: H });
    const ref = attentionWeightsForward(x, q, keys, lengths); // (T·B, S) rows t·B + b
    expectClose('weights', timeMajor(A, T, S), ref, { atol: 1e-12, rtol: 0 });
    expectClose('cat', cat, attentionContextForward(x, ref, hbar, q), { atol: 1e-12, rtol: 0 });
  });

  it('backward: the two halves of d[c ; q], the softmax backward, dQ added to dq, dK and dH̄ time-major', () => {
    const A = weights();
    const dC = copyRows(dCat, new Float64Array(T * B * H), { rows: T * B, W: H, inStride: 2 * H });
    const dq = copyRows(dCat, new Float64Array(T * B * H), { rows: T * B, W: H, inStride: 2 * H, inCol: H });
    const dA = matmul(dC, hbar, { M: T, N: S, K: H, transB: true, batch: B, ...tmA(H), ...tmB(H) });
    const dScores = maskedSoftmaxBackward(rows, A, dA, lengths); // (B, T, S)
    matmulForward(dScores, keys, dq, { M: T, N: H, K: S, batch: B, strideA: T * S, ...tmB(H), ...tmC(H), accumulate: true });
    const dK = matmul(dScores, q, { M: S, N: H, K: T, transA: true, batch: B, strideA: T * S, ...tmB(H), ...tmC(H) });
    const dH = matmul(A, dC, { M: S, N: H, K: T, transA: true, batch: B, strideA: T * S, ...tmB(H), ...tmC(H) });
    const refA = attentionWeightsForward(x, q, keys, lengths);
    const refdS = attentionWeightsBackward(x, refA, dCat, hbar);
    expectClose('dScores', timeMajor(dScores, T, S), refdS, { atol: 1e-12, rtol: 0 });
    expectClose('dq', dq, attentionQueryBackward(x, refdS, keys, dCat), { atol: 1e-12, rtol: 0 });
    const k = attentionKeysBackward(x, refdS, refA, q, dCat);
    expectClose('dKeys', dK, k.dKeys, { atol: 1e-12, rtol: 0 });
    expectClose('dHbar', dH, k.dHbar, { atol: 1e-12, rtol: 0 });
  });
});

describe('attn model reference', () => {
  const d: LstmDims = { V: 7, E: 3, H: 4, L: 2 };
  const B = 3;
  const S = 4;
  const T = S + 1;
  const EOS = d.V - 1;
  // Source lengths 4 (max), 1 and 2; targets (incl. EOS) of lengths 3, 1, 2.
  const srcCols = [[1, 2, 3, 5], [4], [3, 2]];
  const tgtCols = [[2, 3], [], [3]];
  const tokens: LstmTokens = (() => {
    const src = new Int32Array(S * B);
    const tgt = new Int32Array(T * B);
    const decIn = new Int32Array(T * B);
    srcCols.forEach((col, b) => col.forEach((v, t) => (src[t * B + b] = v)));
    tgtCols.forEach((col, b) => {
      [...col, EOS].forEach((v, t) => (tgt[t * B + b] = v));
      [EOS, ...col].forEach((v, t) => (decIn[t * B + b] = v));
    });
    return { src, srcLengths: Int32Array.from(srcCols.map((c) => c.length)), tgt, decIn };
  })();

  it('names the attention tensors as docs/contract.md §3', () => {
    const shapes = new Map(attnParamShapes(d));
    expect(shapes.get('attention.weight')).toEqual([4, 4]);
    expect(shapes.get('attention_combine.weight')).toEqual([4, 8]);
    expect(shapes.get('output.weight')).toEqual([7, 4]);
    expect(shapes.size).toBe(2 + 2 * 4 * d.L + 2 + 2);
  });

  // Dropout 0.3 with a fixed mask (seed and step fixed) and label smoothing 0.1: the gradient through the masks.
  const training = { smoothing: 0.1, dropout: { p: 0.3, seed: 5, step: 3 } };
  for (const [reverse, opts] of [...[false, true].map((r) => [r, {}] as const), [true, training] as const]) {
    it(`gradient of every named tensor matches finite differences (reverse_source=${reverse}, training ${JSON.stringify(opts)})`, () => {
      const p = attnInitParams(d, { init: 'uniform', init_scale: 0.6, seed: 7 });
      const fwd = attnModelForward(p, d, tokens, reverse, opts);
      expect(fwd.count).toBe(6);
      const g = attnModelBackward(p, d, fwd);
      const eps = 1e-5;
      for (const [name] of attnParamShapes(d)) {
        const numeric = numericGradOf(p[name], () => attnModelForward(p, d, tokens, reverse, opts).loss, eps);
        expectClose(name, g[name], numeric, FD_TOL);
      }
    });
  }

  it('greedy decoding equals the argmax of teacher-forced logits fed its own outputs, and weights sum to one', () => {
    const p = attnInitParams(d, { init: 'uniform', init_scale: 1.0, seed: 3 });
    const { tokens: out, weights } = attnGreedyDecode(p, d, tokens.src, tokens.srcLengths, T, false);
    const fwd = attnModelForward(p, d, { ...tokens, ...fedBack(out, B, T, EOS) }, false);
    expectArgmaxRows(out, fwd.logits, d.V);
    expectClose('teacher-forced weights', fwd.cache.att.weights, weights, { atol: 1e-12, rtol: 0 });
  });
});
