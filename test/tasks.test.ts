// The built-in tasks (contract §1b): each target against an independent oracle written
// differently from src/task/tasks.ts, on generated samples; inputs do not depend on the task.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, validateConfig } from '../src/config/index.ts';
import { makeBatch } from '../src/task/batch.ts';
import { sample } from '../src/task/sample.ts';
import { TASK_NAMES, targetFor } from '../src/task/tasks.ts';

/** Index arithmetic instead of Array#reverse. */
function reverseOracle(x: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = x.length - 1; i >= 0; i--) out.push(x[i]);
  return out;
}

/** Counting sort over the value range instead of a comparison sort. */
function sortOracle(x: readonly number[], top: number): number[] {
  const counts = new Array<number>(top + 1).fill(0);
  for (const v of x) counts[v]++;
  const out: number[] = [];
  for (let v = 0; v <= top; v++) for (let k = 0; k < counts[v]; k++) out.push(v);
  return out;
}

describe('built-in tasks', () => {
  const config = { ...DEFAULT_CONFIG, vocab_size: 30, max_length: 12 };

  it.each([
    ['copy', (x: number[]) => [...x]],
    ['reverse', reverseOracle],
    ['sort', (x: number[]) => sortOracle(x, 28)],
  ] as const)('%s targets match an independent oracle on 2,000 samples', (task, oracle) => {
    for (let i = 0; i < 2000; i++) {
      const s = sample({ ...config, task }, 'train', 3, i);
      expect(s.target, `sample ${i}: ${s.input.join(' ')}`).toEqual(oracle(s.input));
    }
  });

  it('hand-worked cases, duplicates kept', () => {
    expect(targetFor('sort', [5, 1, 5, 3])).toEqual([1, 3, 5, 5]);
    expect(targetFor('reverse', [5, 1, 5, 3])).toEqual([3, 5, 1, 5]);
    expect(targetFor('copy', [7])).toEqual([7]);
    expect(targetFor('primes', [4, 7, 9, 11])).toEqual([7, 11]);
  });

  it('every task draws the same inputs for the same (stream, seed, index)', () => {
    for (let i = 0; i < 50; i++) {
      const inputs = TASK_NAMES.map((task) => sample({ ...config, task }, 'eval', 1, i).input);
      for (const input of inputs) expect(input).toEqual(inputs[0]);
    }
  });

  it('batches carry the task target then EOS', () => {
    const b = makeBatch({ ...config, task: 'reverse' }, 'train', 0, 0, 3);
    for (let j = 0; j < 3; j++) {
      const L = b.tgtLengths[j];
      const col = Array.from({ length: L }, (_, t) => b.tgt[t * 3 + j]);
      expect(col).toEqual([...reverseOracle(b.inputs[j]), config.vocab_size - 1]);
    }
  });

  it('the task key is validated in one sentence', () => {
    expect(() => validateConfig({ task: 'translate' })).toThrow(/^task must be one of "primes", "copy", "reverse", "sort", "file", got "translate"\.$/);
    expect(validateConfig({ task: 'sort' }).task).toBe('sort');
  });
});
