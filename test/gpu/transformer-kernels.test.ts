// The Transformer's kernels on WebGPU against the float64 references, at sizes that do not
// divide the workgroups: layer norm (forward, dx written and accumulated, dγ, dβ), multi-head
// attention (1 and 3 heads, causal and key-padding masks, lengths 1 and max and 0, keys and
// values interleaved in one matrix), dropout (the reference's exact mask, in and out of place)
// and sinusoidal positions. Every case runs twice (bitwise equal) and no kernel writes outside
// its view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../../src/runtimes/chrome/harness.ts';
import { expectClose, expectExact } from '../helpers/close.ts';
import { expectStable, rand } from '../helpers/kernel_page.ts';
import { layerNormBackward, layerNormForward } from '../../src/reference/layer_norm.ts';
import { multiheadBackward, multiheadForward, type MultiheadShape } from '../../src/reference/multihead.ts';
import { dropoutForward, dropoutMask } from '../../src/reference/dropout.ts';
import { positionsBackward, positionsForward, positionTable } from '../../src/reference/positions.ts';
import type { Outputs } from './pages/kernels.ts';
import type { DropoutCase, LayerNormCase, MultiheadCase, PositionsCase } from './pages/transformer.ts';

const PAGE = '/test/gpu/pages/transformer.ts';
let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h?.close();
});

const f32 = (xs: ArrayLike<number>) => Array.from(Float32Array.from(xs));

describe('layer norm kernels', () => {
  it.each([
    ['R=67 rows (past one workgroup), D=13', 67, 13],
    ['one row, D=1 (x̂ is 0)', 1, 1],
    ['R=5, D=70 (D past one workgroup)', 5, 70],
  ])('%s: match the reference', async (_name, R, D) => {
    const c: LayerNormCase = { R, D, x: rand(R * D, R + D, -3, 3), gamma: rand(D, 2, 0.5, 1.5), beta: rand(D, 3), dy: rand(R * D, 4), dxPrev: rand(R * D, 5) };
    const runs = await h.call<Outputs[]>(PAGE, 'layerNorm', c);
    expectStable('layer norm', runs);
    const r = runs[0];
    const fwd = layerNormForward(c.x, c.gamma, c.beta, R, D);
    expectClose('y', r.y.data, fwd.y);
    expectClose('mean', r.stats.data.filter((_, i) => i % 2 === 0), fwd.mean);
    expectClose('rstd', r.stats.data.filter((_, i) => i % 2 === 1), fwd.rstd, { atol: 1e-5, rtol: 1e-4 });
    const g = layerNormBackward(c.x, c.gamma, fwd.mean, fwd.rstd, c.dy, R, D);
    const tol = { atol: 1e-4, rtol: 1e-4 };
    expectClose('dx', r.dx.data, g.dx, tol);
    expectClose('dx accumulated', r.dxAcc.data, g.dx.map((v, i) => v + c.dxPrev[i]), tol);
    expectClose('dGamma', r.dGamma.data, g.dGamma, tol);
    expectClose('dBeta', r.dBeta.data, g.dBeta, tol);
  });
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

describe('dropout kernel', () => {
  it.each([
    ['p 0.3, 1000 elements (not a multiple of 256)', { p: 0.3, seed: 7, step: 12, tensor: 5, x: rand(1000, 40) }],
    ['p 0.9, a seed above 2^32, step 0', { p: 0.9, seed: 2 ** 40 + 3, step: 0, tensor: 0, x: rand(77, 41) }],
    ['p 0: the identity', { p: 0, seed: 1, step: 1, tensor: 1, x: rand(5, 42) }],
  ] as [string, DropoutCase][])('%s: exactly the reference mask and scale', async (_name, c) => {
    const runs = await h.call<Outputs[]>(PAGE, 'dropoutCase', c);
    expectStable('dropout', runs);
    const want = f32(dropoutForward(c, c.x));
    expectExact('y', runs[0].y.data, want);
    expectExact('in place', runs[0].inPlace.data, want);
    expectExact('residual x + dropout(x)', runs[0].sum.data, f32(want.map((v, i) => c.x[i] + v)));
    if (c.p === 0) expectExact('identity', runs[0].y.data, c.x);
    else expect(dropoutMask(c, c.x.length).includes(0)).toBe(true);
  });
});

describe('sinusoidal positions kernel', () => {
  it.each([
    ['batch-major rows b·S + s: R=3·7, d=9 (odd)', 21, 9, 7, 1],
    ['time-major rows s·B + b: B=4, S=5, d=6', 20, 6, 5, 4],
  ])('%s: forward and backward match the reference', async (_name, R, d, P, div) => {
    const c: PositionsCase = { R, d, P, div, scale: Math.sqrt(d), x: rand(R * d, R), table: f32(positionTable(P, d)), dy: rand(R * d, R + 1) };
    const runs = await h.call<Outputs[]>(PAGE, 'positions', c);
    expectStable('positions', runs);
    expectClose('y', runs[0].y.data, positionsForward(c, c.x, c.table));
    expectClose('dx', runs[0].dx.data, positionsBackward(c, c.dy));
  });

  it('reports no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
