// `seq2seq data`: task samples as JSONL, from their own 'data' stream (neither the
// training nor the evaluation stream), so a (seed, n) pair always prints the same lines.
import { parseKeyValues } from '../../config/keyvalues.ts';
import { validateConfig } from '../../config/validate.ts';
import { sample } from '../../task/sample.ts';
import { intFlag, parseCommandArgs } from '../args.ts';
import type { Command } from '../command.ts';
import { UserError } from '../../errors.ts';

// Lines per write, so huge --n never builds one giant string; between writes the command
// waits for a slow reader and notices one that went away.
const CHUNK = 1000;

export const data: Command = {
  name: 'data',
  summary: 'print task samples as JSONL {"input":[…],"target":[…]}',
  usage: `Usage: seq2seq data [--n N] [--seed S] [key=value …]

Prints N samples of a built-in task (task=primes, copy, reverse or sort; docs/contract.md §1, §1b),
one JSON object per line:
{"input":[…],"target":[…]}. Samples come from a dedicated "data" stream: the same
--seed and settings always give the same lines, and sample i does not depend on N.

  --n N        number of samples (default 10)
  --seed S     seed (default: the seed setting, 0)
  key=value    task settings, e.g. vocab_size=50 max_length=10 min_length=3
`,
  async run(argv, io) {
    const { flags, items } = parseCommandArgs('data', argv, { n: { type: 'string' }, seed: { type: 'string' } });
    const n = intFlag(flags, 'n', 0) ?? 10;
    const config = validateConfig(parseKeyValues(items));
    if (config.task === 'file') throw new UserError('data prints samples of the built-in tasks (primes, copy, reverse, sort); task=file reads its pairs from data=PATH.');
    const seed = intFlag(flags, 'seed', 0) ?? config.seed;
    for (let start = 0; start < n; start += CHUNK) {
      const lines: string[] = [];
      for (let i = start; i < Math.min(n, start + CHUNK); i++) {
        const s = sample(config, 'data', seed, i);
        lines.push(JSON.stringify({ input: s.input, target: s.target }));
      }
      io.stdout(`${lines.join('\n')}\n`);
      await io.drain?.();
    }
    return 0;
  },
};
