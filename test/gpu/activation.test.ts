// The activation kernels (relu, tanh, sigmoid; forward and backward, in and out of place) on
// WebGPU in headless Chrome against the float64 reference, at sizes that do not divide the
// workgroups; every case runs twice and must give bitwise the same result, and no kernel may
// write outside its view (test/gpu/pages/kernels.ts runs the cases).
import { describe, expect, it } from 'vitest';
import { expectClose, expectExact } from '../helpers/close.ts';
import { expectStable, kernelPage, rand } from '../helpers/kernel_page.ts';
import { activationBackward, activationForward } from '../../src/reference/activation.ts';
import type { ActivationCase, Outputs } from './pages/kernels.ts';

const page = kernelPage();

describe('activation kernels', () => {
  const cases: ActivationCase[] = [];
  for (const act of ['relu', 'tanh', 'sigmoid'] as const) {
    for (const [n, seed] of [[1, 1], [67, 2], [301, 3]]) {
      const x = rand(n, seed, -4, 4);
      if (n > 3) x.splice(0, 3, 0, act === 'sigmoid' ? 100 : 30, act === 'sigmoid' ? -100 : -30); // a kink and saturation
      cases.push({ act, x, dy: rand(n, seed + 10), dxPrev: rand(n, seed + 20) });
    }
  }

  it('forward in and out of place, backward plain, accumulating and in place match the reference', async () => {
    const results = await page.call<Outputs[][]>('activations', cases);
    cases.forEach((c, i) => {
      const name = `${c.act} n=${c.x.length}`;
      const [r] = results[i];
      expectStable(name, results[i]);
      const y = activationForward(c.act, c.x);
      expectClose(`${name} y`, r.y.data, y);
      expectExact(`${name} y in place`, r.yInplace.data, r.y.data);
      // The reference backward reads the GPU's own y (the contract: given the forward output).
      const dx = activationBackward(c.act, r.y.data, c.dy);
      expectClose(`${name} dx`, r.dx.data, dx);
      expectClose(`${name} dx accumulated`, r.dxAcc.data, activationBackward(c.act, r.y.data, c.dy, c.dxPrev));
      expectExact(`${name} dx in place`, r.dxInplace.data, r.dx.data);
    });
  });
});

describe('activation builder', () => {
  it('rejects wrong shapes and aliased outputs with a sentence naming the tensor', async () => {
    const messages = await page.shapeErrors();
    expect(messages[1]).toMatch(/tanh_backward: dx is written, so it must live in a different buffer from y/);
    expect(messages[6]).toMatch(/unknown activation 'gelu'/);
  });

  page.expectNoPageErrors();
});
