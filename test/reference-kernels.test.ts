// The float64 references of the kernel families, checked by central finite differences
// (every backward) and by hand-computed cases (the ops without a backward).
import { describe, expect, it } from 'vitest';
import { expectClose, expectExact, randomArray } from './helpers/close.ts';
import { dot, FD_TOL, numericGrad } from './helpers/finite_diff.ts';
import { ACTIVATIONS, activationBackward, activationForward } from '../src/reference/activation.ts';
import { columnSum, sumOfSquares } from '../src/reference/reduce.ts';
import { embeddingBackward, embeddingForward } from '../src/reference/embedding.ts';
import { argmax, crossEntropyBackward, crossEntropyForward } from '../src/reference/cross_entropy.ts';
import { adamStep, gradNorm, sgdStep } from '../src/reference/optimizer.ts';
import { reverseSequences } from '../src/reference/sequence.ts';

describe('activation reference', () => {
  // Keep relu inputs away from its kink at 0.
  const x = randomArray(7, 1, -3, 3).map((v) => (Math.abs(v) < 0.05 ? v + 0.1 : v));
  const dy = randomArray(7, 2);
  it.each(ACTIVATIONS)('%s backward matches finite differences of Σ dy·act(x)', (act) => {
    const y = activationForward(act, x);
    const analytic = activationBackward(act, y, dy);
    expectClose(`${act} dx`, analytic, numericGrad((p) => dot(dy, activationForward(act, p)), x), FD_TOL);
    const prev = randomArray(7, 3);
    expectClose(`${act} dx accumulated`, activationBackward(act, y, dy, prev), analytic.map((v, i) => v + prev[i]), FD_TOL);
  });
});

describe('reduce reference', () => {
  it('columnSum is the gradient of a bias broadcast over rows', () => {
    const [M, N] = [5, 3];
    const X = randomArray(M * N, 4);
    const dY = randomArray(M * N, 5);
    const f = (b: Float64Array) => dot(dY, X.map((v, i) => v + b[i % N]));
    expectClose('db', columnSum(dY, M, N), numericGrad(f, randomArray(N, 6)), FD_TOL);
    expectClose('db accumulated', columnSum(dY, M, N, [1, 2, 3]), columnSum(dY, M, N).map((v, i) => v + i + 1), FD_TOL);
  });

  it('sumOfSquares adds squares', () => {
    expect(sumOfSquares([1, -2, 3])).toBe(14);
    expect(sumOfSquares([])).toBe(0);
  });
});

describe('embedding reference', () => {
  const [V, E] = [5, 3];
  const ids = [3, 0, 3, 4, 1, 3]; // repeats, PAD-like 0 and an unused row 2
  it('gathers rows', () => {
    const W = randomArray(V * E, 7);
    const out = embeddingForward(W, ids, V, E);
    expectExact('out row 0', out.slice(0, E), W.slice(3 * E, 4 * E));
    expectExact('out row 1', out.slice(E, 2 * E), W.slice(0, E));
  });

  it('backward matches finite differences of Σ dOut·gather(W)', () => {
    const W = randomArray(V * E, 8);
    const dOut = randomArray(ids.length * E, 9);
    const analytic = embeddingBackward(dOut, ids, V, E);
    expectClose('dW', analytic, numericGrad((w) => dot(dOut, embeddingForward(w, ids, V, E)), W), FD_TOL);
    expectExact('dW unused row', analytic.slice(2 * E, 3 * E), [0, 0, 0]);
    const prev = randomArray(V * E, 10);
    expectClose('dW accumulated', embeddingBackward(dOut, ids, V, E, prev), analytic.map((v, i) => v + prev[i]), FD_TOL);
  });

  it('rejects ids outside the vocabulary', () => {
    expect(() => embeddingForward(new Float64Array(V * E), [5], V, E)).toThrow(/ids\[0\] = 5/);
  });
});

describe('cross-entropy reference', () => {
  const [R, V] = [5, 4];
  const targets = [2, 0, 3, 1, 0]; // two PAD rows
  const logits = randomArray(R * V, 11, -3, 3);

  it('backward matches finite differences of the mean loss; PAD rows get no gradient', () => {
    const analytic = crossEntropyBackward(logits, targets, R, V);
    const numeric = numericGrad((z) => crossEntropyForward(z, targets, R, V).loss, logits);
    expectClose('dLogits', analytic, numeric, FD_TOL);
    expectExact('dLogits PAD row', analytic.slice(V, 2 * V), [0, 0, 0, 0]);
  });

  it('counts non-PAD rows and averages over them', () => {
    const r = crossEntropyForward(logits, targets, R, V);
    expect(r.count).toBe(3);
    expect(r.loss).toBeCloseTo((r.rowLoss[0] + r.rowLoss[2] + r.rowLoss[3]) / 3, 14);
    expect(crossEntropyForward([0, 0], [0], 1, 2)).toEqual({ loss: 0, count: 0, rowLoss: new Float64Array(1) });
    // Uniform logits: loss log V.
    expect(crossEntropyForward([5, 5, 5, 5], [1], 1, 4).loss).toBeCloseTo(Math.log(4), 14);
  });

  it('label smoothing: backward matches finite differences; PyTorch\'s formula on a hand case', () => {
    for (const eps of [0.1, 1]) {
      const analytic = crossEntropyBackward(logits, targets, R, V, eps);
      expectClose(`dLogits eps ${eps}`, analytic, numericGrad((z) => crossEntropyForward(z, targets, R, V, eps).loss, logits), FD_TOL);
      expectExact('dLogits PAD row', analytic.slice(V, 2 * V), [0, 0, 0, 0]);
    }
    // logits (0, ln 3): p = (1/4, 3/4); target 1, ε 0.2: 0.8·(−ln ¾) + 0.2·(−ln ¼ − ln ¾)/2.
    const r = crossEntropyForward([0, Math.log(3)], [1], 1, 2, 0.2);
    expect(r.loss).toBeCloseTo(0.8 * -Math.log(0.75) + (0.2 * (-Math.log(0.25) - Math.log(0.75))) / 2, 14);
    expectClose('smoothed dLogits', crossEntropyBackward([0, Math.log(3)], [1], 1, 2, 0.2), [0.25 - 0.1, 0.75 - 0.9], { atol: 1e-15, rtol: 0 });
    expect(() => crossEntropyForward(logits, targets, R, V, 1.5)).toThrow('crossEntropyForward: label smoothing must be in [0, 1], got 1.5.');
  });

  it('stays finite for huge logits', () => {
    const r = crossEntropyForward([1000, -1000, 0], [2], 1, 3);
    expect(r.loss).toBeCloseTo(1000, 10);
  });

  it('argmax takes the lowest index on ties', () => {
    expectExact('argmax', argmax([1, 3, 3, -1, -2, -1, 0, 0, 0], 3, 3), [1, 0, 0]);
  });
});

describe('optimizer reference', () => {
  it('gradNorm and its clip scale', () => {
    expect(gradNorm([3, 4], 0)).toEqual({ norm: 5, scale: 1 });
    expect(gradNorm([3, 4], 10).scale).toBe(1);
    expect(gradNorm([3, 4], 1).scale).toBeCloseTo(1 / (5 + 1e-6), 15);
  });

  it('Adam matches the closed form of its first step and PyTorch semantics afterwards', () => {
    const h = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    const p = Float64Array.of(1, -1, 0);
    const g = [0.5, -2, 0];
    const m = new Float64Array(3);
    const v = new Float64Array(3);
    adamStep(p, g, m, v, 1, 1, h);
    // Step 1: m̂ = g, v̂ = g², so p -= lr · g / (|g| + ε).
    expectClose('p after step 1', p, [1 - 0.1 * (0.5 / (0.5 + 1e-8)), -1 + 0.1 * (2 / (2 + 1e-8)), 0], { atol: 1e-15, rtol: 1e-14 });
    // Step 2 with scale 0.5, written out.
    const g2 = g.map((x) => x * 0.5);
    const m2 = g.map((x, i) => 0.9 * (0.1 * x) + 0.1 * g2[i]);
    const v2 = g.map((x, i) => 0.999 * (0.001 * x * x) + 0.001 * g2[i] * g2[i]);
    const expected = Array.from(p, (x, i) => x - (0.1 * m2[i]) / (1 - 0.81) / (Math.sqrt(v2[i] / (1 - 0.999 ** 2)) + 1e-8));
    adamStep(p, g, m, v, 2, 0.5, h);
    expectClose('p after step 2', p, expected, { atol: 1e-15, rtol: 1e-13 });
  });

  it('SGD', () => {
    const p = Float64Array.of(1, 2);
    sgdStep(p, [1, -1], 0.1, 0.5);
    expectClose('p', p, [0.95, 2.05], { atol: 1e-15, rtol: 0 });
  });
});

describe('sequence reference', () => {
  it('reverses each sequence within its length and pads after it', () => {
    // (S=3, B=3), lengths 3, 1, 0
    const tokens = [1, 2, 3, 4, 0, 0, 5, 0, 0];
    expectExact('reversed', reverseSequences(tokens, [3, 1, 0], 3, 3), [5, 2, 0, 4, 0, 0, 1, 0, 0]);
  });
});
