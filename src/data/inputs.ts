// Inputs to predict as a person writes them, one line each (the CLI's predict, the library):
// numbers for a built-in task, text tokenised as in training for a file task. One set of
// sentences for both; an empty line stays empty (null) so outputs line up with inputs.
import type { Config } from '../config/config.ts';
import { UserError } from '../errors.ts';
import { readSequence } from '../task/parse.ts';
import { idsToText, textToIds } from './text.ts';
import { Vocab } from './vocab.ts';

type InputConfig = Pick<Config, 'vocab_size' | 'max_length' | 'tokenize'>;

/** The ids of each line (null for an empty one); a line that cannot be read throws UserError naming it. */
export function readInputLines(lines: readonly string[], config: InputConfig, vocab?: readonly string[]): (number[] | null)[] {
  if (!vocab) {
    return lines.map((line, i) => {
      if (line.trim() === '') return null;
      const r = readSequence(line, `Input ${i + 1}`, config);
      if ('error' in r) throw new UserError(r.error);
      return r.tokens;
    });
  }
  const v = new Vocab(vocab);
  return lines.map((line, i) => {
    const ids = textToIds(line, v, config.tokenize);
    if (ids.length > config.max_length) throw new UserError(`Input ${i + 1} has ${ids.length} tokens, but this model takes at most max_length = ${config.max_length}.`);
    return ids.length === 0 ? null : ids;
  });
}

/** A prediction as one output line: numbers joined by spaces, or detokenised text. */
export function predictionText(ids: readonly number[], config: InputConfig, vocab?: readonly string[]): string {
  return vocab ? idsToText(ids, new Vocab(vocab), config.tokenize) : ids.join(' ');
}
