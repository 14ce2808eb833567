// The reference models' greedy-decoding check: feed the decoded tokens back as teacher-forced
// inputs, and the argmax of every logits row must reproduce them.
import { expect } from 'vitest';

/** Decoder inputs (T, B) that feed greedy output `out` (T, B) back: `eos` first, then out shifted by one step. */
export function fedBack(out: ArrayLike<number>, B: number, T: number, eos: number): { decIn: Int32Array; tgt: Int32Array } {
  const decIn = new Int32Array(T * B);
  const tgt = new Int32Array(T * B).fill(1);
  for (let b = 0; b < B; b++) {
    decIn[b] = eos;
    for (let t = 1; t < T; t++) decIn[t * B + b] = out[(t - 1) * B + b];
  }
  return { decIn, tgt };
}

/** out[r] is the argmax of row r of logits (rows, V), the first of equals. */
export function expectArgmaxRows(out: ArrayLike<number>, logits: ArrayLike<number>, V: number): void {
  for (let r = 0; r < out.length; r++) {
    let best = 0;
    for (let v = 1; v < V; v++) if (logits[r * V + v] > logits[r * V + best]) best = v;
    expect(out[r], `row ${r}`).toBe(best);
  }
}
