// Tolerance checks that explain themselves: |a - b| <= atol + rtol * |ref|, and a failure
// names the tensor, the worst index and both values.
import { expect } from 'vitest';

export interface Tolerance {
  atol: number;
  rtol: number;
}

export const F32_TOL: Tolerance = { atol: 1e-5, rtol: 1e-4 };

type Numbers = ArrayLike<number>;

/** Returns null when every element is within tolerance, else a sentence naming the worst one. */
export function compareClose(name: string, actual: Numbers, expected: Numbers, tol: Tolerance = F32_TOL): string | null {
  if (actual.length !== expected.length) return `${name}: length ${actual.length}, expected ${expected.length}`;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const excess = Number.isFinite(a) ? Math.abs(a - e) - (tol.atol + tol.rtol * Math.abs(e)) : Infinity;
    if (excess > worstExcess || (excess > 0 && worst < 0)) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst < 0) return null;
  const a = actual[worst];
  const e = expected[worst];
  return `${name}[${worst}] = ${a}, expected ${e} (|diff| ${Math.abs(a - e).toExponential(3)} > ${tol.atol} + ${tol.rtol}·|ref|)`;
}

export function expectClose(name: string, actual: Numbers, expected: Numbers, tol: Tolerance = F32_TOL): void {
  const problem = compareClose(name, actual, expected, tol);
  expect(problem, problem ?? '').toBeNull();
}

/** Exact equality with the first differing index named. */
export function expectExact(name: string, actual: Numbers, expected: Numbers): void {
  expect(actual.length, `${name} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i]) && actual[i] !== expected[i]) {
      expect.fail(`${name}[${i}] = ${actual[i]}, expected exactly ${expected[i]}`);
    }
  }
}

/** A seeded uniform stream in [lo, hi) for test inputs (mulberry32). */
export function seededUniform(seed: number, lo = -1, hi = 1): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return lo + (hi - lo) * u;
  };
}

export function randomArray(n: number, seed: number, lo = -1, hi = 1): number[] {
  const next = seededUniform(seed, lo, hi);
  return Array.from({ length: n }, () => next());
}
