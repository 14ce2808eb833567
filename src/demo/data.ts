// The demo page's own pairs (docs/contract.md §1b): a chosen .tsv or .jsonl file parsed in the page by
// the same code as the command line (streamed, held-out split by the hash rule), with the
// vocabulary size and a few sample pairs to show before training.
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
  tokenize: Tokenize;
  corpus: Corpus;
}

/** Reads `file` line by line into a corpus; a bad file throws DataError (one sentence naming it and the line). */
export async function readPairsFile(file: Blob & { name: string }, tokenize: Tokenize): Promise<PagePairs> {
  const builder = new CorpusBuilder({ tokenize, data: { name: file.name, format: formatOf(file.name) } });
  let lineNo = 0;
  try {
    for await (const line of splitLines(blobChunks(file))) builder.addDataLine(line, ++lineNo);
  } catch (err) {
    if (err instanceof TypeError) throw new DataError(`${file.name} is not UTF-8 text (bad bytes near line ${lineNo + 1}).`);
    throw err;
  }
  return { name: file.name, tokenize, corpus: builder.finish() };
}

/** One line: pairs, held out, vocabulary, max_length. */
export function describePairs(p: PagePairs): string {
  const { corpus } = p;
  return (
    `${p.name}: ${pairCount(corpus.train)} training pairs, ${pairCount(corpus.heldOut)} held out (1 line in about 20, by hash), ` +
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
