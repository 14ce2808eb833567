// The sequence kernels (one LSTM layer over all its steps in one dispatch, forward and
// backward through time) against the float64 reference (src/reference/lstm_sequence.ts) at
// awkward sizes: H not a multiple of the workgroup, B not a multiple of the 4-row slice,
// mixed lengths including 1 and the maximum, fewer live steps than recorded, the largest H.
import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/harness.ts';
import { lstmRecurrenceBackward, lstmRecurrenceForward } from '../../src/reference/lstm_sequence.ts';
import { expectClose } from '../helpers/close.ts';
import { rand } from '../helpers/kernel_page.ts';
import type { SequenceInputs } from './pages/lstm_sequence.ts';

const PAGE = '/test/gpu/pages/lstm_sequence.ts';
const h = useHarness();

type Result = Record<'gates' | 'h' | 'c' | 'dGates' | 'dh0' | 'dc0', number[]> & { bitwiseRepeat: boolean };

function inputs(B: number, H: number, steps: number, lengths: number[] | null, live: number, withAbove: boolean): SequenceInputs {
  const n = B * H;
  const G = 4 * H;
  const seed = B * 1000 + H * 10 + steps;
  return {
    B, H, steps, lengths, live,
    gx: rand(steps * B * G, seed, -1.5, 1.5),
    whh: rand(G * H, seed + 1, -1 / Math.sqrt(H), 1 / Math.sqrt(H)),
    bhh: rand(G, seed + 2, -0.5, 0.5),
    h0: rand(n, seed + 3, -0.5, 0.5),
    c0: rand(n, seed + 4, -1, 1),
    above: withAbove ? rand(steps * n, seed + 5) : null,
    dh: rand(n, seed + 6),
    dc: rand(n, seed + 7),
  };
}

/** The reference: rows past `live` hold their state like rows past their length. */
function reference(x: SequenceInputs) {
  const lengths = Array.from({ length: x.B }, (_, b) => Math.min(x.lengths?.[b] ?? x.steps, x.live));
  const d = { B: x.B, H: x.H, steps: x.steps, lengths };
  const fwd = lstmRecurrenceForward(x.gx, x.whh, x.bhh, x.h0, x.c0, d);
  const zero = new Array(x.B * x.H).fill(0);
  return { fwd, bwd: lstmRecurrenceBackward(fwd, x.whh, x.above ?? undefined, x.zeroIn ? zero : x.dh, x.zeroIn ? zero : x.dc, d) };
}

function expectMatches(r: Result, x: SequenceInputs): void {
  const { fwd, bwd } = reference(x);
  const G = 4 * x.H;
  // Gates of steps no row runs are never written (nothing reads them): compare the live ones.
  expectClose('gates', r.gates.slice(0, x.live * x.B * G), fwd.gates.subarray(0, x.live * x.B * G));
  expectClose('h', r.h, fwd.h);
  expectClose('c', r.c, fwd.c);
  const tol = { atol: 1e-5, rtol: 1e-4 };
  expectClose('dGates', r.dGates, bwd.dGates, tol);
  expectClose('dh0', r.dh0, bwd.dh0, tol);
  expectClose('dc0', r.dc0, bwd.dc0, tol);
  expect(r.bitwiseRepeat).toBe(true);
}

describe('LSTM sequence kernels against the float64 reference', () => {
  it.each([
    // B, H, steps, lengths, live, above
    [1, 1, 1, null, 1, false],
    [6, 13, 5, [3, 1, 5, 2, 5, 4], 5, true], // B not a multiple of 4, H not of 32, lengths 1 and max
    [7, 33, 6, [1, 6, 2, 2, 3, 1, 4], 6, true], // H just past a multiple of 32
    [5, 8, 6, [2, 1, 4, 3, 4], 4, false], // the batch's longest length 4 < 6 recorded steps
    [3, 20, 4, null, 2, true], // no mask (the decoder), 2 live steps of 4
    [9, 32, 3, null, 3, false],
  ] as [number, number, number, number[] | null, number, boolean][])('B=%i H=%i steps=%i lengths %j live %i above %s', async (B, H, steps, lengths, live, withAbove) => {
    const x = inputs(B, H, steps, lengths, live, withAbove);
    expectMatches(await h.call<Result>(PAGE, 'sequenceRun', x), x);
  }, 120_000);

  it('starts the backward from zero dh, dc without reading them (zeroIn, the decoder)', async () => {
    const x = { ...inputs(6, 13, 5, null, 4, true), zeroIn: true };
    expectMatches(await h.call<Result>(PAGE, 'sequenceRun', x), x);
  }, 120_000);

  it('accepts the largest H the device allows and refuses one more in one sentence', async () => {
    const { max, error } = await h.call<{ max: number; error: string }>(PAGE, 'sequenceLimits');
    expect(max).toBeGreaterThanOrEqual(64);
    expect(error).toBe(`lstm_sequence_forward: H ${max + 1} is more than the ${max} hidden units this device's workgroups hold; record the steps one by one instead.`);
    const x = inputs(2, max, 2, [2, 1], 2, true);
    expectMatches(await h.call<Result>(PAGE, 'sequenceRun', x), x);
  }, 300_000);

  it('reports no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
