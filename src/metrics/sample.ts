// Per-sample figures (docs/contract.md §2).
import { lcsLength } from './lcs.ts';

/** The decoded tokens before the first EOS; all of them when no EOS came. */
export function cutAtEos(tokens: readonly number[], eos: number): number[] {
  const at = tokens.indexOf(eos);
  return at < 0 ? tokens.slice() : tokens.slice(0, at);
}

export interface SampleScore {
  psa: number;
  lcsr: number;
  exact: boolean;
  lengthOk: boolean;
}

/** Figures of one (target, prediction) pair; the prediction is already cut at EOS. */
export function scoreSample(target: readonly number[], prediction: readonly number[]): SampleScore {
  const L = target.length;
  const lengthOk = prediction.length === L;
  let same = 0;
  for (let k = 0; k < Math.min(L, prediction.length); k++) if (prediction[k] === target[k]) same++;
  const exact = lengthOk && same === L;
  if (L === 0) {
    // Nothing to find: full marks only for predicting nothing.
    const v = prediction.length === 0 ? 1 : 0;
    return { psa: v, lcsr: v, exact, lengthOk };
  }
  return { psa: same / L, lcsr: lcsLength(target, prediction) / L, exact, lengthOk };
}
