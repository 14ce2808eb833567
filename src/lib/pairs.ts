// A caller's own training pairs (docs/contract.md §1b) as the file task's data: read by the same
// parser and corpus builder as a pairs file, so the vocabulary, the held-out split and every
// message are the command line's.
import type { Config } from '../config/config.ts';
import { CorpusBuilder, type Corpus } from '../data/corpus.ts';
import { FileData } from '../data/file_data.ts';
import { DataError, type PairsFormat } from '../data/parse.ts';
import { vocabLimitProblem } from '../data/limits.ts';

/** One pair: source and target as text (tokenised by `tokenize`) or as arrays of tokens. */
export type Pair = readonly [string | readonly string[], string | readonly string[]] | { source: string | readonly string[]; target: string | readonly string[] };

/**
 * Training pairs: an array of pairs, or the text of a pairs file (`tsv`: `source<TAB>target`
 * lines; `jsonl`: `{"source": …, "target": …}` lines).
 */
export type Pairs = readonly Pair[] | { text: string; format: PairsFormat };

/** The pairs as lines of one format, ready for the corpus builder. */
function linesOf(pairs: Pairs): { lines: string[]; format: PairsFormat } {
  if (Array.isArray(pairs)) {
    const lines = (pairs as readonly Pair[]).map((p) => JSON.stringify(Array.isArray(p) ? { source: p[0], target: p[1] } : { source: (p as { source: unknown }).source, target: (p as { target: unknown }).target }));
    return { lines, format: 'jsonl' };
  }
  const { text, format } = pairs as { text: string; format: PairsFormat };
  if (typeof text !== 'string' || (format !== 'tsv' && format !== 'jsonl')) {
    throw new DataError('Pairs must be an array of [source, target] pairs, or { text, format } with format "tsv" or "jsonl".');
  }
  return { lines: text.split(/\r?\n/), format };
}

/** Reads the pairs (and held-out pairs, else the hash rule) into a corpus. */
function corpusOf(pairs: Pairs, evalPairs: Pairs | undefined, tokenize: Config['tokenize'], maxLength: number | undefined): Corpus {
  const data = linesOf(pairs);
  const held = evalPairs === undefined ? undefined : linesOf(evalPairs);
  const builder = new CorpusBuilder({
    tokenize,
    maxLength,
    data: { name: 'the training pairs', format: data.format },
    evalData: held && { name: 'the held-out pairs', format: held.format },
  });
  data.lines.forEach((line, i) => builder.addDataLine(line, i + 1));
  held?.lines.forEach((line, i) => builder.addEvalLine(line, i + 1));
  return builder.finish();
}

/**
 * A file task's config and data from the caller's pairs: vocab_size from the training pairs,
 * max_length from them unless `explicitMaxLength` (then longer training pairs are left out).
 */
export function pairsTask(config: Config, pairs: Pairs, evalPairs: Pairs | undefined, explicitMaxLength: boolean): { config: Config; data: FileData } {
  const corpus = corpusOf(pairs, evalPairs, config.tokenize, explicitMaxLength ? config.max_length : undefined);
  const derived: Config = { ...config, task: 'file', vocab_size: corpus.vocab.length, max_length: corpus.maxLength };
  const tooBig = vocabLimitProblem(derived, 'the training pairs');
  if (tooBig) throw new DataError(tooBig);
  return { config: derived, data: new FileData(corpus.vocab, corpus.train, corpus.heldOut) };
}
