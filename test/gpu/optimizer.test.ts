// The optimizer kernels (global gradient norm and clip scale, Adam, SGD) on WebGPU in headless
// Chrome against the float64 reference, at sizes that do not divide the workgroups; every case
// runs twice and must give bitwise the same result, and no kernel may write outside its view
// (test/gpu/pages/kernels.ts runs the cases).
import { describe, expect, it } from 'vitest';
import { expectClose, type Tolerance } from '../helpers/close.ts';
import { expectStable, kernelPage, rand } from '../helpers/kernel_page.ts';
import { adamStep, gradNorm, sgdStep } from '../../src/reference/optimizer.ts';
import type { OptimizerRun, Outputs } from './pages/kernels.ts';

const page = kernelPage();

describe('optimizer kernels', () => {
  it('global gradient norm and clip scale', async () => {
    const cases = [
      { grads: rand(1, 100), clipNorm: 0 },
      { grads: rand(131073, 101), clipNorm: 5 }, // three partial blocks, the last holding one element; clipping active
      { grads: rand(300, 102, -0.01, 0.01), clipNorm: 5 }, // below the clip: scale 1
      { grads: Array(17).fill(0), clipNorm: 1 },
    ];
    const results = await page.call<Outputs[][]>('gradNorms', cases);
    cases.forEach((c, i) => {
      const name = `gradNorm n=${c.grads.length} clip=${c.clipNorm}`;
      expectStable(name, results[i]);
      const ref = gradNorm(c.grads, c.clipNorm);
      expectClose(name, results[i][0].stats.data, [ref.norm, ref.scale], { atol: 1e-6, rtol: 1e-5 });
    });
  });

  const steps = 5;
  const runs: OptimizerRun[] = [
    { optimizer: 'adam', params: rand(1031, 110), grads: [...Array(steps)].map((_, k) => rand(1031, 111 + k, -1, 1)), clipNorm: 5, lr: 0.01 },
    { optimizer: 'adam', params: rand(37, 120), grads: [...Array(steps)].map((_, k) => rand(37, 121 + k, -0.1, 0.1)), clipNorm: 0, lr: 0.001 },
    { optimizer: 'adam', params: rand(5, 130), grads: [...Array(3)].map((_, k) => rand(5, 131 + k)), clipNorm: 0, lr: 0.1, noClipping: true },
    { optimizer: 'sgd', params: rand(77, 140), grads: [...Array(3)].map((_, k) => rand(77, 141 + k, -2, 2)), clipNorm: 3, lr: 0.1 },
    { optimizer: 'sgd', params: rand(6, 150), grads: [...Array(2)].map((_, k) => rand(6, 151 + k)), clipNorm: 0, lr: 0.5, noClipping: true },
  ];

  it('Adam and SGD over several steps, with and without clipping, match the reference', async () => {
    const results = await page.call<{ runs: Outputs[]; stats: number[][] }[]>('optimizerRuns', runs);
    runs.forEach((c, i) => {
      const name = `${c.optimizer} n=${c.params.length} clip=${c.clipNorm}${c.noClipping ? ' (no stats)' : ''}`;
      const r = results[i];
      expectStable(name, r.runs);
      const p = Float64Array.from(c.params);
      const m = new Float64Array(p.length);
      const v = new Float64Array(p.length);
      c.grads.forEach((g, k) => {
        const { norm, scale } = c.noClipping ? { norm: 0, scale: 1 } : gradNorm(g, c.clipNorm);
        if (!c.noClipping) expectClose(`${name} step ${k + 1} [norm, scale]`, r.stats[k], [norm, scale], { atol: 1e-6, rtol: 1e-5 });
        if (c.clipNorm > 0 && k === 0 && c.params.length > 100) expect(scale, `${name}: clipping should be active`).toBeLessThan(1);
        if (c.optimizer === 'adam') adamStep(p, g, m, v, k + 1, scale, { lr: c.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
        else sgdStep(p, g, c.lr, scale);
      });
      const tight: Tolerance = { atol: 1e-6, rtol: 1e-5 };
      expectClose(`${name} params`, r.runs[0].params.data, p, tight);
      if (c.optimizer === 'adam') {
        expectClose(`${name} m`, r.runs[0].m.data, m, tight);
        expectClose(`${name} v`, r.runs[0].v.data, v, { atol: 1e-9, rtol: 1e-4 });
      }
    });
  });
});

describe('optimizer builder', () => {
  it('rejects wrong shapes and aliased outputs with a sentence naming the tensor', async () => {
    const messages = await page.shapeErrors();
    expect(messages[4]).toMatch(/adam: params is written, so it must live in a different buffer from m/);
  });

  page.expectNoPageErrors();
});
