// Reads a numeric task's input as a person types it (the CLI's predict arguments, the demo's
// predict box): numbers separated by spaces, commas or semicolons, each a token from 1 to
// vocab_size - 2. One grammar and one set of sentences for both; each caller throws its own error.
import type { Config } from '../config/config.ts';
import { quote } from '../quote.ts';

/** The tokens of `text`, or one sentence starting with `subject` (e.g. "Input 2") saying what is wrong. */
export function readSequence(
  text: string,
  subject: string,
  config: Pick<Config, 'vocab_size' | 'max_length'>,
): { tokens: number[] } | { error: string } {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== '');
  const top = config.vocab_size - 2;
  if (parts.length === 0) return { error: `${subject} is empty.` };
  if (parts.length > config.max_length) {
    return { error: `${subject} has ${parts.length} numbers, but this model takes at most max_length = ${config.max_length}.` };
  }
  const tokens: number[] = [];
  for (const p of parts) {
    const v = /^[+-]?\d+$/.test(p) ? Number(p) : NaN;
    if (!Number.isSafeInteger(v)) return { error: `${subject} holds ${quote(p)}, which is not an integer.` };
    if (v < 1 || v > top) return { error: `${subject} holds ${v}; numbers must be from 1 to ${top} (vocab_size ${config.vocab_size}).` };
    tokens.push(v);
  }
  return { tokens };
}
