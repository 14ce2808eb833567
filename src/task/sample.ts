// The built-in tasks (docs/contract.md §1, §1b): one sample is a pure function of (stream, seed, index).
import type { Config } from '../config/config.ts';
import { targetFor } from './tasks.ts';
import { SampleRng, type Stream } from './rng.ts';

export interface Sample {
  input: number[];
  target: number[];
}

/** The config keys that shape the data. */
export type TaskConfig = Pick<Config, 'task' | 'vocab_size' | 'min_length' | 'max_length'>;

/** Token ids: 0 is PAD, vocab_size - 1 is EOS, every other id is the number itself. */
export const PAD = 0;
export function eosToken(c: Pick<Config, 'vocab_size'>): number {
  return c.vocab_size - 1;
}

/**
 * Sample `index` of (stream, seed): length uniform in [min_length, max_length], values
 * uniform in [1, vocab_size - 2], target = the task's function of the input (tasks.ts).
 */
export function sample(config: TaskConfig, stream: Stream, seed: number, index: number): Sample {
  const rng = new SampleRng(stream, seed, index);
  const n = rng.nextInt(config.min_length, config.max_length);
  const input = new Array<number>(n);
  for (let i = 0; i < n; i++) input[i] = rng.nextInt(1, config.vocab_size - 2);
  return { input, target: targetFor(config.task, input) };
}

/** Samples start .. start + n - 1 of (stream, seed). */
export function samples(config: TaskConfig, stream: Stream, seed: number, start: number, n: number): Sample[] {
  return Array.from({ length: n }, (_, i) => sample(config, stream, seed, start + i));
}
