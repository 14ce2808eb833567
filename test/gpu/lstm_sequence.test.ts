// The sequence kernels' limit (one LSTM layer over all its steps in one dispatch): the largest
// H the device's workgroups hold runs against the float64 reference, one more is refused in one
// sentence. Their cases at awkward sizes (H not a multiple of the workgroup, B not of the 4-row
// slice, mixed lengths 1..T, fewer live steps than recorded, the decoder's zero start) live in
// the check kit (src/check/cases/lstm_sequence.ts, run by test/gpu/op_kit.test.ts).
import { describe, expect, it } from 'vitest';
import { failure, type CheckResult } from '../../src/check/compare.ts';
import { useHarness } from '../helpers/harness.ts';

const PAGE = '/test/gpu/pages/lstm_sequence.ts';
const KIT_PAGE = '/test/gpu/pages/op_kit.ts';
const h = useHarness();

describe('LSTM sequence kernels at the device limit', () => {
  it('accepts the largest H the device allows and refuses one more in one sentence', async () => {
    const { max, error } = await h.call<{ max: number; error: string }>(PAGE, 'sequenceLimits');
    expect(max).toBeGreaterThanOrEqual(64);
    expect(error).toBe(`lstm_sequence_forward: H ${max + 1} is more than the ${max} hidden units this device's workgroups hold; record the steps one by one instead.`);
    for (const op of ['lstm_sequence_forward', 'lstm_sequence_backward']) {
      const results = await h.call<CheckResult[]>(KIT_PAGE, 'runKitOp', op, [{ B: 2, H: max, E: 1, V: 3, T: 2 }]);
      expect(results.length).toBeGreaterThan(2);
      for (const r of results) expect(failure(r), failure(r) ?? '').toBeNull();
    }
  }, 300_000);

  it('reports no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
