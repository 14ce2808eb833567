// The kernel families on WebGPU in headless Chrome against their float64 references, at
// sizes that do not divide the workgroups, with PAD rows and mixed lengths; every case
// runs twice and must give bitwise the same result, and no kernel may write outside its view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../../src/harness/harness.ts';
import { expectClose, expectExact, randomArray, seededUniform, type Tolerance } from '../helpers/close.ts';
import { activationBackward, activationForward } from '../../src/reference/activation.ts';
import { columnSum, sumOfSquares } from '../../src/reference/reduce.ts';
import { embeddingBackward, embeddingForward } from '../../src/reference/embedding.ts';
import { argmax, crossEntropyBackward, crossEntropyForward } from '../../src/reference/cross_entropy.ts';
import { adamStep, gradNorm, sgdStep } from '../../src/reference/optimizer.ts';
import { reverseSequences } from '../../src/reference/sequence.ts';
import type { ActivationCase, CrossEntropyCase, EmbeddingCase, OptimizerRun, Outputs } from './pages/kernels.ts';

const PAGE = '/test/gpu/pages/kernels.ts';
let h: Harness;

beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h?.close();
});

/** Rounded to float32, as the GPU sees them. */
const f32 = (xs: number[]) => Array.from(Float32Array.from(xs));
const rand = (n: number, seed: number, lo = -1, hi = 1) => f32(randomArray(n, seed, lo, hi));
const randInt = (n: number, seed: number, lo: number, hi: number) => {
  const u = seededUniform(seed, lo, hi);
  return Array.from({ length: n }, () => Math.floor(u()));
};

/** Both runs bitwise equal, and every sentinel around every output intact. */
function expectStable(name: string, runs: Outputs[]): void {
  for (const [tensor, out] of Object.entries(runs[0])) {
    expect(out.guardsIntact, `${name}: a kernel wrote outside ${tensor}`).toBe(true);
    expectExact(`${name}: ${tensor} run 2 vs run 1`, runs[1][tensor].data, out.data);
  }
}

describe('activation kernels', () => {
  const cases: ActivationCase[] = [];
  for (const act of ['relu', 'tanh', 'sigmoid'] as const) {
    for (const [n, seed] of [[1, 1], [67, 2], [301, 3]]) {
      const x = rand(n, seed, -4, 4);
      if (n > 3) x.splice(0, 3, 0, act === 'sigmoid' ? 100 : 30, act === 'sigmoid' ? -100 : -30); // a kink and saturation
      cases.push({ act, x, dy: rand(n, seed + 10), dxPrev: rand(n, seed + 20) });
    }
  }

  it('forward in and out of place, backward plain, accumulating and in place match the reference', async () => {
    const results = await h.call<Outputs[][]>(PAGE, 'activations', cases);
    cases.forEach((c, i) => {
      const name = `${c.act} n=${c.x.length}`;
      const [r] = results[i];
      expectStable(name, results[i]);
      const y = activationForward(c.act, c.x);
      expectClose(`${name} y`, r.y.data, y);
      expectExact(`${name} y in place`, r.yInplace.data, r.y.data);
      // The reference backward reads the GPU's own y (the contract: given the forward output).
      const dx = activationBackward(c.act, r.y.data, c.dy);
      expectClose(`${name} dx`, r.dx.data, dx);
      expectClose(`${name} dx accumulated`, r.dxAcc.data, activationBackward(c.act, r.y.data, c.dy, c.dxPrev));
      expectExact(`${name} dx in place`, r.dxInplace.data, r.dx.data);
    });
  });
});

describe('reduce kernels', () => {
  it('column sums (bias gradients), plain and accumulating', async () => {
    const shapes = [[5, 3], [1, 70], [13, 67], [300, 2]];
    const cases = shapes.map(([rows, cols], k) => ({ rows, cols, dy: rand(rows * cols, 30 + k), dbPrev: rand(cols, 40 + k) }));
    const results = await h.call<Outputs[][]>(PAGE, 'columnSums', cases);
    cases.forEach((c, i) => {
      const name = `columnSum (${c.rows}, ${c.cols})`;
      expectStable(name, results[i]);
      expectClose(`${name} db`, results[i][0].db.data, columnSum(c.dy, c.rows, c.cols));
      expectClose(`${name} db accumulated`, results[i][0].dbAcc.data, columnSum(c.dy, c.rows, c.cols, c.dbPrev));
    });
  });

  it('sum of squares over one, several and many partial blocks', async () => {
    const cases = [rand(1, 50), rand(257, 51), rand(70001, 52, -2, 2)]; // 1, 1 and 2 blocks of 65536
    const results = await h.call<Outputs[][]>(PAGE, 'sumsOfSquares', cases);
    cases.forEach((x, i) => {
      const name = `sumOfSquares n=${x.length}`;
      expectStable(name, results[i]);
      expectClose(`${name} out`, results[i][0].out.data, [sumOfSquares(x)], { atol: 1e-5, rtol: 1e-5 });
    });
  });
});

describe('embedding kernels', () => {
  const cases: EmbeddingCase[] = [
    // Repeated ids, PAD (0) used like any id, unused rows; R = 9 not a multiple of anything.
    { vocab: 7, dim: 5, ids: [3, 0, 3, 6, 1, 3, 0, 2, 6] },
    { vocab: 11, dim: 13, ids: randInt(23, 60, 0, 11) },
    { vocab: 3, dim: 1, ids: [2] },
    // dim % 4 == 0: the 4-per-invocation gather, with R·E/4 = 69 not a multiple of 64.
    { vocab: 9, dim: 12, ids: randInt(23, 62, 0, 9) },
  ].map((c, k) => ({
    ...c,
    weight: rand(c.vocab * c.dim, 61 + k),
    dOut: rand(c.ids.length * c.dim, 64 + k),
    dWPrev: rand(c.vocab * c.dim, 67 + k),
  }));

  it('gather exactly; backward sums in order, plain and accumulating', async () => {
    const results = await h.call<Outputs[][]>(PAGE, 'embeddings', cases);
    cases.forEach((c, i) => {
      const name = `embedding V=${c.vocab} E=${c.dim} R=${c.ids.length}`;
      const [r] = results[i];
      expectStable(name, results[i]);
      expectExact(`${name} out`, r.out.data, embeddingForward(c.weight, c.ids, c.vocab, c.dim));
      expectClose(`${name} dW`, r.dW.data, embeddingBackward(c.dOut, c.ids, c.vocab, c.dim));
      expectClose(`${name} dW accumulated`, r.dWAcc.data, embeddingBackward(c.dOut, c.ids, c.vocab, c.dim, c.dWPrev));
    });
  });

  it('ids outside the vocabulary gather zeros and add to no row', async () => {
    const c: EmbeddingCase = { vocab: 4, dim: 3, ids: [1, -1, 4, 1], weight: rand(12, 70), dOut: rand(12, 71), dWPrev: Array(12).fill(0) };
    const c4: EmbeddingCase = { vocab: 4, dim: 4, ids: [1, -1, 4, 1], weight: rand(16, 72), dOut: rand(16, 73), dWPrev: Array(16).fill(0) };
    const [[r], [r4]] = await h.call<Outputs[][]>(PAGE, 'embeddings', [c, c4]);
    const valid = [1, 0, 0, 1];
    const expectedOut = embeddingForward(c.weight, valid, 4, 3).map((v, k) => (Math.floor(k / 3) % 3 === 0 ? v : 0));
    expectExact('out with bad ids', r.out.data, expectedOut);
    const expectedOut4 = embeddingForward(c4.weight, valid, 4, 4).map((v, k) => (Math.floor(k / 4) % 3 === 0 ? v : 0));
    expectExact('out with bad ids (4 per invocation)', r4.out.data, expectedOut4);
    const dOutValid = c.dOut.map((v, k) => (Math.floor(k / 3) % 3 === 0 ? v : 0));
    expectClose('dW with bad ids', r.dW.data, embeddingBackward(dOutValid, valid, 4, 3));
  });
});

describe('cross-entropy and argmax kernels', () => {
  const cases: CrossEntropyCase[] = [
    { rows: 7, vocab: 11, targets: [3, 0, 10, 1, 0, 5, 5], logits: rand(77, 80, -3, 3) },
    // Huge logits: only a max-subtracted softmax stays finite in float32.
    { rows: 3, vocab: 5, targets: [1, 4, 2], logits: rand(15, 81, -90, 90) },
    // Every row PAD: loss 0, no gradient.
    { rows: 2, vocab: 3, targets: [0, 0], logits: rand(6, 82) },
    // More rows than the reduction workgroup (256), mixed PAD.
    { rows: 301, vocab: 4, targets: randInt(301, 83, 0, 4), logits: rand(1204, 84, -2, 2) },
  ];

  it('fused loss and gradient match the reference; PAD rows are ignored', async () => {
    const results = await h.call<Outputs[][]>(PAGE, 'crossEntropies', cases);
    cases.forEach((c, i) => {
      const name = `crossEntropy R=${c.rows} V=${c.vocab}`;
      const [r] = results[i];
      expectStable(name, results[i]);
      const ref = crossEntropyForward(c.logits, c.targets, c.rows, c.vocab);
      expectClose(`${name} loss`, r.loss.data, [ref.loss], { atol: 1e-5, rtol: 1e-5 });
      expectExact(`${name} count`, [r.scratch.data[c.rows]], [ref.count]);
      expectClose(`${name} row losses`, r.scratch.data.slice(0, c.rows), ref.rowLoss, { atol: 1e-5, rtol: 1e-5 });
      expectClose(`${name} dLogits`, r.dLogits.data, crossEntropyBackward(c.logits, c.targets, c.rows, c.vocab));
    });
  });

  it('argmax picks the lowest index among ties', async () => {
    const tied = [1, 5, 5, 0, -2, -2, -2, -2, 3, 3, 3, 9, 0.5, 0.25, 0.5, 0.5].concat(rand(9 * 13 - 16, 90));
    const cases = [
      { rows: 9, cols: 13, x: f32(tied) },
      { rows: 70, cols: 3, x: randInt(210, 91, -2, 3) }, // small integers: many ties
      { rows: 2, cols: 1, x: [4, -4] },
    ];
    const results = await h.call<Outputs[][]>(PAGE, 'argmaxes', cases);
    cases.forEach((c, i) => {
      const name = `argmax (${c.rows}, ${c.cols})`;
      expectStable(name, results[i]);
      expectExact(name, results[i][0].out.data, argmax(c.x, c.rows, c.cols));
    });
  });
});

describe('optimizer kernels', () => {
  it('global gradient norm and clip scale', async () => {
    const cases = [
      { grads: rand(1, 100), clipNorm: 0 },
      { grads: rand(131073, 101), clipNorm: 5 }, // three partial blocks, the last holding one element; clipping active
      { grads: rand(300, 102, -0.01, 0.01), clipNorm: 5 }, // below the clip: scale 1
      { grads: Array(17).fill(0), clipNorm: 1 },
    ];
    const results = await h.call<Outputs[][]>(PAGE, 'gradNorms', cases);
    cases.forEach((c, i) => {
      const name = `gradNorm n=${c.grads.length} clip=${c.clipNorm}`;
      expectStable(name, results[i]);
      const ref = gradNorm(c.grads, c.clipNorm);
      expectClose(name, results[i][0].stats.data, [ref.norm, ref.scale], { atol: 1e-6, rtol: 1e-5 });
    });
  });

  const steps = 5;
  const runs: OptimizerRun[] = [
    { optimizer: 'adam', params: rand(1031, 110), grads: [...Array(steps)].map((_, k) => rand(1031, 111 + k, -1, 1)), clipNorm: 5, lr: 0.01 },
    { optimizer: 'adam', params: rand(37, 120), grads: [...Array(steps)].map((_, k) => rand(37, 121 + k, -0.1, 0.1)), clipNorm: 0, lr: 0.001 },
    { optimizer: 'adam', params: rand(5, 130), grads: [...Array(3)].map((_, k) => rand(5, 131 + k)), clipNorm: 0, lr: 0.1, noClipping: true },
    { optimizer: 'sgd', params: rand(77, 140), grads: [...Array(3)].map((_, k) => rand(77, 141 + k, -2, 2)), clipNorm: 3, lr: 0.1 },
    { optimizer: 'sgd', params: rand(6, 150), grads: [...Array(2)].map((_, k) => rand(6, 151 + k)), clipNorm: 0, lr: 0.5, noClipping: true },
  ];

  it('Adam and SGD over several steps, with and without clipping, match the reference', async () => {
    const results = await h.call<{ runs: Outputs[]; stats: number[][] }[]>(PAGE, 'optimizerRuns', runs);
    runs.forEach((c, i) => {
      const name = `${c.optimizer} n=${c.params.length} clip=${c.clipNorm}${c.noClipping ? ' (no stats)' : ''}`;
      const r = results[i];
      expectStable(name, r.runs);
      const p = Float64Array.from(c.params);
      const m = new Float64Array(p.length);
      const v = new Float64Array(p.length);
      c.grads.forEach((g, k) => {
        const { norm, scale } = c.noClipping ? { norm: 0, scale: 1 } : gradNorm(g, c.clipNorm);
        if (!c.noClipping) expectClose(`${name} step ${k + 1} [norm, scale]`, r.stats[k], [norm, scale], { atol: 1e-6, rtol: 1e-5 });
        if (c.clipNorm > 0 && k === 0 && c.params.length > 100) expect(scale, `${name}: clipping should be active`).toBeLessThan(1);
        if (c.optimizer === 'adam') adamStep(p, g, m, v, k + 1, scale, { lr: c.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
        else sgdStep(p, g, c.lr, scale);
      });
      const tight: Tolerance = { atol: 1e-6, rtol: 1e-5 };
      expectClose(`${name} params`, r.runs[0].params.data, p, tight);
      if (c.optimizer === 'adam') {
        expectClose(`${name} m`, r.runs[0].m.data, m, tight);
        expectClose(`${name} v`, r.runs[0].v.data, v, { atol: 1e-9, rtol: 1e-4 });
      }
    });
  });
});

describe('sequence kernels', () => {
  it('reverses each sequence within its length, PAD after it', async () => {
    const cases = [
      { steps: 5, batch: 4, lengths: [5, 1, 3, 0] },
      { steps: 6, batch: 13, lengths: randInt(13, 160, 0, 7) },
      { steps: 1, batch: 1, lengths: [1] },
    ].map((c, k) => {
      const tokens = randInt(c.steps * c.batch, 170 + k, 1, 99);
      // PAD past each length, as the data pipeline gives it.
      for (let t = 0; t < c.steps; t++) for (let b = 0; b < c.batch; b++) if (t >= c.lengths[b]) tokens[t * c.batch + b] = 0;
      return { ...c, tokens };
    });
    const results = await h.call<Outputs[][]>(PAGE, 'reversals', cases);
    cases.forEach((c, i) => {
      const name = `reverse (${c.steps}, ${c.batch})`;
      expectStable(name, results[i]);
      expectExact(name, results[i][0].out.data, reverseSequences(c.tokens, c.lengths, c.steps, c.batch));
    });
  });
});

describe('builders', () => {
  it('reject wrong shapes and aliased outputs with sentences naming the tensor', async () => {
    const messages = await h.call<string[]>(PAGE, 'shapeErrors');
    expect(messages[0]).toMatch(/column_sum: dy is \(M, N\) = \(3, 5\) = 15 elements, but its view has 14/);
    expect(messages[1]).toMatch(/tanh_backward: dx is written, so it must live in a different buffer from y/);
    expect(messages[2]).toMatch(/embedding_forward: out is \(R, E\) = \(2, 3\) = 6 elements, but its view has 8/);
    expect(messages[3]).toMatch(/cross_entropy: dLogits is written, so it must live in a different buffer from loss/);
    expect(messages[4]).toMatch(/adam: params is written, so it must live in a different buffer from m/);
    expect(messages[5]).toMatch(/reverse_sequences: lengths is \(B\) = \(2\) = 2 elements, but its view has 3/);
    expect(messages[6]).toMatch(/unknown activation 'gelu'/);
  });

  it('leave no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
