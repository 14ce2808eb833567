// Multi-head attention on WebGPU against the float64 reference: the composition of strided
// per-head matmuls around the masked softmax (src/models/layers/multihead.ts), at sizes that do
// not divide the workgroups: 1 and 3 heads, causal and key-padding masks, lengths 1 and max and
// 0, keys and values interleaved in one matrix. Every case runs twice (bitwise equal) and no
// kernel writes outside its view. The softmax alone at these layouts, and the Transformer's
// other kernels (layer norm, dropout, positions), are checked by the check kit
// (src/check/cases/, run by test/gpu/op_kit.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../../src/runtimes/chrome/harness.ts';
import { expectClose } from '../helpers/close.ts';
import { expectStable, rand } from '../helpers/kernel_page.ts';
import { multiheadBackward, multiheadForward, type MultiheadShape } from '../../src/reference/multihead.ts';
import type { Outputs } from './pages/kernels.ts';
import type { MultiheadCase } from './pages/transformer.ts';

const PAGE = '/test/gpu/pages/transformer.ts';
let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h?.close();
});


function multiheadCase(x: MultiheadShape, lengths: number[], seed: number): MultiheadCase {
  const { B, T, S, d } = x;
  return { ...x, lengths, q: rand(B * T * d, seed, -1.5, 1.5), kv: rand(B * S * 2 * d, seed + 1, -1.5, 1.5), dOut: rand(B * T * d, seed + 2) };
}

/** Columns [col, col + d) of every row of width w. */
const columns = (xs: number[], w: number, col: number, d: number) => xs.filter((_, i) => i % w >= col && i % w < col + d);

describe('multi-head attention', () => {
  it.each([
    ['cross-attention, 3 heads, d=9, T=5, S=7, lengths 1, 7, 4', multiheadCase({ B: 3, T: 5, S: 7, d: 9, heads: 3, causal: false }, [1, 7, 4], 10)],
    ['causal self-attention, 1 head, d=5, T=S=6, a sample of length 0', multiheadCase({ B: 2, T: 6, S: 6, d: 5, heads: 1, causal: true }, [6, 0], 20)],
    ['causal with padding, 2 heads, d=6, T=S=4, B=5', multiheadCase({ B: 5, T: 4, S: 4, d: 6, heads: 2, causal: true }, [4, 1, 3, 2, 4], 30)],
  ])('%s: output, weights and gradients match the reference', async (_name, c) => {
    const runs = await h.call<Outputs[]>(PAGE, 'multihead', c);
    expectStable('multihead', runs);
    const r = runs[0];
    const [k, v] = [columns(c.kv, 2 * c.d, 0, c.d), columns(c.kv, 2 * c.d, c.d, c.d)];
    const fwd = multiheadForward(c, c.q, k, v, c.lengths);
    expectClose('weights', r.weights.data, fwd.A);
    expectClose('out', r.out.data, fwd.out);
    const g = multiheadBackward(c, c.q, k, v, fwd.A, c.lengths, c.dOut);
    expectClose('dq', r.dq.data, g.dq);
    expectClose('dk', columns(r.dkv.data, 2 * c.d, 0, c.d), g.dk);
    expectClose('dv', columns(r.dkv.data, 2 * c.d, c.d, c.d), g.dv);
    expect(r.out.data.every(Number.isFinite) && r.dq.data.every(Number.isFinite), 'no NaN from fully masked rows').toBe(true);
  });
});

describe('transformer kernel page', () => {
  it('reports no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
