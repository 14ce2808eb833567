// `seq2seq metrics --pairs F`: docs/contract.md §2 figures of (target, prediction) pairs given as JSONL.
import { MAX_INPUT_BYTES, readFileBounded } from '../../io/bounded_read.ts';
import { parseKeyValues } from '../../config/keyvalues.ts';
import { validateConfig } from '../../config/validate.ts';
import { scoreRound, type Pair } from '../../metrics/round.ts';
import { parseCommandArgs } from '../args.ts';
import type { Command } from '../command.ts';
import { UserError } from '../../errors.ts';

export const metrics: Command = {
  name: 'metrics',
  summary: 'score JSONL (target, prediction) pairs: PSA, LCSR, GeoMean, exact match',
  usage: `Usage: seq2seq metrics --pairs F [key=value …]

Reads JSONL pairs {"target":[…],"prediction":[…]} (optionally "input":[…]) from F,
or from standard input when F is "-", and prints one JSON object: psa, lcsr, geomean,
exact_match, length_accuracy, count and by_length buckets. Predictions are cut before
their first EOS (vocab_size - 1). Buckets are by input length when every line has an
"input", else by target length ("bucketed_by" says which).

  --pairs F    the pairs file, or - for standard input
  key=value    vocab_size=V sets the token range and EOS (default 100)
`,
  async run(argv, io) {
    const { flags, items } = parseCommandArgs('metrics', argv, { pairs: { type: 'string' } });
    const path = flags.pairs as string | undefined;
    if (!path) throw new UserError('metrics needs --pairs F (a JSONL file, or - for standard input).');
    const { vocab_size } = validateConfig(parseKeyValues(items));
    const text = path === '-' ? await io.stdin() : readFileBounded(path, { what: 'pairs file', maxBytes: MAX_INPUT_BYTES }).toString('utf8');
    const where = path === '-' ? 'standard input' : path;
    const pairs = parsePairs(text, vocab_size, where);
    io.stdout(`${JSON.stringify(scoreRound(pairs, vocab_size - 1))}\n`);
    return 0;
  },
};

/** Every non-blank line as a Pair; the first bad line throws a UserError naming it. */
export function parsePairs(text: string, vocabSize: number, where: string): Pair[] {
  const pairs: Pair[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const problem = (p: string) => new UserError(`Line ${i + 1} of ${where}: ${p}`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw problem('not valid JSON.');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw problem('expected a JSON object {"target":[…],"prediction":[…]}.');
    }
    const obj = value as Record<string, unknown>;
    // Targets and inputs are numbers (1..V-2); a prediction may also hold PAD 0 and EOS V-1.
    const target = tokens(obj, 'target', 1, vocabSize - 2, vocabSize, problem);
    const prediction = tokens(obj, 'prediction', 0, vocabSize - 1, vocabSize, problem);
    const pair: Pair = { target: target!, prediction: prediction! };
    if ('input' in obj) pair.input = tokens(obj, 'input', 1, vocabSize - 2, vocabSize, problem, true);
    pairs.push(pair);
  }
  if (pairs.length === 0) throw new UserError(`${where} holds no pairs.`);
  return pairs;
}

function tokens(
  obj: Record<string, unknown>,
  key: string,
  lo: number,
  hi: number,
  vocabSize: number,
  problem: (p: string) => UserError,
  optional = false,
): number[] | undefined {
  if (!(key in obj)) {
    if (optional) return undefined;
    throw problem(`missing "${key}".`);
  }
  const list = obj[key];
  if (!Array.isArray(list)) throw problem(`"${key}" must be an array of integers.`);
  for (let k = 0; k < list.length; k++) {
    const v = list[k];
    if (typeof v !== 'number' || !Number.isInteger(v)) throw problem(`${key}[${k}] = ${JSON.stringify(v)} is not an integer.`);
    if (v < lo || v > hi) throw problem(`${key}[${k}] = ${v} is outside ${lo}..${hi} (vocab_size ${vocabSize}).`);
  }
  return list as number[];
}
