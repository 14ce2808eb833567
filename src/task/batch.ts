// Time-major, fixed-shape batches: S = max_length and T = S + 1 for every batch, so GPU
// buffers and recorded programs never change shape.
import { targetFor } from './tasks.ts';
import { eosToken, samples as drawSamples, type TaskConfig } from './sample.ts';
import type { Stream } from './rng.ts';

export interface Batch {
  B: number; S: number; T: number;   // S = config.max_length, T = S + 1 (fixed padding so GPU shapes never change)
  src: Int32Array;        // (S, B) time-major: src[t*B + b]; PAD = 0 past each length
  srcLengths: Int32Array; // (B)
  tgt: Int32Array;        // (T, B) time-major targets: the task's target, then EOS (= vocab_size-1), then PAD 0
  tgtLengths: Int32Array; // (B) target length + 1 (the EOS counts)
  decIn: Int32Array;      // (T, B) decoder inputs: EOS at t=0, then tgt[t-1] (PAD 0 past tgtLengths)
  inputs: number[][];     // the raw samples
  targets: number[][];
}

/** A batch whose rows from `real` on are padding (copies of row 0) to ignore. */
export interface PaddedBatch {
  batch: Batch;
  real: number;
}

/** Samples start .. start + B - 1 of (stream, seed) as one batch. */
export function makeBatch(config: TaskConfig, stream: Stream, seed: number, start: number, B: number): Batch {
  return layout(config, drawSamples(config, stream, seed, start, B), B);
}

/**
 * Up to B given samples as one batch (for predict and the last, partial evaluation batch).
 * A missing target is computed from the input. Rows `samples.length .. B-1` are copies of
 * sample 0: valid inputs, so every model runs them normally; callers drop rows >= `real`.
 * `inputs`/`targets` hold all B rows, copies included.
 */
export function batchFromSamples(
  config: TaskConfig,
  samples: ReadonlyArray<{ input: number[]; target?: number[] }>,
  B: number,
): PaddedBatch {
  if (samples.length < 1 || samples.length > B) {
    throw new RangeError(`batchFromSamples needs 1 to ${B} samples, got ${samples.length}.`);
  }
  const full = samples.map((s) => ({ input: s.input, target: s.target ?? targetFor(config.task, s.input) }));
  for (const [i, s] of full.entries()) checkSample(config, s.input, s.target, i);
  while (full.length < B) full.push(full[0]);
  return { batch: layout(config, full, B), real: samples.length };
}

function checkSample(config: TaskConfig, input: number[], target: number[], i: number): void {
  const top = config.vocab_size - 2;
  if (input.length < 1 || input.length > config.max_length) {
    throw new RangeError(`Sample ${i} has ${input.length} numbers; max_length allows 1 to ${config.max_length}.`);
  }
  if (target.length > input.length) throw new RangeError(`Sample ${i} has a target longer than its input.`);
  for (const v of [...input, ...target]) {
    if (!Number.isInteger(v) || v < 1 || v > top) {
      throw new RangeError(`Sample ${i} holds ${v}; numbers must be integers from 1 to ${top} (vocab_size ${config.vocab_size}).`);
    }
  }
}

export function layout(config: Pick<TaskConfig, 'vocab_size' | 'max_length'>, samples: ReadonlyArray<{ input: number[]; target: number[] }>, B: number): Batch {
  const S = config.max_length;
  const T = S + 1;
  const eos = eosToken(config);
  const src = new Int32Array(S * B); // zero-filled, so PAD (0) wherever nothing is written
  const srcLengths = new Int32Array(B);
  const tgt = new Int32Array(T * B);
  const tgtLengths = new Int32Array(B);
  const decIn = new Int32Array(T * B);
  for (let b = 0; b < B; b++) {
    const { input, target } = samples[b];
    srcLengths[b] = input.length;
    for (let t = 0; t < input.length; t++) src[t * B + b] = input[t];
    const m = target.length;
    tgtLengths[b] = m + 1;
    for (let t = 0; t < m; t++) tgt[t * B + b] = target[t];
    tgt[m * B + b] = eos;
    decIn[b] = eos; // the decoder's first input is EOS
    for (let t = 1; t <= m; t++) decIn[t * B + b] = target[t - 1];
  }
  return {
    B, S, T, src, srcLengths, tgt, tgtLengths, decIn,
    inputs: samples.map((s) => s.input),
    targets: samples.map((s) => s.target),
  };
}
