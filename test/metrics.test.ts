// docs/contract.md §2 metrics on hand-worked cases, LCS against a brute-force oracle, and the
// mean / population std over rounds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lcsLength } from '../src/metrics/lcs.ts';
import { scoreRound } from '../src/metrics/round.ts';
import { cutAtEos, scoreSample } from '../src/metrics/sample.ts';
import { summarizeRounds } from '../src/metrics/summary.ts';

/** Brute force: the longest subsequence of a (over all 2^|a| subsets) that is one of b. */
function lcsOracle(a: number[], b: number[]): number {
  const isSubsequence = (xs: number[], ys: number[]) => {
    let j = 0;
    for (const y of ys) if (j < xs.length && xs[j] === y) j++;
    return j === xs.length;
  };
  let best = 0;
  for (let mask = 0; mask < 1 << a.length; mask++) {
    const sub = a.filter((_, i) => mask & (1 << i));
    if (sub.length > best && isSubsequence(sub, b)) best = sub.length;
  }
  return best;
}

describe('lcsLength', () => {
  it('matches hand-worked cases', () => {
    expect(lcsLength([], [])).toBe(0);
    expect(lcsLength([1, 2, 3], [])).toBe(0);
    expect(lcsLength([1, 2, 3], [1, 2, 3])).toBe(3);
    expect(lcsLength([1, 3, 5, 7], [3, 1, 7, 5])).toBe(2);
    expect(lcsLength([2, 2, 2], [2, 2])).toBe(2);
  });

  it('matches the brute-force oracle on random short sequences', () => {
    const seq = fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 9 });
    fc.assert(
      fc.property(seq, seq, (a, b) => lcsLength(a, b) === lcsOracle(a, b) && lcsLength(b, a) === lcsOracle(a, b)),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('cutAtEos', () => {
  it('cuts before the first EOS, keeps everything without one', () => {
    expect(cutAtEos([3, 5, 99, 7, 99], 99)).toEqual([3, 5]);
    expect(cutAtEos([99, 3], 99)).toEqual([]);
    expect(cutAtEos([3, 5, 7], 99)).toEqual([3, 5, 7]);
    expect(cutAtEos([], 99)).toEqual([]);
  });
});

describe('scoreSample', () => {
  it('scores an empty target: full marks only for an empty prediction', () => {
    expect(scoreSample([], [])).toEqual({ psa: 1, lcsr: 1, exact: true, lengthOk: true });
    expect(scoreSample([], [2])).toEqual({ psa: 0, lcsr: 0, exact: false, lengthOk: false });
  });

  it('scores an empty prediction as zero', () => {
    expect(scoreSample([2, 3], [])).toEqual({ psa: 0, lcsr: 0, exact: false, lengthOk: false });
  });

  it('scores exact, shifted, longer and shorter predictions', () => {
    expect(scoreSample([2, 3, 5], [2, 3, 5])).toEqual({ psa: 1, lcsr: 1, exact: true, lengthOk: true });
    // A dropped first number: positions all wrong, but the rest is a common subsequence.
    expect(scoreSample([2, 3, 5], [3, 5])).toEqual({ psa: 0, lcsr: 2 / 3, exact: false, lengthOk: false });
    // Extra tokens past L do not count against PSA or LCSR, only against exact/length.
    expect(scoreSample([2, 3], [2, 3, 7, 11])).toEqual({ psa: 1, lcsr: 1, exact: false, lengthOk: false });
    expect(scoreSample([2, 3, 5, 7], [2, 9, 5])).toEqual({ psa: 0.5, lcsr: 0.5, exact: false, lengthOk: false });
  });

  it('counts repeated numbers once each', () => {
    expect(scoreSample([7, 7, 7], [7])).toEqual({ psa: 1 / 3, lcsr: 1 / 3, exact: false, lengthOk: false });
    expect(scoreSample([7], [7, 7, 7])).toEqual({ psa: 1, lcsr: 1, exact: false, lengthOk: false });
    expect(scoreSample([2, 7, 2], [7, 2, 2])).toEqual({ psa: 1 / 3, lcsr: 2 / 3, exact: false, lengthOk: true });
  });
});

describe('scoreRound', () => {
  const EOS = 99;
  const pairs = [
    { input: [2, 4], target: [2], prediction: [2, EOS, 5] }, // exact after the cut
    { input: [4, 6], target: [], prediction: [EOS] }, // empty and right
    { input: [3, 5, 8], target: [3, 5], prediction: [5, 3] }, // psa 0, lcsr 1/2
    { input: [9, 7], target: [7], prediction: [7, 7] }, // no EOS at all: psa 1, lcsr 1, too long
  ];

  it('averages per-sample figures and buckets by input length', () => {
    const r = scoreRound(pairs, EOS);
    expect(r.count).toBe(4);
    expect(r.psa).toBeCloseTo((1 + 1 + 0 + 1) / 4, 12);
    expect(r.lcsr).toBeCloseTo((1 + 1 + 0.5 + 1) / 4, 12);
    expect(r.geomean).toBeCloseTo(Math.sqrt(0.75 * 0.875), 12);
    expect(r.exact_match).toBe(0.5);
    expect(r.length_accuracy).toBe(0.75);
    expect(r.bucketed_by).toBe('input_length');
    expect(Object.keys(r.by_length)).toEqual(['2', '3']);
    expect(r.by_length['2']).toMatchObject({ psa: 1, lcsr: 1, exact_match: 2 / 3, count: 3 });
    expect(r.by_length['3']).toEqual({ psa: 0, lcsr: 0.5, geomean: 0, exact_match: 0, length_accuracy: 1, count: 1 });
  });

  it('buckets by target length when some input is missing, and cuts only when asked', () => {
    const r = scoreRound(pairs.map(({ input, ...rest }, i) => (i === 0 ? rest : { input, ...rest })), EOS);
    expect(r.bucketed_by).toBe('target_length');
    expect(Object.keys(r.by_length)).toEqual(['0', '1', '2']);
    const uncut = scoreRound([{ target: [2], prediction: [2, EOS] }]);
    expect(uncut.exact_match).toBe(0);
    expect(uncut.psa).toBe(1);
  });

  it('refuses an empty round', () => {
    expect(() => scoreRound([])).toThrow(RangeError);
  });
});

describe('summarizeRounds', () => {
  it('reports the mean and population std of each figure and pools the buckets', () => {
    const a = scoreRound([{ input: [2], target: [2], prediction: [2] }]); // all 1
    const b = scoreRound([
      { input: [2], target: [2], prediction: [3] },
      { input: [4, 6], target: [], prediction: [] },
      { input: [4, 6], target: [], prediction: [5] },
    ]); // psa 1/3
    const s = summarizeRounds([a, b]);
    expect(s.rounds).toBe(2);
    expect(s.count).toBe(4);
    expect(s.psa).toBeCloseTo((1 + 1 / 3) / 2, 12);
    expect(s.psa_std).toBeCloseTo(1 / 3, 12); // |1 - 1/3| / 2
    expect(s.exact_match_std).toBeCloseTo(1 / 3, 12);
    expect(s.geomean).toBeCloseTo((1 + 1 / 3) / 2, 12);
    for (const k of ['psa', 'lcsr', 'geomean', 'exact_match', 'length_accuracy']) {
      expect(s).toHaveProperty(k);
      expect(s).toHaveProperty(`${k}_std`);
    }
    expect(s.by_length['1']).toMatchObject({ psa: 0.5, exact_match: 0.5, count: 2 });
    expect(s.by_length['2']).toMatchObject({ psa: 0.5, length_accuracy: 0.5, count: 2 });
    expect(summarizeRounds([a]).psa_std).toBe(0);
  });
});
