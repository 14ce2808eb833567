// Reads the predict box: numbers separated by spaces or commas, each a task token (docs/contract.md §1).
import type { Config } from '../config/index.ts';
import { readSequence } from '../task/parse.ts';

/** The predict box's sequence: a prompt when it is empty, else one sentence per mistake (src/task/parse.ts). */
export function parseSequence(text: string, c: Pick<Config, 'vocab_size' | 'max_length'>): number[] {
  const r = readSequence(text, 'The sequence', c);
  if ('tokens' in r) return r.tokens;
  if (text.trim() === '') throw new Error(`Type a sequence of 1 to ${c.max_length} numbers from 1 to ${c.vocab_size - 2}, e.g. "4 7 12 13".`);
  throw new Error(r.error);
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
