// A file task's data (docs/contract.md §1b), built in one pass over the lines: tokens are interned
// (each distinct string kept once) and pairs stored as packed ids, so no text is held
// twice. The vocabulary is counted on the training pairs only; at the end every interned
// id is remapped to its vocabulary id (<unk> for tokens seen only in held-out pairs).
import { MAX_VOCAB } from '../config/rules.ts';
import { IntList, PairPacker, pairCount, sourceOf, targetOf, type PackedPairs } from './packed.ts';
import { DataError, parsePairLine, type PairsFormat, type TokenPair } from './parse.ts';
import { fallbackHeldOut, HOLD_OUT_EVERY } from './split.ts';
import { fnv1a32 } from '../hash.ts';
import type { Tokenize } from './tokenize.ts';
import { UNK_ID, vocabFromCounts } from './vocab.ts';

export interface CorpusOptions {
  tokenize: Tokenize;
  /** An explicitly set max_length: longer training pairs are left out. Undefined: the data's longest. */
  maxLength?: number;
  /** The training file's name (for messages) and format. */
  data: { name: string; format: PairsFormat };
  /** The held-out file, or undefined for the hash rule on the training file. */
  evalData?: { name: string; format: PairsFormat };
}

export interface Corpus {
  /** Index = id (docs/contract.md §1b). */
  vocab: string[];
  train: PackedPairs;
  heldOut: PackedPairs;
  /** max_length for the model: explicit, or the longest training source or target (at least 1). */
  maxLength: number;
  /** The longest held-out source or target (may exceed maxLength). */
  heldOutMaxLength: number;
  /** Training pairs left out for exceeding an explicit max_length. */
  leftOut: number;
  /** Which rule chose the held-out pairs (docs/contract.md §1b). */
  heldOutBy: 'eval_data' | 'hash' | 'fallback';
}

export class CorpusBuilder {
  private readonly interned = new Map<string, number>();
  private readonly counts: number[] = []; // by interned id, training pairs only
  private train = new PairPacker();
  private readonly heldOut = new PairPacker();
  /** Each training pair's line hash, for the fallback hold-out (no eval_data). */
  private readonly trainHashes = new IntList();
  private trainLongest = 0;
  private heldOutLongest = 0;
  private leftOut = 0;
  private evalLines = 0;

  constructor(private readonly opts: CorpusOptions) {}

  /** Line `lineNo` (1-based) of the training file; blank lines are skipped. */
  addDataLine(line: string, lineNo: number): void {
    if (line === '') return;
    const { data, evalData, tokenize } = this.opts;
    const pair = parsePairLine(line, data.format, tokenize, data.name, lineNo);
    const hash = evalData ? 0 : fnv1a32(line);
    if (!evalData && hash % HOLD_OUT_EVERY === 0) this.addHeldOut(pair);
    else if (this.addTrain(pair) && !evalData) this.trainHashes.push(hash | 0);
  }

  /** Line `lineNo` of the eval_data file (every pair held out). */
  addEvalLine(line: string, lineNo: number): void {
    const { evalData, tokenize } = this.opts;
    if (!evalData) throw new Error('addEvalLine without an eval_data file.');
    if (line === '') return;
    this.evalLines++;
    this.addHeldOut(parsePairLine(line, evalData.format, tokenize, evalData.name, lineNo));
  }

  finish(): Corpus {
    const { data, evalData, maxLength } = this.opts;
    if (this.train.count === 0 && this.heldOut.count === 0 && this.leftOut === 0) {
      throw new DataError(`${data.name} is empty: it holds no pairs.`);
    }
    if (evalData && this.evalLines === 0) throw new DataError(`${evalData.name} (eval_data) is empty: it holds no pairs.`);
    if (this.train.count === 0) {
      const why = this.leftOut > 0 ? `all ${this.leftOut} are longer than max_length ${maxLength}` : 'the hash rule held out every pair';
      throw new DataError(`${data.name} leaves no pairs to train on: ${why}.`);
    }
    const fallback = !evalData && this.heldOut.count === 0 && this.train.count >= 2;
    if (fallback) this.holdOutByFallback();
    if (this.heldOut.count === 0) {
      throw new DataError(`${data.name} has no held-out pairs: it holds a single pair, and training needs it; add pairs or give eval_data=FILE.`);
    }
    const vocab = this.vocabulary();
    const remap = this.remapping(vocab);
    const train = this.train.finish();
    const heldOut = this.heldOut.finish();
    for (const set of [train, heldOut]) for (let i = 0; i < set.tokens.length; i++) set.tokens[i] = remap[set.tokens[i]];
    return {
      vocab,
      train,
      heldOut,
      maxLength: maxLength ?? Math.max(1, this.trainLongest),
      heldOutMaxLength: this.heldOutLongest,
      leftOut: this.leftOut,
      heldOutBy: evalData ? 'eval_data' : fallback ? 'fallback' : 'hash',
    };
  }

  /** Moves the pairs fallbackHeldOut chooses from the training set to the held-out one, uncounted. */
  private holdOutByFallback(): void {
    const mask = fallbackHeldOut(this.trainHashes.toArray());
    const all = this.train.finish();
    this.train = new PairPacker();
    this.trainLongest = 0;
    for (let i = 0; i < mask.length; i++) {
      const [source, target] = [Array.from(sourceOf(all, i)), Array.from(targetOf(all, i))];
      if (!mask[i]) {
        this.trainLongest = Math.max(this.trainLongest, source.length, target.length);
        this.train.add(source, target);
        continue;
      }
      for (const id of [...source, ...target]) this.counts[id]--;
      this.heldOutLongest = Math.max(this.heldOutLongest, source.length, target.length);
      this.heldOut.add(source, target);
    }
  }

  private intern(token: string, count: boolean): number {
    let id = this.interned.get(token);
    if (id === undefined) {
      id = this.counts.length;
      this.interned.set(token, id);
      this.counts.push(0);
    }
    if (count) this.counts[id]++;
    return id;
  }

  /** False when the pair is left out (longer than an explicit max_length). */
  private addTrain(pair: TokenPair): boolean {
    const longest = Math.max(pair.source.length, pair.target.length);
    if (this.opts.maxLength !== undefined && longest > this.opts.maxLength) {
      this.leftOut++;
      return false;
    }
    this.trainLongest = Math.max(this.trainLongest, longest);
    this.train.add(pair.source.map((t) => this.intern(t, true)), pair.target.map((t) => this.intern(t, true)));
    return true;
  }

  private addHeldOut(pair: TokenPair): void {
    this.heldOutLongest = Math.max(this.heldOutLongest, pair.source.length, pair.target.length);
    this.heldOut.add(pair.source.map((t) => this.intern(t, false)), pair.target.map((t) => this.intern(t, false)));
  }

  private vocabulary(): string[] {
    const counts = new Map<string, number>();
    for (const [token, id] of this.interned) counts.set(token, this.counts[id]);
    const vocab = vocabFromCounts(counts);
    if (vocab.length > MAX_VOCAB) {
      throw new DataError(`${this.opts.data.name} has ${vocab.length - 3} distinct tokens; the vocabulary is limited to ${MAX_VOCAB - 3} (try tokenize=chars).`);
    }
    return vocab;
  }

  /** Interned id -> vocabulary id. */
  private remapping(vocab: string[]): Int32Array {
    const byToken = new Map<string, number>();
    for (let id = 2; id < vocab.length - 1; id++) byToken.set(vocab[id], id);
    const remap = new Int32Array(this.counts.length);
    for (const [token, id] of this.interned) remap[id] = byToken.get(token) ?? UNK_ID;
    return remap;
  }
}

export { pairCount };
