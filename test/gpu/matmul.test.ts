// The matmul family on WebGPU in headless Chrome against the float64 CPU reference:
// every layout at sizes that do not divide the tile, bias, each activation, accumulate,
// batches with padded strides, exactness on small integers, determinism, shape errors.
import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/harness.ts';
import type { Activation } from '../../src/reference/activation.ts';
import { expectClose, expectExact, randomArray } from '../helpers/close.ts';
import { expectedC, interleavedCase, ints, type Layout } from '../helpers/matmul_cases.ts';
import type { KernelRun, MatmulCase } from './pages/matmul.ts';

const PAGE = '/test/gpu/pages/matmul.ts';
const h = useHarness();

const LAYOUTS: Layout[] = ['NN', 'NT', 'TN'];
const SHAPES: [number, number, number][] = [
  [5, 7, 3],
  [13, 9, 17],
  [1, 1, 1],
  [33, 35, 37], // crosses the 32x32 workgroup tile and any K unroll
  [64, 20, 64],
];
// Shapes where the vec4 kernels apply (multiples of 4 where each layout needs them) but
// nothing divides the 16x8 block or the workgroup tile.
const ALIGNED_SHAPES: Record<Layout, [number, number, number][]> = {
  NN: [[4, 4, 4], [20, 12, 8], [37, 36, 12], [70, 100, 64]],
  NT: [[1, 1, 4], [20, 9, 8], [37, 35, 12], [37, 36, 12], [70, 100, 64]],
  TN: [[4, 4, 1], [20, 12, 7], [36, 44, 13], [100, 64, 70]],
};

interface Spec {
  M: number; N: number; K: number; layout: Layout; batch?: number; pad?: number; viewPad?: number;
  bias?: boolean; accumulate?: boolean; activation?: Activation; integers?: boolean; seed?: number; subgroups?: boolean;
  /** Rows of the batch items interleaved (item p's rows one row width apart from item p−1's), plus this many elements between rows. */
  interleave?: number;
}

function makeCase(s: Spec): MatmulCase {
  if (s.interleave !== undefined) return interleavedCase({ ...s, batch: s.batch ?? 1, interleave: s.interleave });
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
    pad: s.viewPad, subgroups: s.subgroups,
  };
}

/** Checks matmul() and every kernel that fits; returns the kernel names that ran. */
async function check(s: Spec): Promise<string[]> {
  const t = makeCase(s);
  const runs = await h.call<KernelRun[]>(PAGE, 'runMatmul', t);
  const want = expectedC(t);
  for (const r of runs) {
    const name = `C ${s.layout} M=${s.M} N=${s.N} K=${s.K} [${r.kernel}]`;
    if (s.integers) expectExact(name, r.first, want);
    else expectClose(name, r.first, want, { atol: 1e-5, rtol: 1e-4 });
    expectExact(`${name} (second run, bitwise)`, r.second, r.first);
  }
  return runs.map((r) => r.kernel);
}

/** Both view alignments: odd offsets (generic kernel only) and multiples of 4 (vec4 kernels too). */
async function checkBoth(s: Spec): Promise<void> {
  await check({ ...s, viewPad: 3 });
  await check({ ...s, viewPad: 4 });
}

describe('matmul on WebGPU', () => {
  for (const layout of LAYOUTS) {
    it.each(SHAPES)(`${layout} M=%i N=%i K=%i, small integers, exact`, async (M, N, K) => {
      const kernels = await check({ M, N, K, layout, integers: true });
      expect(kernels).toEqual(['auto', 'generic4x4']);
    });
    it.each(ALIGNED_SHAPES[layout])(`${layout} M=%i N=%i K=%i aligned, every kernel, exact`, async (M, N, K) => {
      const kernels = await check({ M, N, K, layout, integers: true, viewPad: 4 });
      expect(kernels.length).toBeGreaterThan(2);
      const quads = [`${layout.toLowerCase()}-quad16`, `${layout.toLowerCase()}-quad8`];
      // The quad kernels write C as vec4: N a multiple of 4.
      if (N % 4 === 0 && (await h.call<boolean>(PAGE, 'hasSubgroups'))) expect(kernels).toEqual(expect.arrayContaining(quads));
      else expect(kernels.filter((k) => k.includes('quad'))).toEqual([]);
      // Without subgroups the 16x8 kernels stand in.
      const fallback = await check({ M, N, K, layout, integers: true, viewPad: 4, subgroups: false });
      expect(fallback).toEqual(['auto', `${layout.toLowerCase()}16x8-wg16`, 'generic4x4']);
    });
  }

  it.each(LAYOUTS)('%s random floats with bias, close to float64', async (layout) => {
    await check({ M: 13, N: 9, K: 17, layout, bias: true });
    await check({ M: 20, N: 12, K: 8, layout, bias: true, viewPad: 4 });
  });

  it.each(['relu', 'tanh', 'sigmoid'] as Activation[])('%s epilogue after bias', async (activation) => {
    for (const layout of LAYOUTS) await check({ M: 13, N: 9, K: 17, layout, bias: true, activation, seed: 5 });
    for (const layout of LAYOUTS) await check({ M: 20, N: 12, K: 8, layout, bias: true, activation, seed: 5, viewPad: 4 });
  });

  it.each(LAYOUTS)('%s tanh-gradient epilogue: C = result ⊙ (1 − y²), y laid out as C', async (layout) => {
    const withY = (t: MatmulCase): MatmulCase => ({ ...t, tanhGradOf: randomArray(t.c0.length, 7, -1, 1).map(Math.fround) });
    for (const s of [
      { M: 13, N: 9, K: 17, layout },
      { M: 20, N: 12, K: 8, layout, viewPad: 4 },
      { M: 21, N: 20, K: 12, layout, batch: 3, interleave: 4, viewPad: 4 },
    ] as Spec[]) {
      const t = withY(makeCase(s));
      const want = expectedC(t);
      for (const r of await h.call<KernelRun[]>(PAGE, 'runMatmul', t)) expectClose(`${layout} ${s.M}x${s.N}x${s.K} [${r.kernel}]`, r.first, want, { atol: 1e-5, rtol: 1e-4 });
    }
  });

  it.each(LAYOUTS)('%s accumulate: C += result, exact on integers', async (layout) => {
    await check({ M: 13, N: 9, K: 17, layout, accumulate: true, integers: true });
    await check({ M: 5, N: 7, K: 3, layout, accumulate: true, bias: true, integers: true, seed: 2 });
    await check({ M: 20, N: 12, K: 8, layout, accumulate: true, bias: true, integers: true, seed: 3, viewPad: 4 });
  });

  it.each(LAYOUTS)('%s batch 3 with padded strides', async (layout) => {
    await check({ M: 5, N: 7, K: 3, layout, batch: 3, pad: 2, integers: true });
    await check({ M: 13, N: 9, K: 17, layout, batch: 3, pad: 5, bias: true, activation: 'tanh' });
    await checkBoth({ M: 20, N: 12, K: 8, layout, batch: 3, pad: 4, integers: true });
    await check({ M: 20, N: 12, K: 8, layout, batch: 3, pad: 2, integers: true, viewPad: 4 }); // unaligned strides
  });

  it.each(LAYOUTS)('%s row strides: batch items with interleaved rows, every kernel, exact', async (layout) => {
    // Aligned (vec4 and quad kernels; TN: M a multiple of 4, K with a remainder), then rows 1
    // apart beyond the packed width (generic only).
    const [M, K] = layout === 'TN' ? [20, 13] : [21, 12];
    const aligned = await check({ M, N: 20, K, layout, batch: 3, interleave: 4, integers: true, viewPad: 4 });
    expect(aligned.length).toBeGreaterThan(2);
    await check({ M, N: 20, K, layout, batch: 3, interleave: 4, accumulate: true, integers: true, viewPad: 4, subgroups: false });
    const odd = await check({ M: 5, N: 7, K: 3, layout, batch: 4, interleave: 1, integers: true, viewPad: 4 });
    expect(odd).toEqual(['auto', 'generic4x4']);
  });

  it('larger skinny shapes as the model uses them', async () => {
    await checkBoth({ M: 70, N: 100, K: 64, layout: 'NT', bias: true, activation: 'tanh' });
    await checkBoth({ M: 64, N: 100, K: 70, layout: 'TN', accumulate: true });
    await checkBoth({ M: 70, N: 64, K: 100, layout: 'NN' });
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
    expect(await err({ aLen: 40, bLen: 21, cLen: 35, M: 5, N: 7, K: 3, lda: 2 })).toMatch(/A's row stride 2 is less than its row width 3/);
    expect(await err({ aLen: 15, bLen: 21, cLen: 35, M: 5, N: 7, K: 3, lda: 4 })).toMatch(/A is \(M=5, K=3\) with rows 4 apart and needs 19 elements/);
    expect(await err({ aLen: 30, bLen: 42, cLen: 200, M: 5, N: 7, K: 3, batch: 2, ldc: 14, strideC: 8 })).toMatch(/make batch items overlap in C/);
    expect(await err({ aLen: 30, bLen: 42, cLen: 70, M: 5, N: 7, K: 3, batch: 2, ldc: 14, strideC: 7 })).toBeNull();
  });

  it('the quad kernels run exactly when the subgroup numbering probe holds', async () => {
    const { feature, holds } = await h.call<{ feature: boolean; holds: boolean[] }>(PAGE, 'probeNumbering', [16, 6, 64]);
    const quads = await h.call<boolean>(PAGE, 'hasSubgroups');
    if (!feature) expect(quads).toBe(false);
    else {
      expect(holds).toEqual([true, true, true]); // SwiftShader: subgroups of 4, filled in order
      expect(quads).toBe(true);
    }
  });

  it('reports no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
