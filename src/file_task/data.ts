// A file task's pairs in the page (docs/contract.md §1b): packed ids for training and held-out
// evaluation, turned into the same fixed-shape batches as the built-in tasks.
import { layout, type Batch, type PaddedBatch } from '../task/batch.ts';
import { EpochOrder } from '../data/order.ts';
import { decodePackedSets, pairCount, sourceOf, targetOf, type PackedPairs } from '../data/packed.ts';

/** A file task's data as it crosses into a GPU runtime: the vocabulary and encodePackedSets([train, heldOut]). */
export interface FileDataUpload {
  vocab: string[];
  packed: Int32Array;
}

export class FileData {
  private order: EpochOrder | null = null;

  constructor(
    /** Index = id (docs/contract.md §1b). */
    readonly vocab: readonly string[],
    /** Empty (no pairs) when the session only evaluates or predicts. */
    readonly train: PackedPairs,
    readonly heldOut: PackedPairs,
  ) {}

  /** From encodePackedSets([train, heldOut]) and the vocabulary. */
  static fromPacked(vocab: readonly string[], flat: Int32Array): FileData {
    const [train, heldOut] = decodePackedSets(flat);
    if (!train || !heldOut) throw new RangeError('File data needs a training and a held-out set.');
    return new FileData(vocab, train, heldOut);
  }

  get trainCount(): number {
    return pairCount(this.train);
  }
  get heldOutCount(): number {
    return pairCount(this.heldOut);
  }

  /** The longest held-out source or target. */
  heldOutLongest(): number {
    let longest = 0;
    for (let i = 0; i < this.heldOutCount; i++) longest = Math.max(longest, sourceOf(this.heldOut, i).length, targetOf(this.heldOut, i).length);
    return longest;
  }

  /** Training samples start .. start + B - 1 of the seed's epoch order. */
  trainBatch(config: { vocab_size: number; max_length: number; seed: number }, start: number, B: number): Batch {
    if (!this.order) this.order = new EpochOrder(this.trainCount, config.seed);
    const pairs = Array.from({ length: B }, (_, b) => pairOf(this.train, this.order!.pairAt(start + b)));
    return layout(config, pairs, B);
  }

  /** Held-out pairs start .. start + B - 1 (fewer at the end: rows from `real` on copy row 0). */
  heldOutBatch(config: { vocab_size: number; max_length: number }, start: number, B: number): PaddedBatch {
    const real = Math.min(B, this.heldOutCount - start);
    const pairs = Array.from({ length: real }, (_, b) => pairOf(this.heldOut, start + b));
    while (pairs.length < B) pairs.push(pairs[0]);
    return { batch: layout(config, pairs, B), real };
  }
}

function pairOf(p: PackedPairs, i: number): { input: number[]; target: number[] } {
  return { input: Array.from(sourceOf(p, i)), target: Array.from(targetOf(p, i)) };
}
