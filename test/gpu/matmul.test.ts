// The matmul family on WebGPU in headless Chrome against the float64 CPU reference:
// every layout at sizes that do not divide the tile, bias, each activation, accumulate,
// batches with padded strides, exactness on small integers, determinism, shape errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../../src/harness/harness.ts';
import { matmulForward, type Activation } from '../../src/reference/matmul.ts';
import { expectClose, expectExact, randomArray } from '../helpers/close.ts';
import type { MatmulCase } from './pages/matmul.ts';

const PAGE = '/test/gpu/pages/matmul.ts';
let h: Harness;

beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h?.close();
});

type Layout = 'NN' | 'NT' | 'TN';
const LAYOUTS: Layout[] = ['NN', 'NT', 'TN'];
const SHAPES: [number, number, number][] = [
  [5, 7, 3],
  [13, 9, 17],
  [1, 1, 1],
  [33, 35, 37], // crosses the 32x32 workgroup tile and any K unroll
  [64, 20, 64],
];

const ints = (n: number, seed: number) => randomArray(n, seed, -4, 5).map(Math.floor);

interface Spec {
  M: number; N: number; K: number; layout: Layout; batch?: number; pad?: number;
  bias?: boolean; accumulate?: boolean; activation?: Activation; integers?: boolean; seed?: number;
}

function makeCase(s: Spec): MatmulCase {
  const batch = s.batch ?? 1;
  const pad = s.pad ?? 0;
  const strideA = s.M * s.K + pad;
  const strideB = s.K * s.N + pad;
  const strideC = s.M * s.N + pad;
  const len = (stride: number, size: number) => (batch - 1) * stride + size;
  const seed = s.seed ?? 1;
  const gen = (n: number, k: number) => (s.integers ? ints(n, seed * 10 + k) : randomArray(n, seed * 10 + k));
  return {
    M: s.M, N: s.N, K: s.K,
    transA: s.layout === 'TN', transB: s.layout === 'NT',
    a: gen(len(strideA, s.M * s.K), 1),
    b: gen(len(strideB, s.K * s.N), 2),
    bias: s.bias ? gen(s.N, 3) : undefined,
    c0: s.accumulate ? gen(len(strideC, s.M * s.N), 4) : randomArray(len(strideC, s.M * s.N), 99, 100, 200).map(Math.fround),
    accumulate: s.accumulate, activation: s.activation,
    batch, strideA: batch > 1 ? strideA : undefined, strideB: batch > 1 ? strideB : undefined, strideC: batch > 1 ? strideC : undefined,
  };
}

function expected(t: MatmulCase): number[] {
  const c = t.c0.slice();
  matmulForward(t.a, t.b, c, t);
  if (t.batch && t.batch > 1 && t.strideC) {
    // Padding between batch items is never written.
    for (let p = 0; p < t.batch - 1; p++) for (let i = p * t.strideC + t.M * t.N; i < (p + 1) * t.strideC; i++) c[i] = t.c0[i];
  }
  return c;
}

async function check(s: Spec): Promise<void> {
  const t = makeCase(s);
  const r = await h.call<{ first: number[]; second: number[] }>(PAGE, 'runMatmul', t);
  const name = `C ${s.layout} M=${s.M} N=${s.N} K=${s.K}`;
  if (s.integers) expectExact(name, r.first, expected(t));
  else expectClose(name, r.first, expected(t), { atol: 1e-5, rtol: 1e-4 });
  expectExact(`${name} (second run, bitwise)`, r.second, r.first);
}

describe('matmul on WebGPU', () => {
  for (const layout of LAYOUTS) {
    it.each(SHAPES)(`${layout} M=%i N=%i K=%i, small integers, exact`, async (M, N, K) => {
      await check({ M, N, K, layout, integers: true });
    });
  }

  it.each(LAYOUTS)('%s random floats with bias, close to float64', async (layout) => {
    await check({ M: 13, N: 9, K: 17, layout, bias: true });
  });

  it.each(['relu', 'tanh', 'sigmoid'] as Activation[])('%s epilogue after bias', async (activation) => {
    for (const layout of LAYOUTS) await check({ M: 13, N: 9, K: 17, layout, bias: true, activation, seed: 5 });
  });

  it.each(LAYOUTS)('%s accumulate: C += result, exact on integers', async (layout) => {
    await check({ M: 13, N: 9, K: 17, layout, accumulate: true, integers: true });
    await check({ M: 5, N: 7, K: 3, layout, accumulate: true, bias: true, integers: true, seed: 2 });
  });

  it.each(LAYOUTS)('%s batch 3 with padded strides', async (layout) => {
    await check({ M: 5, N: 7, K: 3, layout, batch: 3, pad: 2, integers: true });
    await check({ M: 13, N: 9, K: 17, layout, batch: 3, pad: 5, bias: true, activation: 'tanh' });
  });

  it('larger skinny shapes as the model uses them', async () => {
    await check({ M: 70, N: 100, K: 64, layout: 'NT', bias: true, activation: 'tanh' });
    await check({ M: 64, N: 100, K: 70, layout: 'TN', accumulate: true });
    await check({ M: 70, N: 64, K: 100, layout: 'NN' });
  });

  it('throws clear errors for mismatched shapes', async () => {
    const err = (args: object) => h.call<string | null>(PAGE, 'matmulError', args);
    expect(await err({ aLen: 15, bLen: 21, cLen: 35, M: 5, N: 7, K: 3 })).toBeNull();
    expect(await err({ aLen: 14, bLen: 21, cLen: 35, M: 5, N: 7, K: 3 })).toMatch(/A is \(M=5, K=3\) and needs 15 elements, but its view has 14/);
    expect(await err({ aLen: 15, bLen: 20, cLen: 35, M: 5, N: 7, K: 3 })).toMatch(/B is \(K=3, N=7\) and needs 21 elements/);
    expect(await err({ aLen: 15, bLen: 21, cLen: 34, M: 5, N: 7, K: 3 })).toMatch(/C is \(M=5, N=7\) and needs 35 elements/);
    expect(await err({ aLen: 30, bLen: 42, cLen: 69, M: 5, N: 7, K: 3, batch: 2 })).toMatch(/C .*batch 2.*needs 70 elements/);
    expect(await err({ aLen: 15, bLen: 21, cLen: 35, biasLen: 6, M: 5, N: 7, K: 3 })).toMatch(/bias needs N = 7 elements/);
    expect(await err({ aLen: 15, bLen: 21, cLen: 35, M: 5, N: 7, K: 3, accumulate: true, activation: 'relu' })).toMatch(/cannot be combined with accumulate/);
    expect(await err({ aLen: 35, bLen: 21, cLen: 35, M: 5, N: 7, K: 3, sameBuffer: true })).toMatch(/different buffer/);
    expect(await err({ aLen: 15, bLen: 21, cLen: 35, M: 5.5, N: 7, K: 3 })).toMatch(/M must be an integer/);
  });

  it('reports no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
