// The reduction builders' refusals. Their kernels (column sums, plain and accumulating, and the
// two-stage sum of squares) are checked by the check kit (src/check/cases/reduce.ts, run by
// test/gpu/op_kit.test.ts).
import { describe, expect, it } from 'vitest';
import { kernelPage } from '../helpers/kernel_page.ts';

const page = kernelPage();

describe('reduce builder', () => {
  it('rejects wrong shapes and aliased outputs with a sentence naming the tensor', async () => {
    const messages = await page.shapeErrors();
    expect(messages[0]).toMatch(/column_sum: dy is \(M, N\) = \(3, 5\) = 15 elements, but its view has 14/);
  });

  page.expectNoPageErrors();
});
