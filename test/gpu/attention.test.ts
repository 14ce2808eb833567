// The attention kernels between the matmuls on WebGPU against the float64 reference
// (src/reference/attention.ts): the fused masked softmax and its backward with source lengths
// 1 and max in one batch, every sample a different length, a length of 0 (all-zero row, no NaN),
// beam rows (group K); the row copy at sizes that do not divide the workgroup. Every case
// runs twice (bitwise equal) and no kernel writes outside its view.
import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/harness.ts';
import { copyRows, maskedSoftmax, maskedSoftmaxBackward, rowLength } from '../../src/reference/attention.ts';
import { expectClose, expectExact, randomArray } from '../helpers/close.ts';
import type { CopyCase, SoftmaxCase } from './pages/attention.ts';
import type { Outputs } from './pages/kernels.ts';
import { expectStable, f32 } from '../helpers/kernel_page.ts';

const PAGE = '/test/gpu/pages/attention.ts';
const h = useHarness();

function softmaxCase(R: number, S: number, B: number, group: number, lengths: number[], seed: number, extra: { scale?: number; causal?: number } = {}): SoftmaxCase {
  return { R, S, B, group, lengths, scores: f32(randomArray(R * S, seed, -4, 4)), dA: f32(randomArray(R * S, seed + 1)), ...extra };
}

describe('masked softmax kernels', () => {
  it.each([
    ['rows b·T + t (group T=3), B=5, lengths 1..max all different', softmaxCase(15, 6, 5, 3, [1, 6, 3, 2, 5], 10)],
    ['rows t·B + b (group 1), B=6, S=13 (a permutation of lengths), 100 rows', softmaxCase(102, 13, 6, 1, [4, 1, 13, 2, 7, 3], 20)],
    ['beam rows b·K + i (group K=4), one sample of length 0', softmaxCase(8, 5, 2, 4, [0, 5], 30)],
    // Transformer scores (B, heads, T, S): group heads·T, scale 1/√d_head.
    ['3 heads, T=5, S=7, scale 1/√3, lengths 1, 7, 0', softmaxCase(45, 7, 3, 15, [1, 7, 0], 40, { scale: 1 / Math.sqrt(3) })],
    ['causal, 1 head, T=S=6, padding too', softmaxCase(18, 6, 3, 6, [6, 2, 1], 50, { causal: 6, scale: 0.5 })],
    ['causal, 2 heads, T=S=5, 35 rows', softmaxCase(40, 5, 4, 10, [5, 5, 3, 4], 60, { causal: 5 })],
  ])('%s: forward and backward match the reference', async (name, c) => {
    const runs = await h.call<Outputs[]>(PAGE, 'softmax', c);
    expectStable(name, runs);
    const r = runs[0];
    const rows = { R: c.R, S: c.S, B: c.B, group: c.group, scale: c.scale, causal: c.causal };
    const A = maskedSoftmax(rows, c.scores, c.lengths);
    expectClose('weights', r.weights.data, A);
    expectClose('dScores', r.dScores.data, maskedSoftmaxBackward(rows, r.weights.data, c.dA, c.lengths));
    for (let row = 0; row < c.R; row++) {
      const len = rowLength(rows, c.lengths, row);
      const w = r.weights.data.slice(row * c.S, (row + 1) * c.S);
      expect(w.slice(len).every((v) => v === 0), `row ${row}: padding gets exactly 0`).toBe(true);
      expect(r.dScores.data.slice(row * c.S + len, (row + 1) * c.S).every((v) => v === 0), `row ${row}: no gradient into padding`).toBe(true);
      if (len === 1) expect(w[0]).toBe(1);
    }
  });
});

describe('masked softmax kernels with a row copy beside them', () => {
  it.each([
    ['rows b·T + t (group T=3), B=5, lengths 1..max, W=13', softmaxCase(15, 6, 5, 3, [1, 6, 3, 2, 5], 70), 13],
    ['rows t·B + b (group 1), B=6, S=13, 102 rows (not a multiple of the workgroup), W=7', softmaxCase(102, 13, 6, 1, [4, 1, 13, 2, 7, 3], 80), 7],
  ])('%s: the softmax as without the copy, the copy exact', async (name, c, W) => {
    const input = f32(randomArray(c.R * W, W + 3));
    const out0 = f32(randomArray(c.R * 2 * W, W + 4));
    const runs = await h.call<Outputs[]>(PAGE, 'softmaxWithCopies', { ...c, W, input, out0 });
    expectStable(name, runs);
    const r = runs[0];
    const rows = { R: c.R, S: c.S, B: c.B, group: c.group };
    expectClose('weights', r.weights.data, maskedSoftmax(rows, c.scores, c.lengths));
    expectClose('dScores', r.dScores.data, maskedSoftmaxBackward(rows, r.weights.data, c.dA, c.lengths));
    expectExact('cat', r.cat.data, Array.from(copyRows(input, out0.slice(), { rows: c.R, W, outStride: 2 * W, outCol: W })));
    expectExact('dq', r.dq.data, Array.from(copyRows(out0, new Float64Array(c.R * W), { rows: c.R, W, inStride: 2 * W, inCol: W })));
  });
});

describe('attention row copy', () => {
  it.each([
    ['q into the second half of [c ; q]: 63 rows, W=13', 63, 13, 13, 0, 26, 13],
    ['one row, one column', 1, 1, 1, 0, 1, 0],
    ['between strided rows: 70 rows, W=29 from column 3 of 37 into column 1 of 31', 70, 29, 37, 3, 31, 1],
  ])('%s: exact, the rest of out kept', async (name, rows, W, inStride, inCol, outStride, outCol) => {
    const c: CopyCase = { rows, W, inStride, inCol, outStride, outCol, input: f32(randomArray(rows * inStride, W + 1)), out0: f32(randomArray(rows * outStride, W + 2)) };
    const runs = await h.call<Outputs[]>(PAGE, 'copy', c);
    expectStable(name, runs);
    expectExact('out', runs[0].out.data, Array.from(copyRows(c.input, c.out0.slice(), c)));
  });

  it('builders reject wrong shapes, aliased outputs and columns past the row, with one sentence', async () => {
    const errors = await h.call<string[]>(PAGE, 'attentionErrors');
    expect(errors[0]).toMatch(/^masked_softmax: x is \(R, S\) = \(2, 3\) = 6 elements, but its view has 5\.$/);
    expect(errors[1]).toMatch(/^copy_rows: out is written, so it must live in a different buffer from input/);
    expect(errors[2]).toBe('copy_rows: out columns [2, 5) do not fit rows of 4.');
  });

  it('reports no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
