// What the per-op GPU test files share: one headless-Chrome page per file running
// test/gpu/pages/kernels.ts, seeded float32 inputs, and the stability check every case
// passes (both runs bitwise equal, no write outside an output's view).
import { expect, it } from 'vitest';
import { useHarness } from './harness.ts';
import type { Outputs } from '../gpu/pages/kernels.ts';
import { expectExact, randomArray, seededUniform } from './close.ts';

const PAGE = '/test/gpu/pages/kernels.ts';

/** Opens the page before the file's tests and closes it after; `call` runs a page function. */
export function kernelPage() {
  const h = useHarness();
  return {
    call: <T>(fn: string, ...args: unknown[]) => h.call<T>(PAGE, fn, ...args),
    /** A function of another test page, on the same harness. */
    callPage: <T>(page: string, fn: string, ...args: unknown[]) => h.call<T>(page, fn, ...args),
    /** The builders' error sentences, in the order of pages/kernels.ts shapeErrors. */
    shapeErrors: () => h.call<string[]>(PAGE, 'shapeErrors'),
    /** Registers the file's last test: no console or page error. */
    expectNoPageErrors: () => it('reports no page errors', () => expect(h.pageErrors).toEqual([])),
  };
}

/** Rounded to float32, as the GPU sees them. */
export const f32 = (xs: number[]) => Array.from(Float32Array.from(xs));
export const rand = (n: number, seed: number, lo = -1, hi = 1) => f32(randomArray(n, seed, lo, hi));
export const randInt = (n: number, seed: number, lo: number, hi: number) => {
  const u = seededUniform(seed, lo, hi);
  return Array.from({ length: n }, () => Math.floor(u()));
};

/** Both runs bitwise equal, and every sentinel around every output intact. */
export function expectStable(name: string, runs: Outputs[]): void {
  for (const [tensor, out] of Object.entries(runs[0])) {
    expect(out.guardsIntact, `${name}: a kernel wrote outside ${tensor}`).toBe(true);
    expectExact(`${name}: ${tensor} run 2 vs run 1`, runs[1][tensor].data, out.data);
  }
}
