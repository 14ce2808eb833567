// One evaluation round's figures (docs/contract.md §2), overall and per length bucket.
import { cutAtEos, scoreSample, type SampleScore } from './sample.ts';

export interface Pair {
  target: number[];
  prediction: number[];
  /** The source sequence; when every pair has one, buckets are by input length. */
  input?: number[];
}

/** The figures JSON output uses (snake_case, docs/contract.md §6). */
export interface Figures {
  psa: number;
  lcsr: number;
  geomean: number;
  exact_match: number;
  length_accuracy: number;
  count: number;
}

export type BucketKey = 'input_length' | 'target_length';

export interface RoundScore extends Figures {
  bucketed_by: BucketKey;
  /** Keyed by the length as a decimal string. */
  by_length: Record<string, Figures>;
}

/** Running sums of per-sample figures. */
class Tally {
  psa = 0;
  lcsr = 0;
  exact = 0;
  lengthOk = 0;
  count = 0;

  add(s: SampleScore): void {
    this.psa += s.psa;
    this.lcsr += s.lcsr;
    this.exact += s.exact ? 1 : 0;
    this.lengthOk += s.lengthOk ? 1 : 0;
    this.count++;
  }

  figures(): Figures {
    const n = this.count;
    return figuresFrom(this.psa / n, this.lcsr / n, this.exact / n, this.lengthOk / n, n);
  }
}

export function figuresFrom(psa: number, lcsr: number, exact: number, lengthOk: number, count: number): Figures {
  return { psa, lcsr, geomean: Math.sqrt(psa * lcsr), exact_match: exact, length_accuracy: lengthOk, count };
}

/**
 * Scores a round of pairs. Predictions are cut at `eos` when it is given (else taken as
 * already cut). Buckets are by input length when every pair carries `input`, else by
 * target length, as `bucketed_by` says.
 */
export function scoreRound(pairs: readonly Pair[], eos?: number): RoundScore {
  if (pairs.length === 0) throw new RangeError('scoreRound needs at least one pair.');
  const bucketed_by: BucketKey = pairs.every((p) => p.input !== undefined) ? 'input_length' : 'target_length';
  const all = new Tally();
  const buckets = new Map<number, Tally>();
  for (const p of pairs) {
    const prediction = eos === undefined ? p.prediction : cutAtEos(p.prediction, eos);
    const s = scoreSample(p.target, prediction);
    all.add(s);
    const len = bucketed_by === 'input_length' ? p.input!.length : p.target.length;
    let t = buckets.get(len);
    if (!t) buckets.set(len, (t = new Tally()));
    t.add(s);
  }
  const by_length: Record<string, Figures> = {};
  for (const len of [...buckets.keys()].sort((a, b) => a - b)) by_length[String(len)] = buckets.get(len)!.figures();
  return { ...all.figures(), bucketed_by, by_length };
}
