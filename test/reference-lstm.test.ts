// The float64 LSTM references checked by central finite differences: the cell (with masks)
// and the whole model, on every named tensor, at tiny sizes with mixed lengths.
import { describe, expect, it } from 'vitest';
import { lstmCellBackward, lstmCellForward } from '../src/reference/lstm.ts';
import { lstmGreedyDecode, lstmInitParams, lstmModelBackward, lstmModelForward, lstmParamShapes, reverseWithinLength, type LstmDims, type LstmTokens } from '../src/reference/lstm_model.ts';
import { initTensor, Rng } from '../src/reference/init.ts';
import { fnv1a32 } from '../src/hash.ts';
import { expectClose, randomArray } from './helpers/close.ts';
import { numericGradOf } from './helpers/finite_diff.ts';
import { expectArgmaxRows, fedBack } from './helpers/greedy.ts';

const FD_TOL = { atol: 1e-7, rtol: 1e-5 };

describe('LSTM cell reference', () => {
  const B = 3;
  const H = 5;
  const mask = [true, false, true];
  const pre = randomArray(B * 4 * H, 1, -2, 2);
  const hPrev = randomArray(B * H, 2);
  const cPrev = randomArray(B * H, 3);
  const wh = randomArray(B * H, 4);
  const wc = randomArray(B * H, 5);
  // A scalar of the outputs: sum(wh ⊙ h') + sum(wc ⊙ c').
  const objective = (p: number[], hp: number[], cp: number[]) => {
    const r = lstmCellForward(p, hp, cp, B, H, mask);
    let s = 0;
    for (let i = 0; i < B * H; i++) s += wh[i] * r.h[i] + wc[i] * r.c[i];
    return s;
  };

  it('holds masked rows and matches the gate equations', () => {
    const r = lstmCellForward(pre, hPrev, cPrev, B, H, mask);
    for (let j = 0; j < H; j++) {
      expect(r.h[H + j]).toBe(hPrev[H + j]);
      expect(r.c[H + j]).toBe(cPrev[H + j]);
    }
    const s = (x: number) => 1 / (1 + Math.exp(-x));
    const c0 = s(pre[H]) * cPrev[0] + s(pre[0]) * Math.tanh(pre[2 * H]);
    expect(r.c[0]).toBeCloseTo(c0, 14);
    expect(r.h[0]).toBeCloseTo(s(pre[3 * H]) * Math.tanh(c0), 14);
  });

  it('backward matches finite differences for pre, c and h (masked rows pass through)', () => {
    const fw = lstmCellForward(pre, hPrev, cPrev, B, H, mask);
    const g = lstmCellBackward(fw.gates, cPrev, fw.c, wh, wc, B, H, mask);
    expectClose('dpre', g.dpre, numericGradOf(pre, () => objective(pre, hPrev, cPrev)), FD_TOL);
    expectClose('dcPrev', g.dcPrev, numericGradOf(cPrev, () => objective(pre, hPrev, cPrev)), FD_TOL);
    expectClose('dhPass', g.dhPass, numericGradOf(hPrev, () => objective(pre, hPrev, cPrev)), FD_TOL);
  });
});

describe('LSTM model reference', () => {
  const d: LstmDims = { V: 7, E: 3, H: 4, L: 2 };
  const B = 3;
  const S = 4;
  const T = S + 1;
  const EOS = d.V - 1;
  // Mixed lengths: 4, 2, 1; targets of lengths (incl. EOS) 3, 1, 2.
  const srcCols = [
    [1, 2, 3, 5],
    [4, 5],
    [3],
  ];
  const tgtCols = [[2, 3], [], [3]];
  const tokens: LstmTokens = (() => {
    const src = new Int32Array(S * B);
    const tgt = new Int32Array(T * B);
    const decIn = new Int32Array(T * B);
    srcCols.forEach((col, b) => col.forEach((v, t) => (src[t * B + b] = v)));
    tgtCols.forEach((col, b) => {
      const full = [...col, EOS];
      full.forEach((v, t) => (tgt[t * B + b] = v));
      [EOS, ...col].forEach((v, t) => (decIn[t * B + b] = v));
    });
    return { src, srcLengths: Int32Array.from(srcCols.map((c) => c.length)), tgt, decIn };
  })();

  it('reverses each source within its length', () => {
    const r = reverseWithinLength(tokens.src, tokens.srcLengths, S, B);
    expect(Array.from({ length: S }, (_, t) => r[t * B])).toEqual([5, 3, 2, 1]);
    expect(Array.from({ length: S }, (_, t) => r[t * B + 1])).toEqual([5, 4, 0, 0]);
    expect(Array.from({ length: S }, (_, t) => r[t * B + 2])).toEqual([3, 0, 0, 0]);
  });

  it('names every tensor as docs/contract.md §3', () => {
    const names = lstmParamShapes(d).map(([n]) => n);
    expect(names).toContain('encoder.weight_ih_l1');
    expect(names).toContain('decoder.bias_hh_l0');
    expect(names).toContain('output.bias');
    expect(names.length).toBe(2 + 2 * 4 * d.L + 2);
  });

  // Dropout 0.3 with a fixed mask (seed and step fixed) and label smoothing 0.1: the gradient through the masks.
  const training = { smoothing: 0.1, dropout: { p: 0.3, seed: 5, step: 3 } };
  for (const [reverse, opts] of [...[true, false].map((r) => [r, {}] as const), [true, training] as const]) {
    it(`gradient of every named tensor matches finite differences (reverse_source=${reverse}, training ${JSON.stringify(opts)})`, () => {
      const p = lstmInitParams(d, { seed: 7, init: 'uniform', init_scale: 0.5 });
      const fwd = lstmModelForward(p, d, tokens, reverse, opts);
      expect(fwd.count).toBe(6);
      expect(Number.isFinite(fwd.loss)).toBe(true);
      const g = lstmModelBackward(p, d, fwd);
      const eps = 1e-5;
      for (const [name] of lstmParamShapes(d)) {
        const numeric = numericGradOf(p[name], () => lstmModelForward(p, d, tokens, reverse, opts).loss, eps);
        expectClose(name, g[name], numeric, FD_TOL);
      }
      // PAD rows of the embeddings and padded source positions receive nothing.
      expect(Array.from(g['src_embedding.weight'].subarray(0, d.E))).toEqual([0, 0, 0]);
    });
  }

  it('greedy decoding equals the argmax of teacher-forced logits when fed its own outputs', () => {
    const p = lstmInitParams(d, { seed: 3, init: 'uniform', init_scale: 1.0 });
    const steps = T;
    const out = lstmGreedyDecode(p, d, tokens.src, tokens.srcLengths, steps, true);
    // Feed the decoded tokens back as teacher-forced inputs: the logits' argmax must reproduce them.
    const fwd = lstmModelForward(p, d, { ...tokens, ...fedBack(out, B, T, EOS) }, true);
    expectArgmaxRows(out, fwd.logits, d.V);
  });
});

describe('seeded init', () => {
  it('is pure 32-bit arithmetic with per-tensor streams', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    const a = initTensor(0, 'x', 1000, { kind: 'uniform', bound: 0.08 });
    expect(Math.max(...a)).toBeLessThan(0.08);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(-0.08);
    expect(initTensor(0, 'x', 10, { kind: 'uniform', bound: 0.08 })).toEqual(a.subarray(0, 10));
    expect(initTensor(1, 'x', 10, { kind: 'uniform', bound: 0.08 })).not.toEqual(a.subarray(0, 10));
    const n = initTensor(5, 'emb', 20000, { kind: 'normal', std: 1 });
    const mean = n.reduce((s, v) => s + v, 0) / n.length;
    const variance = n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const r = new Rng(0);
    expect([r.nextU32(), r.nextU32()]).toEqual([1144304738, 1416247]);
  });
});
