// The sequence-reversal builder's refusal. The kernel itself is checked by the check kit
// (src/check/cases/sequence.ts, run by test/gpu/op_kit.test.ts).
import { describe, expect, it } from 'vitest';
import { kernelPage } from '../helpers/kernel_page.ts';

const page = kernelPage();

describe('sequence builder', () => {
  it('rejects wrong shapes and aliased outputs with a sentence naming the tensor', async () => {
    const messages = await page.shapeErrors();
    expect(messages[5]).toMatch(/reverse_sequences: lengths is \(B\) = \(2\) = 2 elements, but its view has 3/);
  });

  page.expectNoPageErrors();
});
