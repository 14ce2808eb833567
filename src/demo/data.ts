// The demo page's own pairs (docs/contract.md §1b): a chosen .tsv or .jsonl file parsed in the page by
// the same code as the command line (streamed; held out: an optional eval_data file's pairs,
// else the hash rule), with the vocabulary size and a few sample pairs to show before training.
import { CorpusBuilder, type Corpus } from '../data/corpus.ts';
import { FileData } from '../data/file_data.ts';
import { blobChunks, splitLines } from '../data/lines.ts';
import { pairCount, sourceOf, targetOf } from '../data/packed.ts';
import { DataError, formatOf } from '../data/parse.ts';
import { idsToText } from '../data/text.ts';
import type { Tokenize } from '../data/tokenize.ts';
import { Vocab } from '../data/vocab.ts';

export interface PagePairs {
  name: string;
  /** The eval_data file's name, when one gave the held-out pairs. */
  evalName?: string;
  tokenize: Tokenize;
  corpus: Corpus;
}

type NamedBlob = Blob & { name: string };

/**
 * Reads `file` (and `evalFile`, the held-out pairs, when given) line by line into a corpus; a
 * bad file throws DataError (one sentence naming it and the line).
 */
export async function readPairsFile(file: NamedBlob, tokenize: Tokenize, evalFile?: NamedBlob): Promise<PagePairs> {
  const evalData = evalFile ? { name: evalFile.name, format: formatOf(evalFile.name) } : undefined;
  const builder = new CorpusBuilder({ tokenize, data: { name: file.name, format: formatOf(file.name) }, evalData });
  await eachLine(file, (line, n) => builder.addDataLine(line, n));
  if (evalFile) await eachLine(evalFile, (line, n) => builder.addEvalLine(line, n));
  return { name: file.name, evalName: evalFile?.name, tokenize, corpus: builder.finish() };
}

async function eachLine(file: NamedBlob, take: (line: string, lineNo: number) => void): Promise<void> {
  let lineNo = 0;
  try {
    for await (const line of splitLines(blobChunks(file))) take(line, ++lineNo);
  } catch (err) {
    if (err instanceof TypeError) throw new DataError(`${file.name} is not UTF-8 text (bad bytes near line ${lineNo + 1}).`);
    throw err;
  }
}

const HELD_OUT_BY = {
  hash: '1 line in about 20, by hash',
  fallback: 'the hash chose none, so those with the smallest hashes',
  eval_data: '',
};

/** One line: pairs, held out (and by which rule), vocabulary, max_length. */
export function describePairs(p: PagePairs): string {
  const { corpus } = p;
  const by = corpus.heldOutBy === 'eval_data' ? `from ${p.evalName}` : HELD_OUT_BY[corpus.heldOutBy];
  return (
    `${p.name}: ${pairCount(corpus.train)} training pairs, ${pairCount(corpus.heldOut)} held out (${by}), ` +
    `vocabulary ${corpus.vocab.length} tokens (tokenize=${p.tokenize}), max_length ${corpus.maxLength}.`
  );
}

/** The first `n` training pairs as text, detokenised as predictions will be. */
export function samplePairs(p: PagePairs, n = 5): [string, string][] {
  const vocab = new Vocab(p.corpus.vocab);
  const out: [string, string][] = [];
  for (let i = 0; i < Math.min(n, pairCount(p.corpus.train)); i++) {
    out.push([idsToText(sourceOf(p.corpus.train, i), vocab, p.tokenize), idsToText(targetOf(p.corpus.train, i), vocab, p.tokenize)]);
  }
  return out;
}

export function fileDataOf(p: PagePairs): FileData {
  return new FileData(p.corpus.vocab, p.corpus.train, p.corpus.heldOut);
}
