// The masked recurrent update (shaders/recurrent.wgsl; the blog encoder's h = mask ? h' : h)
// on WebGPU in headless Chrome against the float64 reference (src/reference/recurrent.ts):
// odd sizes and offsets, two workgroups, in and out of place, nothing written outside dpre.
import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/harness.ts';
import { recurrentUpdateBackward, recurrentUpdateForward } from '../../src/reference/recurrent.ts';
import { expectClose, randomArray } from '../helpers/close.ts';
import type { RecurrentCase } from './pages/recurrent.ts';

const PAGE = '/test/gpu/pages/recurrent.ts';
const h = useHarness();

describe('masked recurrent update', () => {
  it.each([
    // B, H, t, lengths, in place
    [3, 5, 1, [2, 0, 5], false],
    [7, 13, 4, [1, 5, 4, 9, 3, 5, 6], true], // 91 elements: two workgroups
    [1, 1, 0, [1], false],
    [5, 33, 2, [2, 3, 1, 2, 8], true],
  ] as [number, number, number, number[], boolean][])('B=%i H=%i t=%i lengths=%j inPlace=%s', async (B, H, t, lengths, inPlace) => {
    const n = B * H;
    const c: RecurrentCase = {
      B, H, t, lengths, inPlace,
      x: randomArray(n, B * 10 + 1, -2, 2),
      g: randomArray(n, B * 10 + 2, -2, 2),
      hPrev: randomArray(n, B * 10 + 3),
      dh: randomArray(n, B * 10 + 4),
    };
    const r = await h.call<{ hOut: number[]; dcarry: number[]; dpre: number[]; dpreGuard: string[] }>(PAGE, 'runRecurrent', c);
    const f32 = (a: number[]) => Array.from(Float32Array.from(a));
    const hOut = recurrentUpdateForward(f32(c.x), f32(c.g), f32(c.hPrev), lengths, t, B, H);
    expectClose('h_out', r.hOut, hOut, { atol: 1e-6, rtol: 1e-5 });
    // The backward reads the GPU's own h_out, as in the model.
    const { dpre, dcarry } = recurrentUpdateBackward(f32(c.dh), r.hOut, lengths, t, B, H);
    expectClose('dpre', r.dpre, dpre, { atol: 1e-6, rtol: 1e-5 });
    expect(r.dcarry).toEqual(Array.from(dcarry));
    expect(r.dpreGuard.every((s) => s === 'NaN')).toBe(true);
  });
});

describe('recurrent page', () => {
  it('reports no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
