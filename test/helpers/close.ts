// The tests' face of the one tolerance rule and the one seeded generator (src/check/):
// a failure names the tensor, the worst index and both values.
import { expect } from 'vitest';
import { compare, failure, F32_TOL, type Tolerance } from '../../src/check/compare.ts';
import { seededUniform } from '../../src/check/random.ts';

export { F32_TOL, type Tolerance } from '../../src/check/compare.ts';
export { seededUniform } from '../../src/check/random.ts';

type Numbers = ArrayLike<number>;

/** Returns null when every element is within tolerance, else a sentence naming the worst one. */
export function compareClose(name: string, actual: Numbers, expected: Numbers, tol: Tolerance = F32_TOL): string | null {
  return failure(compare(name, actual, expected, tol));
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

export function randomArray(n: number, seed: number, lo = -1, hi = 1): number[] {
  const next = seededUniform(seed, lo, hi);
  return Array.from({ length: n }, () => next());
}

/**
 * Every named gradient against its float64 reference, the absolute tolerance scaled by the
 * tensor's largest reference value: gradients of one model span orders of magnitude, and a
 * tiny tensor must not pass on atol alone.
 */
export function expectGradientsClose(names: Iterable<string>, actual: Record<string, Numbers>, expected: Record<string, Numbers>): void {
  for (const name of names) {
    let scale = 0;
    for (let i = 0; i < expected[name].length; i++) scale = Math.max(scale, Math.abs(expected[name][i]));
    expectClose(name, actual[name], expected[name], { atol: 1e-5 * Math.max(scale, 1e-3), rtol: 1e-4 });
  }
}
