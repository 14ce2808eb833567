// The matmul family beyond what op_kit.test.ts runs (the kit's training-step shapes,
// src/check/cases/matmul.ts): that the kit reaches every kernel this device has; shapes no
// step's dims give, through the kit's own case builder (every kernel that fits, tiled
// included, each into its own C, against float64, twice bitwise equal, sentinels kept):
// hand-picked ones that cross or fill every block and tile, 1×1×1 and K = 0, the sigmoid
// epilogue, the tanh gradient and accumulation with row strides, packed batches with gaps;
// then what the kit cannot express: odd view offsets, a device without subgroups, shape
// errors, the subgroup numbering probe.
import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/harness.ts';
import { failure, type CheckResult } from '../../src/check/compare.ts';
import type { MatmulLayout, MatmulShape, Stored } from '../../src/check/cases/matmul_shape.ts';
import { WHOLE_TILE_SIZES } from '../../src/gpucheck/kernels.ts';
import { expectExact } from '../helpers/close.ts';
import { expectedC, ints } from '../helpers/matmul_cases.ts';
import type { KernelRun, MatmulCase } from './pages/matmul.ts';

const PAGE = '/test/gpu/pages/matmul.ts';
const KIT_PAGE = '/test/gpu/pages/op_kit.ts';
const h = useHarness();

const LAYOUTS: MatmulLayout[] = ['NN', 'NT', 'TN'];

function expectPassed(results: CheckResult[]): void {
  expect(results.length).toBeGreaterThan(0);
  for (const r of results) expect(failure(r), failure(r) ?? '').toBeNull();
}

const kernelsIn = (results: CheckResult[]) => [...new Set(results.map((r) => /\[([^\]]+)\]/.exec(r.name)?.[1]).filter(Boolean))].sort();

const runShapes = async (shapes: MatmulShape[]) => h.call<CheckResult[]>(KIT_PAGE, 'runMatmulShapes', shapes);

/** Each operand's rows interleaved with the other batch items' (rows batch·width + gap apart), as one sample's rows of a time-major tensor. */
function interleaved(s: { layout: MatmulLayout; M: number; N: number; K: number; batch: number }, gap: number): { a: Stored; b: Stored; c: Stored } {
  const rows = (width: number): Stored => ({ stride: width, ld: s.batch * width + gap });
  return { a: rows(s.layout === 'TN' ? s.M : s.K), b: rows(s.layout === 'NT' ? s.K : s.N), c: rows(s.N) };
}

describe('matmul kernels beyond the check kit', () => {
  it("the kit's matmul cases reach every kernel this device has, and fill whole tiles", async () => {
    const results = await h.call<CheckResult[]>(KIT_PAGE, 'runKitOp', 'matmul', [{ B: 3, H: 5, E: 7, V: 11, T: 4 }, WHOLE_TILE_SIZES]);
    expectPassed(results);
    const quads = (await h.call<boolean>(PAGE, 'hasSubgroups')) ? LAYOUTS.flatMap((l) => [`${l.toLowerCase()}-quad16`, `${l.toLowerCase()}-quad8`]) : [];
    const tiled = (await h.call<boolean>(PAGE, 'tiledKernelFits')) ? ['tiled64'] : [];
    expect(kernelsIn(results)).toEqual(['generic4x4', ...LAYOUTS.map((l) => `${l.toLowerCase()}16x8-wg16`), ...quads, ...tiled].sort());
  });

  it.each(LAYOUTS)('%s hand-picked shapes crossing every block, quad, tile and K slice; 1×1×1; exact on small integers', async (layout) => {
    const sizes: [number, number, number][] = [[1, 1, 1], [37, 35, 19], [33, 35, 37], [65, 67, 33], [68, 132, 36], [128, 64, 20], [129, 64, 16], [70, 100, 64]];
    expectPassed(await runShapes(sizes.map(([M, N, K]) => ({ name: 'hand-picked', layout, M, N, K, integers: true }))));
    // Floats through the bias and tanh epilogue, unaligned and aligned.
    expectPassed(await runShapes([[37, 35, 19], [68, 132, 36]].map(([M, N, K]) => ({ name: 'hand-picked', layout, M, N, K, epilogue: 'bias+tanh' }))));
  });

  it.each(LAYOUTS)('%s sigmoid epilogue (no model step uses it) and K = 0 (C is the bias)', async (layout) => {
    const shapes: MatmulShape[] = [
      { name: 'sigmoid', layout, M: 13, N: 9, K: 17, epilogue: 'bias+sigmoid' },
      { name: 'sigmoid', layout, M: 20, N: 12, K: 8, epilogue: 'bias+sigmoid' },
      { name: 'K = 0', layout, M: 9, N: 5, K: 0, epilogue: 'bias', integers: true },
      { name: 'K = 0', layout, M: 68, N: 36, K: 0, epilogue: 'bias', integers: true },
    ];
    expectPassed(await runShapes(shapes));
  });

  it.each(LAYOUTS)('%s row strides with the tanh gradient and accumulation; packed batches with gaps between items', async (layout) => {
    const shape = (M: number, N: number, K: number, batch: number) => ({ layout, M, N, K, batch });
    const [M, K] = layout === 'TN' ? [20, 13] : [21, 12];
    const shapes: MatmulShape[] = [
      { name: 'rows apart, tanh-grad', ...shape(M, 20, K, 3), ...interleaved(shape(M, 20, K, 3), 4), epilogue: 'tanh-grad' },
      { name: 'rows apart, accumulate', ...shape(M, 20, K, 3), ...interleaved(shape(M, 20, K, 3), 4), epilogue: 'accumulate', integers: true },
      { name: 'rows 1 apart', ...shape(5, 7, 3, 4), ...interleaved(shape(5, 7, 3, 4), 1), integers: true },
      { name: 'rows 3 apart', ...shape(66, 9, 17, 2), ...interleaved(shape(66, 9, 17, 2), 3), integers: true },
      { name: 'gaps of 4', ...shape(20, 12, 8, 3), a: { stride: 20 * 8 + 4 }, b: { stride: 8 * 12 + 4 }, c: { stride: 20 * 12 + 4 }, integers: true },
      { name: 'gaps of 2', ...shape(20, 12, 8, 3), a: { stride: 20 * 8 + 2 }, b: { stride: 8 * 12 + 2 }, c: { stride: 20 * 12 + 2 }, integers: true },
      { name: 'gaps of 5', ...shape(13, 9, 17, 3), a: { stride: 13 * 17 + 5 }, b: { stride: 17 * 9 + 5 }, c: { stride: 13 * 9 + 5 }, epilogue: 'bias+tanh' },
    ];
    expectPassed(await runShapes(shapes));
  });

  it.each(LAYOUTS)('%s at odd view offsets only the generic kernel runs; without subgroups the 16x8 kernels stand in', async (layout) => {
    const [M, N, K] = [20, 12, 8];
    const t = (pad: number, subgroups: boolean): MatmulCase => ({
      M, N, K, transA: layout === 'TN', transB: layout === 'NT', a: ints(M * K, 1), b: ints(K * N, 2), bias: ints(N, 3), c0: Array(M * N).fill(0), pad, subgroups,
    });
    for (const [pad, subgroups, kernels] of [[3, true, ['auto', 'generic4x4']], [4, false, ['auto', `${layout.toLowerCase()}16x8-wg16`, 'generic4x4']]] as const) {
      const runs = await h.call<KernelRun[]>(PAGE, 'runMatmul', t(pad, subgroups));
      expect(runs.map((r) => r.kernel)).toEqual(kernels);
      for (const r of runs) {
        expectExact(`${layout} offset ${pad} [${r.kernel}]`, r.first, expectedC(t(pad, subgroups)));
        expectExact(`${layout} offset ${pad} [${r.kernel}] second run`, r.second, r.first);
      }
    }
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
