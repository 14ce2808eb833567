// One line of a pairs file (docs/contract.md §1b) as source and target tokens, or one sentence
// naming the file and the line. `.tsv`: `source<TAB>target`; `.jsonl`: {"source": S,
// "target": T} with S, T strings (tokenised) or arrays of string/integer tokens (as given).
import { UserError } from '../errors.ts';
import { tokenize, type Tokenize } from './tokenize.ts';

export type PairsFormat = 'tsv' | 'jsonl';

export interface TokenPair {
  source: string[];
  target: string[];
}

/** A bad pairs file: the message is one sentence for the user. */
export class DataError extends UserError {}

/** The format a file name implies, or a DataError saying which names are read. */
export function formatOf(name: string): PairsFormat {
  const lower = name.toLowerCase();
  if (lower.endsWith('.tsv')) return 'tsv';
  if (lower.endsWith('.jsonl')) return 'jsonl';
  throw new DataError(`Cannot read pairs from ${name}: the file name must end in .tsv (source<TAB>target lines) or .jsonl ({"source": …, "target": …} lines).`);
}

/** Parses line `lineNo` (1-based) of `file`; the caller skips blank lines. */
export function parsePairLine(line: string, format: PairsFormat, mode: Tokenize, file: string, lineNo: number): TokenPair {
  const fail = (problem: string): never => {
    throw new DataError(`Line ${lineNo} of ${file} ${problem}.`);
  };
  if (format === 'tsv') {
    const tab = line.indexOf('\t');
    if (tab < 0) fail('has no tab between source and target');
    if (line.indexOf('\t', tab + 1) >= 0) fail('has more than one tab; a .tsv line is source<TAB>target');
    return { source: tokenize(line.slice(0, tab), mode), target: tokenize(line.slice(tab + 1), mode) };
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    fail('is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('is not a JSON object {"source": …, "target": …}');
  const obj = value as Record<string, unknown>;
  return { source: side(obj, 'source', mode, fail), target: side(obj, 'target', mode, fail) };
}

function side(obj: Record<string, unknown>, key: 'source' | 'target', mode: Tokenize, fail: (p: string) => never): string[] {
  if (!Object.hasOwn(obj, key)) fail(`has no "${key}" key`);
  const v = obj[key];
  if (typeof v === 'string') return tokenize(v, mode);
  if (!Array.isArray(v)) fail(`has a "${key}" that is neither a string nor an array of tokens`);
  return (v as unknown[]).map((t, i) => {
    if (typeof t === 'string') return t;
    if (typeof t === 'number' && Number.isSafeInteger(t)) return String(t);
    return fail(`has "${key}" token ${i + 1} that is neither a string nor an integer`);
  });
}
