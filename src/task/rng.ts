// A counter-based RNG: draw j of sample i of (stream, seed) is a pure hash of
// (stream tag, seed, i, j), so a sample never depends on how many samples or which
// batch size came before it. Only 32-bit integer math (Math.imul, shifts), so the
// browser and Node produce the same bits.

/** The random streams. Each name is hashed into every draw, so their inputs never coincide. */
export type Stream = 'train' | 'eval' | 'data';

import { fnv1a32 } from '../hash.ts';

const TWO_32 = 4294967296;

// MurmurHash3 (x86, 32-bit) block step and finaliser, over whole 32-bit words.
function mixWord(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalise(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function checkCounter(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative safe integer, got ${v}.`);
}

/** Uniform integers for one sample: draws 0, 1, 2, ... of (stream, seed, index). */
export class SampleRng {
  private readonly tag: number;
  private readonly seedLo: number;
  private readonly seedHi: number;
  private readonly indexLo: number;
  private readonly indexHi: number;
  private draw = 0;

  constructor(stream: Stream, seed: number, index: number) {
    checkCounter('seed', seed);
    checkCounter('index', index);
    this.tag = fnv1a32(stream);
    // Safe integers need 53 bits: hash the low and high 32-bit halves separately.
    this.seedLo = seed >>> 0;
    this.seedHi = Math.floor(seed / TWO_32);
    this.indexLo = index >>> 0;
    this.indexHi = Math.floor(index / TWO_32);
  }

  /** The next uniform 32-bit word (unsigned). */
  nextWord(): number {
    let h = 0x5eed5eed;
    h = mixWord(h, this.tag);
    h = mixWord(h, this.seedLo);
    h = mixWord(h, this.seedHi);
    h = mixWord(h, this.indexLo);
    h = mixWord(h, this.indexHi);
    h = mixWord(h, this.draw++);
    return finalise(h ^ 24);
  }

  /** Uniform in [lo, hi] (inclusive), exactly: words past the last whole multiple of the range are redrawn. */
  nextInt(lo: number, hi: number): number {
    const range = hi - lo + 1;
    if (!Number.isInteger(range) || range < 1 || range > TWO_32) throw new RangeError(`bad range [${lo}, ${hi}]`);
    const limit = TWO_32 - (TWO_32 % range);
    let w = this.nextWord();
    while (w >= limit) w = this.nextWord();
    return lo + (w % range);
  }
}
