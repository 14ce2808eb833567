// The figures of several evaluation rounds (docs/contract.md §2): mean and population std over rounds.
import { figuresFrom, type BucketKey, type Figures, type RoundScore } from './round.ts';

const FIGURES = ['psa', 'lcsr', 'geomean', 'exact_match', 'length_accuracy'] as const;
type Figure = (typeof FIGURES)[number];

export type Summary = { [K in Figure]: number } & { [K in `${Figure}_std`]: number } & {
  /** Samples over all rounds. */
  count: number;
  rounds: number;
  bucketed_by: BucketKey;
  /** Each bucket pooled over all rounds (figures over every sample of that length). */
  by_length: Record<string, Figures>;
};

function meanStd(xs: number[]): [number, number] {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length;
  return [mean, Math.sqrt(variance)];
}

export function summarizeRounds(rounds: readonly RoundScore[]): Summary {
  if (rounds.length === 0) throw new RangeError('summarizeRounds needs at least one round.');
  const out: Record<string, unknown> = {};
  for (const f of FIGURES) {
    const [mean, std] = meanStd(rounds.map((r) => r[f]));
    out[f] = mean;
    out[`${f}_std`] = std;
  }
  out.count = rounds.reduce((a, r) => a + r.count, 0);
  out.rounds = rounds.length;
  out.bucketed_by = rounds[0].bucketed_by;
  out.by_length = mergeBuckets(rounds);
  return out as Summary;
}

/** Pools each length bucket over the rounds, weighting every round's figures by its count. */
function mergeBuckets(rounds: readonly RoundScore[]): Record<string, Figures> {
  const sums = new Map<number, { psa: number; lcsr: number; exact: number; lengthOk: number; count: number }>();
  for (const r of rounds) {
    for (const [key, f] of Object.entries(r.by_length)) {
      const len = Number(key);
      const s = sums.get(len) ?? { psa: 0, lcsr: 0, exact: 0, lengthOk: 0, count: 0 };
      s.psa += f.psa * f.count;
      s.lcsr += f.lcsr * f.count;
      s.exact += f.exact_match * f.count;
      s.lengthOk += f.length_accuracy * f.count;
      s.count += f.count;
      sums.set(len, s);
    }
  }
  const merged: Record<string, Figures> = {};
  for (const len of [...sums.keys()].sort((a, b) => a - b)) {
    const s = sums.get(len)!;
    merged[String(len)] = figuresFrom(s.psa / s.count, s.lcsr / s.count, s.exact / s.count, s.lengthOk / s.count, s.count);
  }
  return merged;
}
