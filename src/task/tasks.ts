// The built-in numeric tasks (contract §1, §1b): the same inputs (ids, lengths and value
// ranges of the prime task), only the target differs.
import { primesOf } from './primes.ts';

export const TASK_NAMES = ['primes', 'copy', 'reverse', 'sort'] as const;
export type BuiltinTaskName = (typeof TASK_NAMES)[number];

const TARGETS: Record<BuiltinTaskName, (input: readonly number[]) => number[]> = {
  primes: primesOf,
  copy: (input) => input.slice(),
  reverse: (input) => input.slice().reverse(),
  sort: (input) => input.slice().sort((a, b) => a - b),
};

/** The target of `input` under a built-in task (task=file has pairs, not a function: src/data/). */
export function targetFor(task: BuiltinTaskName | 'file', input: readonly number[]): number[] {
  if (task === 'file') throw new Error('task=file has no generated targets: its pairs come from data=PATH.');
  return TARGETS[task](input);
}
