// The embedding gather and its deterministic scatter-add gradient on WebGPU in headless Chrome
// against the float64 reference, at sizes that do not divide the workgroups; every case runs
// twice and must give bitwise the same result, and no kernel may write outside its view
// (test/gpu/pages/kernels.ts runs the cases).
import { describe, expect, it } from 'vitest';
import { expectClose, expectExact } from '../helpers/close.ts';
import { expectStable, kernelPage, rand, randInt } from '../helpers/kernel_page.ts';
import { embeddingBackward, embeddingForward } from '../../src/reference/embedding.ts';
import type { EmbeddingCase, Outputs } from './pages/kernels.ts';

const page = kernelPage();

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
    const results = await page.call<Outputs[][]>('embeddings', cases);
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
    const [[r], [r4]] = await page.call<Outputs[][]>('embeddings', [c, c4]);
    const valid = [1, 0, 0, 1];
    const expectedOut = embeddingForward(c.weight, valid, 4, 3).map((v, k) => (Math.floor(k / 3) % 3 === 0 ? v : 0));
    expectExact('out with bad ids', r.out.data, expectedOut);
    const expectedOut4 = embeddingForward(c4.weight, valid, 4, 4).map((v, k) => (Math.floor(k / 4) % 3 === 0 ? v : 0));
    expectExact('out with bad ids (4 per invocation)', r4.out.data, expectedOut4);
    const dOutValid = c.dOut.map((v, k) => (Math.floor(k / 3) % 3 === 0 ? v : 0));
    expectClose('dW with bad ids', r.dW.data, embeddingBackward(dOutValid, valid, 4, 3));
  });
});

describe('embedding builder', () => {
  it('rejects wrong shapes and aliased outputs with a sentence naming the tensor', async () => {
    const messages = await page.shapeErrors();
    expect(messages[2]).toMatch(/embedding_forward: out is \(R, E\) = \(2, 3\) = 6 elements, but its view has 8/);
  });

  page.expectNoPageErrors();
});
