// The workgroup-memory tiled matmul forced on SwiftShader (matmul() takes it only on
// hardware adapters) against the float64 reference: every layout at sizes that divide
// neither the 64x64 tile nor the K slice of 16, bias, activations, accumulation, padded
// batches; small integers must be exact; two runs bitwise equal; nothing written outside C.
import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/harness.ts';
import type { Activation } from '../../src/reference/activation.ts';
import { expectClose, expectExact, randomArray } from '../helpers/close.ts';
import { expectedC, interleavedCase, ints, type Layout } from '../helpers/matmul_cases.ts';
import type { MatmulCase } from './pages/matmul.ts';
import type { TiledRun } from './pages/matmul_tiled.ts';

const PAGE = '/test/gpu/pages/matmul_tiled.ts';
const h = useHarness({ adapter: 'software' });

interface Spec { layout: Layout; M: number; N: number; K: number; integers?: boolean; bias?: boolean; activation?: Activation; accumulate?: boolean; batch?: number; pad?: number }

function makeCase(s: Spec, seed: number): MatmulCase {
  const batch = s.batch ?? 1;
  const strides = { a: s.M * s.K + 5, b: s.K * s.N + 2, c: s.M * s.N + 3 };
  const len = (stride: number, size: number) => (batch - 1) * stride + size;
  const gen = (n: number, k: number) => (s.integers ? ints(n, seed * 10 + k) : randomArray(n, seed * 10 + k));
  return {
    M: s.M, N: s.N, K: s.K, transA: s.layout === 'TN', transB: s.layout === 'NT',
    a: gen(len(strides.a, s.M * s.K), 1), b: gen(len(strides.b, s.K * s.N), 2),
    bias: s.bias ? gen(s.N, 3) : undefined,
    c0: gen(len(strides.c, s.M * s.N), 4),
    accumulate: s.accumulate, activation: s.activation, batch,
    strideA: batch > 1 ? strides.a : undefined, strideB: batch > 1 ? strides.b : undefined, strideC: batch > 1 ? strides.c : undefined,
    pad: s.pad ?? 3,
  };
}

async function check(s: Spec, seed = 1, built?: MatmulCase): Promise<void> {
  const t = built ?? makeCase(s, seed);
  const r = await h.call<TiledRun>(PAGE, 'runTiled', t);
  const name = `tiled ${s.layout} M=${s.M} N=${s.N} K=${s.K}${s.batch ? ` batch ${s.batch}` : ''}${t.ldc ? ` rows ${t.ldc} apart` : ''}`;
  const want = expectedC(t);
  if (s.integers) expectExact(name, r.first, want);
  else expectClose(name, r.first, want, { atol: 1e-5, rtol: 1e-4 });
  expectExact(`${name} second run`, r.second, r.first);
  const pad = t.pad ?? 3;
  const guards = [...r.whole.slice(0, pad), ...r.whole.slice(pad + t.c0.length)];
  expect(guards.every((g) => g === -777.25), `${name} wrote outside C`).toBe(true);
}

describe('tiled matmul (workgroup memory) forced on the software adapter', () => {
  const shapes: [number, number, number][] = [[1, 1, 1], [5, 7, 3], [65, 67, 17], [70, 130, 33], [129, 64, 16]];
  for (const layout of ['NN', 'NT', 'TN'] as const) {
    it.each(shapes)(`${layout} M=%i N=%i K=%i, small integers, exact`, async (M, N, K) => {
      await check({ layout, M, N, K, integers: true });
    });
  }

  it('bias with each activation, accumulation, and K = 0', async () => {
    for (const activation of ['relu', 'tanh', 'sigmoid'] as const) await check({ layout: 'NT', M: 37, N: 66, K: 19, bias: true, activation });
    await check({ layout: 'TN', M: 66, N: 35, K: 70, accumulate: true });
    await check({ layout: 'NN', M: 9, N: 5, K: 0, bias: true });
  });

  it('batches with padded strides at aligned (multiple-of-4) offsets', async () => {
    await check({ layout: 'NN', M: 21, N: 18, K: 23, batch: 3, integers: true, pad: 4 });
    await check({ layout: 'NT', M: 65, N: 3, K: 40, batch: 2, bias: true, pad: 4 });
  });

  // Attention reads one sample's rows of a time-major tensor in place (ops/matmul.ts lda/ldb/ldc);
  // on a hardware adapter those matmuls take this kernel.
  it.each(['NN', 'NT', 'TN'] as const)('%s row strides: batch items with interleaved rows, exact', async (layout) => {
    for (const [M, N, K, batch, interleave] of [[21, 20, 13, 3, 4], [5, 7, 3, 4, 1], [66, 9, 17, 2, 3]]) {
      const t = interleavedCase({ M, N, K, layout, batch, interleave, viewPad: 4 });
      await check({ layout, M, N, K, batch, integers: true, pad: 4 }, 1, t);
      await check({ layout, M, N, K, batch, integers: true, pad: 4 }, 2, interleavedCase({ M, N, K, layout, batch, interleave, viewPad: 4, accumulate: true, seed: 2 }));
    }
  });

  it.each(['NN', 'NT', 'TN'] as const)('%s tanh-gradient epilogue: C = result ⊙ (1 − y²), also with row strides', async (layout) => {
    const withY = (t: MatmulCase): MatmulCase => ({ ...t, tanhGradOf: randomArray(t.c0.length, 7, -1, 1).map(Math.fround) });
    await check({ layout, M: 37, N: 66, K: 19 }, 1, withY(makeCase({ layout, M: 37, N: 66, K: 19 }, 1)));
    await check({ layout, M: 21, N: 20, K: 12, batch: 3, pad: 4 }, 1, withY(interleavedCase({ M: 21, N: 20, K: 12, layout, batch: 3, interleave: 4, viewPad: 4 })));
  });
});
