// A caller's own training pairs (docs/contract.md §1b) as the file task's data: read by the same
// parser and corpus builder as a pairs file, so the vocabulary, the held-out split and every
// message are the command line's.
import type { Config } from '../config/config.ts';
import { CorpusBuilder, type Corpus } from '../data/corpus.ts';
import { FileData } from '../file_task/data.ts';
import { DataError, formatOf, type PairsFormat } from '../data/parse.ts';
import { vocabLimitProblem } from '../data/limits.ts';
import { pairCount, sourceOf, targetOf } from '../data/packed.ts';
import { idsToText } from '../data/text.ts';
import { Vocab } from '../data/vocab.ts';
import { Seq2SeqError, toSeq2SeqError } from './errors.ts';

/** One pair: source and target as text (tokenised by `tokenize`) or as arrays of tokens. */
export type Pair = readonly [string | readonly string[], string | readonly string[]] | { source: string | readonly string[]; target: string | readonly string[] };

/**
 * Training pairs: an array of pairs, or the text of a pairs file (`tsv`: `source<TAB>target`
 * lines; `jsonl`: `{"source": …, "target": …}` lines) with the name messages call it by.
 */
export type Pairs = readonly Pair[] | PairsText;

/** The text of a pairs file; `name` (e.g. the file's) is what a message about a bad line names. */
export interface PairsText {
  text: string;
  format: PairsFormat;
  name?: string;
}

/** The pairs as lines of one format, ready for the corpus builder. */
function linesOf(pairs: Pairs): { lines: string[]; format: PairsFormat; name?: string } {
  if (Array.isArray(pairs)) {
    const lines = (pairs as readonly Pair[]).map((p) => JSON.stringify(Array.isArray(p) ? { source: p[0], target: p[1] } : { source: (p as { source: unknown }).source, target: (p as { target: unknown }).target }));
    return { lines, format: 'jsonl' };
  }
  const { text, format, name } = pairs as PairsText;
  if (typeof text !== 'string' || (format !== 'tsv' && format !== 'jsonl')) {
    throw new DataError('Pairs must be an array of [source, target] pairs, or { text, format } with format "tsv" or "jsonl".');
  }
  return { lines: text.split(/\r?\n/), format, name };
}

/** Reads the pairs (and held-out pairs, else the hash rule) into a corpus. */
function corpusOf(pairs: Pairs, evalPairs: Pairs | undefined, tokenize: Config['tokenize'], maxLength: number | undefined): Corpus {
  const data = linesOf(pairs);
  const held = evalPairs === undefined ? undefined : linesOf(evalPairs);
  const builder = new CorpusBuilder({
    tokenize,
    maxLength,
    data: { name: data.name ?? 'the training pairs', format: data.format },
    evalData: held && { name: held.name ?? 'the held-out pairs', format: held.format },
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

/** What training on some pairs would see, before any GPU work. */
export interface PairsPreview {
  trainCount: number;
  heldOutCount: number;
  /** `eval_data`: the held-out pairs were given; `hash`: about 1 line in 20 by a hash of the line; `fallback`: the hash chose none, so those with the smallest hashes. */
  heldOutBy: 'eval_data' | 'hash' | 'fallback';
  /** Tokens in the vocabulary (PAD and EOS included): the model's vocab_size. */
  vocabSize: number;
  /** The longest training source or target, in tokens: the model's max_length. */
  maxLength: number;
  /** The first training pairs as [source, target] text, written back as predictions will be. */
  first: [string, string][];
}

/**
 * Reads `pairs` (and `evalPairs`) as training would, without a GPU: the counts, the held-out
 * split, the vocabulary size and max_length, and the first `rows` training pairs. A bad pair
 * throws Seq2SeqError `invalid_data` naming its line.
 */
export function previewPairs(pairs: Pairs, opts: { tokenize?: Config['tokenize']; evalPairs?: Pairs; rows?: number } = {}): PairsPreview {
  const tokenize = opts.tokenize ?? 'words';
  const corpus = guardedSync(() => corpusOf(pairs, opts.evalPairs, tokenize, undefined));
  const vocab = new Vocab(corpus.vocab);
  const trainCount = pairCount(corpus.train);
  const first: [string, string][] = [];
  for (let i = 0; i < Math.min(opts.rows ?? 5, trainCount); i++) {
    first.push([idsToText(sourceOf(corpus.train, i), vocab, tokenize), idsToText(targetOf(corpus.train, i), vocab, tokenize)]);
  }
  return { trainCount, heldOutCount: pairCount(corpus.heldOut), heldOutBy: corpus.heldOutBy, vocabSize: corpus.vocab.length, maxLength: corpus.maxLength, first };
}

/** A `.tsv` or `.jsonl` file (a browser File, or any Blob with a name) as pairs text; anything else, or bytes that are not UTF-8, throws `invalid_data`. */
export async function readPairsFile(file: Blob & { name: string }): Promise<PairsText> {
  const format = guardedSync(() => formatOf(file.name));
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), format, name: file.name };
  } catch {
    throw new Seq2SeqError('invalid_data', `${file.name} is not UTF-8 text.`);
  }
}

function guardedSync<T>(job: () => T): T {
  try {
    return job();
  } catch (err) {
    throw toSeq2SeqError(err, 'invalid_data');
  }
}
