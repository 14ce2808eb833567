// The fused softmax cross-entropy and greedy argmax kernels on WebGPU in headless Chrome
// against the float64 reference, at sizes that do not divide the workgroups; every case runs
// twice and must give bitwise the same result, and no kernel may write outside its view
// (test/gpu/pages/kernels.ts runs the cases).
import { describe, expect, it } from 'vitest';
import { expectClose, expectExact } from '../helpers/close.ts';
import { expectStable, kernelPage, f32, rand, randInt } from '../helpers/kernel_page.ts';
import { argmax, crossEntropyBackward, crossEntropyForward } from '../../src/reference/cross_entropy.ts';
import type { CrossEntropyCase, Outputs } from './pages/kernels.ts';

const page = kernelPage();

describe('cross-entropy and argmax kernels', () => {
  const cases: CrossEntropyCase[] = [
    { rows: 7, vocab: 11, targets: [3, 0, 10, 1, 0, 5, 5], logits: rand(77, 80, -3, 3) },
    // Huge logits: only a max-subtracted softmax stays finite in float32.
    { rows: 3, vocab: 5, targets: [1, 4, 2], logits: rand(15, 81, -90, 90) },
    // Every row PAD: loss 0, no gradient.
    { rows: 2, vocab: 3, targets: [0, 0], logits: rand(6, 82) },
    // More rows than the reduction workgroup (256), mixed PAD.
    { rows: 301, vocab: 4, targets: randInt(301, 83, 0, 4), logits: rand(1204, 84, -2, 2) },
    // Label smoothing, with PAD rows, and its extreme ε = 1 (a uniform target).
    { rows: 7, vocab: 11, targets: [3, 0, 10, 1, 0, 5, 5], logits: rand(77, 80, -3, 3), smoothing: 0.1 },
    { rows: 3, vocab: 5, targets: [1, 4, 2], logits: rand(15, 85, -3, 3), smoothing: 1 },
  ];

  it('fused loss and gradient match the reference; PAD rows are ignored', async () => {
    const results = await page.call<Outputs[][]>('crossEntropies', cases);
    cases.forEach((c, i) => {
      const name = `crossEntropy R=${c.rows} V=${c.vocab}`;
      const [r] = results[i];
      expectStable(name, results[i]);
      const eps = c.smoothing ?? 0;
      const ref = crossEntropyForward(c.logits, c.targets, c.rows, c.vocab, eps);
      expectClose(`${name} loss`, r.loss.data, [ref.loss], { atol: 1e-5, rtol: 1e-5 });
      expectExact(`${name} count`, [r.scratch.data[c.rows]], [ref.count]);
      expectClose(`${name} row losses`, r.scratch.data.slice(0, c.rows), ref.rowLoss, { atol: 1e-5, rtol: 1e-5 });
      expectClose(`${name} dLogits`, r.dLogits.data, crossEntropyBackward(c.logits, c.targets, c.rows, c.vocab, eps));
    });
  });

  it('smoothing 0 gives bitwise the unsmoothed result', async () => {
    const plain = cases[0];
    const [a, b] = await page.call<Outputs[][]>('crossEntropies', [plain, { ...plain, smoothing: 0 }]);
    for (const t of ['loss', 'dLogits', 'scratch']) expectExact(t, b[0][t].data, a[0][t].data);
  });

  it('argmax picks the lowest index among ties', async () => {
    const tied = [1, 5, 5, 0, -2, -2, -2, -2, 3, 3, 3, 9, 0.5, 0.25, 0.5, 0.5].concat(rand(9 * 13 - 16, 90));
    const cases = [
      { rows: 9, cols: 13, x: f32(tied) },
      { rows: 70, cols: 3, x: randInt(210, 91, -2, 3) }, // small integers: many ties
      { rows: 2, cols: 1, x: [4, -4] },
    ];
    const results = await page.call<Outputs[][]>('argmaxes', cases);
    cases.forEach((c, i) => {
      const name = `argmax (${c.rows}, ${c.cols})`;
      expectStable(name, results[i]);
      expectExact(name, results[i][0].out.data, argmax(c.x, c.rows, c.cols));
    });
  });
});

describe('cross_entropy builder', () => {
  it('rejects wrong shapes and aliased outputs with a sentence naming the tensor', async () => {
    const messages = await page.shapeErrors();
    expect(messages[3]).toMatch(/cross_entropy: dLogits is written, so it must live in a different buffer from loss/);
  });

  page.expectNoPageErrors();
});
