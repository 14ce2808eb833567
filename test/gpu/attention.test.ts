// The attention builders' refusals (src/ops/attention.ts): each a single sentence naming the
// argument. The kernels themselves are checked by the check kit (src/check/cases/attention.ts,
// run by test/gpu/op_kit.test.ts) against the float64 reference.
import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/harness.ts';

const PAGE = '/test/gpu/pages/attention.ts';
const h = useHarness();

describe('attention builders', () => {
  it('reject wrong shapes, aliased outputs and columns past the row, with one sentence', async () => {
    const errors = await h.call<string[]>(PAGE, 'attentionErrors');
    expect(errors[0]).toMatch(/^masked_softmax: x is \(R, S\) = \(2, 3\) = 6 elements, but its view has 5\.$/);
    expect(errors[1]).toMatch(/^copy_rows: out is written, so it must live in a different buffer from input/);
    expect(errors[2]).toBe('copy_rows: out columns [2, 5) do not fit rows of 4.');
  });

  it('reports no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
