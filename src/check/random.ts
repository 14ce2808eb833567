// The one seeded generator of test, bench and GPU-check inputs: the mulberry32 stream the
// parameter initialisation draws from (src/reference/init.ts), so every harness builds the
// same inputs from the same seed in Node and in the page.
import { Rng } from '../reference/init.ts';

/** A stream of values uniform in [lo, hi). */
export function seededUniform(seed: number, lo = -1, hi = 1): () => number {
  const rng = new Rng(seed);
  return () => rng.uniform(lo, hi);
}

/** n values uniform in [lo, hi), rounded to float32 as the GPU sees them.  (n) */
export function uniformF32(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const next = seededUniform(seed, lo, hi);
  return Float32Array.from({ length: n }, next);
}

/** n integers uniform in [lo, hi): exact in float32 products and sums of small size.  (n) */
export function integersF32(n: number, seed: number, lo: number, hi: number): Float32Array {
  const next = seededUniform(seed, lo, hi);
  return Float32Array.from({ length: n }, () => Math.floor(next()));
}

/** Token ids in [0, V) for R rows; every seventh is PAD (0), so masks matter.  (R) */
export function tokenIds(R: number, V: number, seed: number): Int32Array {
  const next = seededUniform(seed, 0, V);
  return Int32Array.from({ length: R }, (_, r) => (r % 7 === 0 ? 0 : Math.min(V - 1, Math.floor(next()))));
}

/** Mixed lengths 1..T, so masks matter: row b is live at step t iff t < lengths[b].  (B) */
export const mixedLengths = (B: number, T: number) => Int32Array.from({ length: B }, (_, b) => 1 + (b % T));
