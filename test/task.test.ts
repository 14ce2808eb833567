// The prime task (docs/contract.md §1): generator ranges and distribution, determinism, stream
// separation, independence from n and batch size, and the batch layout.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config/config.ts';
import { batchFromSamples, makeBatch } from '../src/task/batch.ts';
import { isPrime, primesOf } from '../src/task/primes.ts';
import { SampleRng } from '../src/task/rng.ts';
import { sample, samples } from '../src/task/sample.ts';

const cfg = DEFAULT_CONFIG;
// The first three words of (train, seed 0, sample 0), computed once with this implementation.
const GOLDEN_WORDS = [4281353413, 1666996701, 1097086495];

/** An independent oracle: plain trial division by every d < n. */
function primeByTrialDivision(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d < n; d++) if (n % d === 0) return false;
  return true;
}

/** Pearson chi-square of observed counts against a uniform expectation. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((a, c) => a + (c - expected) ** 2 / expected, 0);
}

describe('isPrime', () => {
  it('agrees with trial division up to 10,000', () => {
    for (let n = -3; n <= 10_000; n++) expect(isPrime(n), `isPrime(${n})`).toBe(primeByTrialDivision(n));
  });
  it('keeps duplicates and order', () => {
    expect(primesOf([4, 7, 1, 7, 2, 9, 97, 98])).toEqual([7, 7, 2, 97]);
  });
});

describe('sample', () => {
  const N = 10_000;
  const drawn = samples(cfg, 'train', 0, 0, N);

  it('targets are the primes of the input on 10,000 samples', () => {
    const wrong = drawn.filter((s) => s.target.join() !== s.input.filter(primeByTrialDivision).join());
    expect(wrong.slice(0, 3)).toEqual([]);
  });

  it('lengths and values stay in range and look uniform', () => {
    const lengths = new Array(cfg.max_length - cfg.min_length + 1).fill(0);
    const values = new Array(cfg.vocab_size - 2).fill(0);
    let outOfRange = 0;
    for (const s of drawn) {
      if (s.input.length < cfg.min_length || s.input.length > cfg.max_length) outOfRange++;
      else lengths[s.input.length - cfg.min_length]++;
      for (const v of s.input) {
        if (!Number.isInteger(v) || v < 1 || v > cfg.vocab_size - 2) outOfRange++;
        else values[v - 1]++;
      }
    }
    expect(outOfRange).toBe(0);
    // Seed fixed, so not flaky. Bounds are near the 1e-6 tail: 19 d.o.f. < 60, 97 d.o.f. < 170.
    expect(lengths.every((c) => c > 0)).toBe(true);
    expect(values.every((c) => c > 0)).toBe(true);
    expect(chiSquare(lengths)).toBeLessThan(60);
    expect(chiSquare(values)).toBeLessThan(170);
  });

  it('honours min_length and a small vocabulary', () => {
    const small = { task: 'primes' as const, vocab_size: 6, min_length: 3, max_length: 4 };
    const seen = new Set<number>();
    for (const s of samples(small, 'eval', 7, 0, 500)) {
      expect([3, 4]).toContain(s.input.length);
      s.input.forEach((v) => seen.add(v));
    }
    expect([...seen].sort()).toEqual([1, 2, 3, 4]);
  });

  it('is deterministic and independent of n', () => {
    const again = samples(cfg, 'train', 0, 5000, 10);
    expect(again).toEqual(drawn.slice(5000, 5010));
    expect(sample(cfg, 'train', 0, 1234)).toEqual(drawn[1234]);
  });

  it('differs across seeds and keeps streams apart', () => {
    const key = (s: { input: number[] }) => s.input.join(',');
    const train = new Set(drawn.slice(0, 2000).map(key));
    const same = (stream: 'eval' | 'data', seed: number) =>
      samples(cfg, stream, seed, 0, 2000).filter((s) => s.input.length >= 6 && train.has(key(s))).length;
    // Long inputs (>= 6 numbers) essentially never repeat by chance across independent streams.
    expect(same('eval', 0)).toBe(0);
    expect(same('data', 0)).toBe(0);
    expect(samples(cfg, 'train', 1, 0, 50)).not.toEqual(drawn.slice(0, 50));
    // Sample i of eval seed s is not sample i of train seed s, nor shifted by one.
    const evalDrawn = samples(cfg, 'eval', 0, 0, 100);
    expect(evalDrawn.filter((s, i) => key(s) === key(drawn[i])).length).toBeLessThan(5);
  });

  it('handles seeds and indices past 32 bits', () => {
    const big = Number.MAX_SAFE_INTEGER;
    expect(sample(cfg, 'train', big, big)).toEqual(sample(cfg, 'train', big, big));
    expect(sample(cfg, 'train', 2 ** 32, 0)).not.toEqual(sample(cfg, 'train', 0, 0));
    expect(() => sample(cfg, 'train', -1, 0)).toThrow(RangeError);
  });

  it('pins the bits (a golden sample and words; the browser must produce the same)', () => {
    expect(sample(cfg, 'data', 1, 0).input).toEqual([62, 9, 78, 46, 15, 76, 21]);
    const rng = new SampleRng('train', 0, 0);
    const words = [rng.nextWord(), rng.nextWord(), rng.nextWord()];
    const again = new SampleRng('train', 0, 0);
    expect(words).toEqual([again.nextWord(), again.nextWord(), again.nextWord()]);
    expect(words).toEqual(GOLDEN_WORDS);
  });
});

describe('makeBatch', () => {
  const small = { task: 'primes' as const, vocab_size: 12, min_length: 1, max_length: 6 };
  const EOS = 11;

  it('does not depend on batch size or start', () => {
    const big = makeBatch(small, 'train', 3, 0, 8);
    const part = makeBatch(small, 'train', 3, 4, 3);
    expect(part.inputs).toEqual(big.inputs.slice(4, 7));
    expect(part.targets).toEqual(big.targets.slice(4, 7));
  });

  it('lays out src, tgt and decIn time-major with EOS and PAD', () => {
    const B = 5;
    const batch = makeBatch(small, 'train', 1, 100, B);
    expect([batch.B, batch.S, batch.T]).toEqual([B, 6, 7]);
    expect(batch.src.length).toBe(6 * B);
    expect(batch.tgt.length).toBe(7 * B);
    expect(batch.decIn.length).toBe(7 * B);
    for (let b = 0; b < B; b++) {
      const input = batch.inputs[b];
      const target = batch.targets[b];
      expect(batch.srcLengths[b]).toBe(input.length);
      expect(batch.tgtLengths[b]).toBe(target.length + 1);
      const col = (a: Int32Array, len: number) => Array.from({ length: len }, (_, t) => a[t * B + b]);
      expect(col(batch.src, 6)).toEqual([...input, ...new Array(6 - input.length).fill(0)]);
      expect(col(batch.tgt, 7)).toEqual([...target, EOS, ...new Array(6 - target.length).fill(0)]);
      expect(col(batch.decIn, 7)).toEqual([EOS, ...target, ...new Array(6 - target.length).fill(0)]);
    }
  });

  it('covers the longest input and the empty target', () => {
    const exact = makeBatch({ task: 'primes' as const, vocab_size: 12, min_length: 6, max_length: 6 }, 'eval', 0, 0, 3);
    expect(Array.from(exact.srcLengths)).toEqual([6, 6, 6]);
    const { batch } = batchFromSamples(small, [{ input: [4, 6, 8, 9, 10, 1] }], 1);
    expect(Array.from(batch.tgt)).toEqual([EOS, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(batch.decIn)).toEqual([EOS, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(batch.tgtLengths)).toEqual([1]);
  });
});

describe('batchFromSamples', () => {
  const small = { task: 'primes' as const, vocab_size: 12, min_length: 1, max_length: 4 };

  it('pads a partial batch with copies of sample 0 and reports the real count', () => {
    const { batch, real } = batchFromSamples(small, [{ input: [2, 4] }, { input: [5, 5, 7], target: [5, 5, 7] }], 4);
    expect(real).toBe(2);
    expect(batch.inputs).toEqual([[2, 4], [5, 5, 7], [2, 4], [2, 4]]);
    expect(batch.targets).toEqual([[2], [5, 5, 7], [2], [2]]);
    expect(Array.from(batch.srcLengths)).toEqual([2, 3, 2, 2]);
  });

  it('refuses samples the shapes cannot hold', () => {
    expect(() => batchFromSamples(small, [{ input: [1, 2, 3, 4, 5] }], 2)).toThrow(/max_length/);
    expect(() => batchFromSamples(small, [{ input: [11] }], 2)).toThrow(/1 to 10/);
    expect(() => batchFromSamples(small, [], 2)).toThrow(RangeError);
    expect(() => batchFromSamples(small, [{ input: [1] }, { input: [1] }, { input: [1] }], 2)).toThrow(RangeError);
  });
});
