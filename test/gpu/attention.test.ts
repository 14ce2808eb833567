// The attention kernels on WebGPU against the float64 reference (src/reference/attention.ts):
// source lengths 1 and max in one batch, every sample a different length, H and R·2H not
// dividing the workgroup, beam rows (group K); every case runs twice (bitwise equal) and
// no kernel writes outside its view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../../src/harness/harness.ts';
import {
  attentionContextForward,
  attentionKeysBackward,
  attentionQueryBackward,
  attentionWeightsBackward,
  attentionWeightsForward,
} from '../../src/reference/attention.ts';
import { expectClose, expectExact, randomArray } from '../helpers/close.ts';
import type { AttentionCase } from './pages/attention.ts';
import type { Outputs } from './pages/kernels.ts';

const PAGE = '/test/gpu/pages/attention.ts';
let h: Harness;

beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h?.close();
});

const f32 = (xs: number[]) => Array.from(Float32Array.from(xs));

function makeCase(R: number, S: number, B: number, H: number, group: number, lengths: number[], seed: number): AttentionCase {
  return {
    R, S, B, H, group, lengths,
    q: f32(randomArray(R * H, seed, -1.5, 1.5)),
    keys: f32(randomArray(S * B * H, seed + 1, -1.5, 1.5)),
    hbar: f32(randomArray(S * B * H, seed + 2)),
    dCat: f32(randomArray(R * 2 * H, seed + 3)),
  };
}

function expectStable(runs: Outputs[]): void {
  for (const [tensor, out] of Object.entries(runs[0])) {
    expect(out.guardsIntact, `a kernel wrote outside ${tensor}`).toBe(true);
    expectExact(`${tensor} run 2 vs run 1`, runs[1][tensor].data, out.data);
  }
}

describe('attention kernels', () => {
  it.each([
    ['T=3, B=5, lengths 1..max all different, H=13', makeCase(15, 6, 5, 13, 1, [1, 6, 3, 2, 5], 10)],
    ['T=4, B=6, H=29, lengths a permutation of 1..6', makeCase(24, 6, 6, 29, 1, [4, 1, 6, 2, 5, 3], 20)],
    ['one sample of length 1, H=1', makeCase(2, 1, 1, 1, 1, [1], 30)],
    ['beam rows b·K + i, K=3 (forward only)', makeCase(6, 5, 2, 7, 3, [5, 1], 40)],
  ])('%s: forward and backward match the reference', async (_name, c) => {
    const runs = await h.call<Outputs[]>(PAGE, 'attention', c);
    expectStable(runs);
    const r = runs[0];
    const x = { R: c.R, S: c.S, B: c.B, H: c.H, group: c.group };
    const A = attentionWeightsForward(x, c.q, c.keys, c.lengths);
    expectClose('weights', r.weights.data, A);
    expectClose('cat', r.cat.data, attentionContextForward(x, A, c.hbar, c.q));
    // Padding gets exactly zero weight; a length-1 source exactly one.
    for (let row = 0; row < c.R; row++) {
      const len = c.lengths[Math.floor(row / c.group) % c.B];
      const w = r.weights.data.slice(row * c.S, (row + 1) * c.S);
      expect(w.slice(len).every((v) => v === 0), `row ${row} padding`).toBe(true);
      if (len === 1) expect(w[0]).toBe(1);
    }
    if (c.group !== 1) return;
    // Backward from the GPU's own weights, so only the backward is judged.
    const dS = attentionWeightsBackward(x, r.weights.data, c.dCat, c.hbar);
    expectClose('dScores', r.dScores.data, dS);
    expectClose('dq', r.dq.data, attentionQueryBackward(x, r.dScores.data, c.keys, c.dCat));
    const k = attentionKeysBackward(x, r.dScores.data, r.weights.data, c.q, c.dCat);
    expectClose('dKeys', r.dKeys.data, k.dKeys);
    expectClose('dHbar', r.dHbar.data, k.dHbar);
  });

  it('builders reject wrong shapes and aliased outputs with one sentence', async () => {
    const errors = await h.call<string[]>(PAGE, 'attentionErrors');
    expect(errors[0]).toMatch(/attention_weights: q is \(R, H\) = \(2, 4\) = 8 elements, but its view has 7/);
    expect(errors[1]).toBe('no error');
    expect(errors[2]).toMatch(/attention_context: cat is written, so it must live in a different buffer from weights/);
  });

  it('reports no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
