// Corpus BLEU-4 × 100 (docs/contract.md §2, file tasks): clipped n-gram counts summed over the
// corpus, uniform weights, brevity penalty exp(1 − r/c) when c < r, no smoothing
// (0 when some order has no match, or no candidate n-gram at all).

export const BLEU_ORDER = 4;

export interface BleuPair {
  /** The reference tokens. */
  target: ArrayLike<number>;
  /** The candidate tokens, cut at EOS. */
  prediction: ArrayLike<number>;
}

/** n-gram counts of one sequence, keyed by the n tokens joined with ",". */
function ngramCounts(tokens: ArrayLike<number>, n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = Array.prototype.slice.call(tokens, i, i + n).join(',');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Matched (clipped) and total candidate n-grams of order n for one pair. */
function clippedMatches(pair: BleuPair, n: number): [number, number] {
  const ref = ngramCounts(pair.target, n);
  let matched = 0;
  let total = 0;
  for (const [key, c] of ngramCounts(pair.prediction, n)) {
    matched += Math.min(c, ref.get(key) ?? 0);
    total += c;
  }
  return [matched, total];
}

export function corpusBleu(pairs: readonly BleuPair[]): number {
  let c = 0;
  let r = 0;
  const matched = new Array<number>(BLEU_ORDER).fill(0);
  const total = new Array<number>(BLEU_ORDER).fill(0);
  for (const p of pairs) {
    c += p.prediction.length;
    r += p.target.length;
    for (let n = 1; n <= BLEU_ORDER; n++) {
      const [m, t] = clippedMatches(p, n);
      matched[n - 1] += m;
      total[n - 1] += t;
    }
  }
  if (matched.some((m) => m === 0)) return 0;
  const logPrecision = matched.reduce((a, m, i) => a + Math.log(m / total[i]), 0) / BLEU_ORDER;
  const brevity = c < r ? Math.exp(1 - r / c) : 1;
  return 100 * brevity * Math.exp(logPrecision);
}
