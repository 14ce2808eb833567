// The Node side of a file task (docs/contract.md §1b): read the data once, derive vocab_size and
// max_length, and hand the page packed ids; for `eval --data`, pack a file with a
// checkpoint's vocabulary.
import type { Config } from '../config/config.ts';
import type { FileDataUpload } from './data.ts';
import { loadCorpus, streamFile, type FileIdentity } from '../data/read_node.ts';
import type { Corpus } from '../data/corpus.ts';
import { encodePackedSets, pairCount, PairPacker } from '../data/packed.ts';
import { DataError, formatOf, parsePairLine } from '../data/parse.ts';
import type { Tokenize } from '../data/tokenize.ts';
import { Vocab } from '../data/vocab.ts';
import { vocabLimitProblem } from '../data/limits.ts';

export interface PreparedFileTask {
  /** The config with vocab_size and (unless set explicitly) max_length derived from the data. */
  config: Config;
  upload: FileDataUpload;
  files: FileIdentity[];
  /** One line for the user: pairs, held-out pairs, vocabulary, lengths. */
  summary: string;
}

/** `explicitMaxLength`: the user set max_length, so longer training pairs are left out. */
export async function prepareFileTask(config: Config, explicitMaxLength: boolean, onProgress?: (line: string) => void): Promise<PreparedFileTask> {
  const { corpus, files } = await loadCorpus({
    data: config.data,
    evalData: config.eval_data || undefined,
    tokenize: config.tokenize,
    maxLength: explicitMaxLength ? config.max_length : undefined,
    onProgress,
  });
  const derived: Config = { ...config, vocab_size: corpus.vocab.length, max_length: corpus.maxLength };
  const tooBig = vocabLimitProblem(derived, config.data);
  if (tooBig) throw new DataError(tooBig);
  const leftOut = corpus.leftOut > 0 ? `; ${corpus.leftOut} training pairs longer than max_length ${corpus.maxLength} left out` : '';
  const summary =
    `data: ${pairCount(corpus.train)} training pairs, ${pairCount(corpus.heldOut)} held out${heldOutNote(corpus, config)}, ` +
    `vocabulary ${corpus.vocab.length} (tokenize=${config.tokenize}), max_length ${corpus.maxLength}${leftOut}`;
  return { config: derived, upload: { vocab: corpus.vocab, packed: encodePackedSets([corpus.train, corpus.heldOut]) }, files, summary };
}

/** Where the held-out pairs came from, when not the usual hash rule. */
function heldOutNote(corpus: Corpus, config: Config): string {
  if (corpus.heldOutBy === 'eval_data') return ` (from ${config.eval_data})`;
  if (corpus.heldOutBy === 'fallback') return ' (the hash rule chose none, so the fallback rule held out those with the smallest hashes)';
  return '';
}

/** Every pair of `path` as held-out data for a checkpoint's vocabulary (nothing to train on). */
export async function packEvalFile(path: string, vocab: string[], tokenize: Tokenize): Promise<{ upload: FileDataUpload; pairs: number }> {
  const v = new Vocab(vocab);
  const format = formatOf(path);
  const held = new PairPacker();
  await streamFile(path, (line, lineNo) => {
    if (line === '') return;
    const { source, target } = parsePairLine(line, format, tokenize, path, lineNo);
    held.add(v.ids(source), v.ids(target));
  });
  if (held.count === 0) throw new DataError(`${path} is empty: it holds no pairs.`);
  const empty = new PairPacker().finish();
  return { upload: { vocab, packed: encodePackedSets([empty, held.finish()]) }, pairs: held.count };
}
