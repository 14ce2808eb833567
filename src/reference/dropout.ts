// Float64 reference of shaders/dropout.wgsl: inverted dropout whose mask is a pure function of
// (seed, step, tensor id, element index), so the backward recomputes it instead of storing it
// and a resumed run draws exactly the masks of an uninterrupted one:
//   keep_i = hash(seed, step, tensor, i) >= round(p·2^32),  y_i = keep_i ? x_i / (1 − p) : 0
// The hash is a chain of 32-bit integer mixers (the "lowbias32" finaliser), identical in WGSL
// (u32 arithmetic wraps) and here (Math.imul, >>> 0).

/** What one dropout mask derives from. `seed` may be any safe integer (split into two words). */
export interface DropoutKey {
  p: number;
  seed: number;
  step: number;
  tensor: number;
}

const GOLDEN = 0x9e3779b9;

/** A 32-bit avalanche mixer: every input bit flips about half the output bits. */
export function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** The two u32 words of a non-negative safe integer seed: [low, high]. */
export function seedWords(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`dropout: seed must be a non-negative safe integer, got ${seed}.`);
  return [seed % 2 ** 32, Math.floor(seed / 2 ** 32)];
}

/** The element's 32-bit draw. */
export function dropoutHash(seedLo: number, seedHi: number, step: number, tensor: number, i: number): number {
  let h = mix32((i + GOLDEN) >>> 0);
  h = mix32((h ^ tensor) >>> 0);
  h = mix32((h ^ step) >>> 0);
  h = mix32((h ^ seedHi) >>> 0);
  return mix32((h ^ seedLo) >>> 0);
}

/** Draws below this are dropped: round(p·2^32), at most 2^32 − 1. */
export function dropoutThreshold(p: number): number {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: p must be in [0, 1), got ${p}.`);
  return Math.min(2 ** 32 - 1, Math.round(p * 2 ** 32));
}

/** 1 / (1 − p) as float32, the factor the kernel multiplies by. */
export const dropoutScale = (p: number) => Math.fround(1 / (1 - p));

/** (n) 1 where kept, 0 where dropped. */
export function dropoutMask(key: DropoutKey, n: number): Uint8Array {
  const [lo, hi] = seedWords(key.seed);
  const thr = dropoutThreshold(key.p);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = dropoutHash(lo, hi, key.step, key.tensor, i) >= thr ? 1 : 0;
  return mask;
}

/** y = mask ⊙ x · scale (forward), or dx = mask ⊙ dy · scale (backward: the same map).  (n) */
export function dropoutForward(key: DropoutKey, x: ArrayLike<number>): Float64Array {
  const mask = dropoutMask(key, x.length);
  const scale = dropoutScale(key.p);
  return Float64Array.from(x, (v, i) => (mask[i] ? v * scale : 0));
}

export const dropoutBackward = dropoutForward;

/** Elements offset … offset + n − 1 of a tensor's dropout (forward, or backward: the same map), e.g. one time step's rows. */
export function dropoutSlice(key: DropoutKey, offset: number, x: ArrayLike<number>): Float64Array {
  const [lo, hi] = seedWords(key.seed);
  const thr = dropoutThreshold(key.p);
  const scale = dropoutScale(key.p);
  return Float64Array.from(x, (v, i) => (dropoutHash(lo, hi, key.step, key.tensor, offset + i) >= thr ? v * scale : 0));
}
