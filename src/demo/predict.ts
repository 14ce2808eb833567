// Reads the predict box: numbers separated by spaces or commas, each a task token (docs/contract.md §1).
import { parseInput, type Config } from '../lib/index.ts';

/** The predict box's sequence: a prompt when it is empty, else the library's one sentence per mistake. */
export function parseSequence(text: string, c: Pick<Config, 'vocab_size' | 'max_length'>): number[] {
  const ids = parseInput(text, { ...c, tokenize: 'words' }, { subject: 'The sequence' });
  if (ids) return ids;
  throw new Error(`Type a sequence of 1 to ${c.max_length} numbers from 1 to ${c.vocab_size - 2}, e.g. "4 7 12 13".`);
}

/** The predict box's text for a model of pairs, tokenised as in training. */
export function parseText(text: string, c: Pick<Config, 'vocab_size' | 'max_length' | 'tokenize'>, vocab: readonly string[]): number[] {
  const ids = parseInput(text, c, { vocab, subject: 'The text' });
  if (ids) return ids;
  throw new Error('Type some text to predict its target.');
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
