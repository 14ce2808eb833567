// Inputs as a person types them, read without a GPU: numbers for a built-in task, text tokenised
// as in training for pairs; and a built-in task's true target, to set beside a prediction.
import type { Config, TaskName } from '../config/config.ts';
import { readInputLines } from '../data/inputs.ts';
import { targetFor } from '../task/index.ts';
import { Seq2SeqError, toSeq2SeqError } from './errors.ts';

/** The settings an input is read by. */
export type InputSettings = Pick<Config, 'vocab_size' | 'max_length' | 'tokenize'>;

/**
 * One input line as token ids (1 to max_length of them): numbers ("4 7 9" or "4, 7, 9") each from
 * 1 to vocab_size − 2, or with `vocab` (a model of pairs) text tokenised as in training. Null for
 * an empty line. A line that cannot be read throws Seq2SeqError `invalid_input`, one sentence
 * starting with `subject`.
 */
export function parseInput(line: string, settings: InputSettings, opts: { vocab?: readonly string[]; subject?: string } = {}): number[] | null {
  try {
    return readInputLines([line], settings, opts.vocab)[0];
  } catch (err) {
    const e = toSeq2SeqError(err, 'invalid_input');
    // The reader names a line by its number; one line is named by the caller's subject.
    throw opts.subject ? new Seq2SeqError(e.code, e.message.replace(/^Input 1\b/, opts.subject), { cause: err }) : e;
  }
}

/** What a built-in task (primes, copy, reverse, sort) answers for `input`; null for pairs (task file), which have no rule. */
export function trueTarget(task: TaskName, input: readonly number[]): number[] | null {
  return task === 'file' ? null : targetFor(task, input);
}
