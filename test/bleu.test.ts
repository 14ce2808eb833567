// Corpus BLEU-4 (docs/contract.md §2) on corpora worked out by hand.
import { describe, expect, it } from 'vitest';
import { corpusBleu } from '../src/metrics/bleu.ts';

describe('corpusBleu', () => {
  it('is 100 for identical corpora', () => {
    expect(corpusBleu([{ target: [1, 2, 3, 4, 5], prediction: [1, 2, 3, 4, 5] }, { target: [6, 7, 8, 9], prediction: [6, 7, 8, 9] }])).toBeCloseTo(100, 10);
  });
  it('is 0 for disjoint corpora', () => {
    expect(corpusBleu([{ target: [1, 2, 3, 4], prediction: [5, 6, 7, 8] }])).toBe(0);
  });
  it('is 0 when one n-gram order has no candidate n-gram at all (no smoothing)', () => {
    // three tokens match as unigrams, bigrams and trigrams, but there is no 4-gram
    expect(corpusBleu([{ target: [1, 2, 3], prediction: [1, 2, 3] }])).toBe(0);
  });
  it('is 0 when one order has candidates but no match', () => {
    // 1-grams 4/4, 2-grams 2/3 (1 2, 3 4), 3-grams 0/2
    expect(corpusBleu([{ target: [1, 2, 9, 3, 4], prediction: [1, 2, 3, 4] }])).toBe(0);
  });
  it('applies the brevity penalty exp(1 - r/c) when the candidates are shorter', () => {
    // c = 4, r = 8; every candidate n-gram matches: precisions 1, BLEU = 100 · exp(1 − 2)
    expect(corpusBleu([{ target: [1, 2, 3, 4, 5, 6, 7, 8], prediction: [1, 2, 3, 4] }])).toBeCloseTo(100 * Math.exp(-1), 10);
  });
  it('clips counts, pools over the corpus, and has no penalty for longer candidates', () => {
    // pair 1: cand 1 1 1 1 1 vs ref 1 1 2 3 4 → 1-grams 2/5, 2-grams (1 1) 1/4, 3-grams 0/3, 4-grams 0/2
    // pair 2: identical 5 6 7 8 → 4/4, 3/3, 2/2, 1/1
    // pooled: p1 = 6/9, p2 = 4/7, p3 = 2/5, p4 = 1/3; c = r = 9
    const expected = 100 * Math.exp((Math.log(6 / 9) + Math.log(4 / 7) + Math.log(2 / 5) + Math.log(1 / 3)) / 4);
    expect(corpusBleu([
      { target: [1, 1, 2, 3, 4], prediction: [1, 1, 1, 1, 1] },
      { target: [5, 6, 7, 8], prediction: [5, 6, 7, 8] },
    ])).toBeCloseTo(expected, 10);
    // a longer candidate: precisions only (all 1-4 grams of ref occur), BP = 1
    const p = [6 / 7, 5 / 6, 4 / 5, 3 / 4];
    expect(corpusBleu([{ target: [1, 2, 3, 4, 5, 6], prediction: [1, 2, 3, 4, 5, 6, 9] }])).toBeCloseTo(100 * Math.exp(p.reduce((a, x) => a + Math.log(x), 0) / 4), 10);
  });
  it('is 0 for empty candidates, and pairs with empty sides count only their lengths', () => {
    expect(corpusBleu([{ target: [1, 2], prediction: [] }])).toBe(0);
    // an empty pair adds nothing; the other is identical: 100
    expect(corpusBleu([{ target: [], prediction: [] }, { target: [1, 2, 3, 4], prediction: [1, 2, 3, 4] }])).toBeCloseTo(100, 10);
  });
});
