// The sequence-reversal kernel on WebGPU in headless Chrome against the float64 reference, at
// sizes that do not divide the workgroups; every case runs twice and must give bitwise the
// same result, and no kernel may write outside its view (test/gpu/pages/kernels.ts runs the
// cases).
import { describe, expect, it } from 'vitest';
import { expectExact } from '../helpers/close.ts';
import { expectStable, kernelPage, randInt } from '../helpers/kernel_page.ts';
import { reverseSequences } from '../../src/reference/sequence.ts';
import type { Outputs } from './pages/kernels.ts';

const page = kernelPage();

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
    const results = await page.call<Outputs[][]>('reversals', cases);
    cases.forEach((c, i) => {
      const name = `reverse (${c.steps}, ${c.batch})`;
      expectStable(name, results[i]);
      expectExact(name, results[i][0].out.data, reverseSequences(c.tokens, c.lengths, c.steps, c.batch));
    });
  });
});

describe('sequence builder', () => {
  it('rejects wrong shapes and aliased outputs with a sentence naming the tensor', async () => {
    const messages = await page.shapeErrors();
    expect(messages[5]).toMatch(/reverse_sequences: lengths is \(B\) = \(2\) = 2 elements, but its view has 3/);
  });

  page.expectNoPageErrors();
});
