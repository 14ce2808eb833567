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

/** The target of `input` under a built-in task. */
export function targetFor(task: BuiltinTaskName, input: readonly number[]): number[] {
  return TARGETS[task](input);
}
