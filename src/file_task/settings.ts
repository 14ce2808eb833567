// The settings of a file task as the user gives them (docs/contract.md §1b): `data` alone implies
// task=file, vocab_size is derived from the data and may not be set, eval_data needs data.
import { UserError } from '../errors.ts';

/** `overrides` with task=file filled in when only data is given; throws UserError listing every mistake. */
export function fileTaskOverrides<T extends Record<string, unknown>>(overrides: T): T {
  const out: Record<string, unknown> = { ...overrides };
  const hasData = typeof out.data === 'string' && out.data !== '';
  if (hasData && out.task === undefined) out.task = 'file';
  const problems: string[] = [];
  if (out.task === 'file') {
    if (Object.hasOwn(overrides, 'vocab_size')) problems.push('vocab_size cannot be set for task=file: it is the size of the vocabulary built from the data.');
    if (!hasData) problems.push('task=file needs data=PATH, a .tsv or .jsonl file of pairs.');
  } else {
    if (hasData) problems.push(`data=PATH is for task=file, but task is ${String(out.task)}.`);
    if (typeof out.eval_data === 'string' && out.eval_data !== '') problems.push('eval_data=PATH needs data=PATH (task=file).');
  }
  if (problems.length > 0) throw new UserError(problems.join(' '));
  return out as T;
}
