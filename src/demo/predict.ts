// Reads the predict box: numbers separated by spaces or commas, each a task token (SPEC §1).
import type { Config } from '../config/index.ts';

export function parseSequence(text: string, c: Pick<Config, 'vocab_size' | 'max_length'>): number[] {
  const parts = text.split(/[\s,;]+/).filter((p) => p.length > 0);
  const top = c.vocab_size - 2;
  if (parts.length === 0) throw new Error(`Type a sequence of 1 to ${c.max_length} numbers from 1 to ${top}, e.g. "4 7 12 13".`);
  const out: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (!/^\d+$/.test(p) || !Number.isSafeInteger(n) || n < 1 || n > top) {
      throw new Error(`"${p}" is not a number from 1 to ${top} (this model's vocab_size is ${c.vocab_size}).`);
    }
    out.push(n);
  }
  if (out.length > c.max_length) {
    throw new Error(`The sequence has ${out.length} numbers, but this model takes at most max_length = ${c.max_length}.`);
  }
  return out;
}

/** The largest beam the predict box offers (a wider beam only costs time on this task). */
export const MAX_PREDICT_BEAM = 16;

/** Reads the predict box's beam width: a whole number from 1 (greedy) to MAX_PREDICT_BEAM. */
export function parseBeam(text: string): number {
  const t = text.trim();
  const n = Number(t);
  if (!/^\d+$/.test(t) || n < 1 || n > MAX_PREDICT_BEAM) {
    throw new Error(`The beam width must be a whole number from 1 (greedy) to ${MAX_PREDICT_BEAM}, got "${text}".`);
  }
  return n;
}
