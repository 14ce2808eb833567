// Greedy decoding of whole batches on the GPU, and turning decoded tokens into predictions.
import type { Config } from '../config/config.ts';
import { decodeLength } from '../config/config.ts';
import type { Gpu } from '../gpu/context.ts';
import type { GpuModel } from '../models/model.ts';
import { cutAtEos } from '../metrics/index.ts';
import { batchFromSamples, eosToken, type Batch } from '../task/index.ts';
import { beamDecodeBatch } from './beam.ts';

/** Decodes one batch: (B) predictions, each cut before its first EOS. `beam` > 1: beam search (train/beam.ts). */
export async function decodeBatch(gpu: Gpu, model: GpuModel, batch: Batch, beam = 1): Promise<number[][]> {
  if (beam > 1) return beamDecodeBatch(gpu, model, batch, beam);
  model.setBatch(batch);
  gpu.run(model.decodeStep);
  const tokens = await gpu.readI32(model.decoded); // (D, B) time-major
  const D = decodeLength(model.config);
  const eos = eosToken(model.config);
  const out: number[][] = [];
  for (let b = 0; b < batch.B; b++) {
    const row: number[] = [];
    for (let t = 0; t < D; t++) row.push(tokens[t * batch.B + b]);
    out.push(cutAtEos(row, eos));
  }
  return out;
}

/** Predicts the primes of any number of inputs, a batch at a time. */
export async function predictInputs(gpu: Gpu, model: GpuModel, config: Config, inputs: number[][], beam = config.beam): Promise<number[][]> {
  const B = config.batch_size;
  const out: number[][] = [];
  for (let start = 0; start < inputs.length; start += B) {
    // A file task has no target function; predictions never read the target.
    const chunk = inputs.slice(start, start + B).map((input) => (config.task === 'file' ? { input, target: [] } : { input }));
    const { batch, real } = batchFromSamples(config, chunk, B);
    out.push(...(await decodeBatch(gpu, model, batch, beam)).slice(0, real));
  }
  return out;
}

/** One input's greedy prediction and where it looked: weights[step][source position]. */
export interface AttentionMap {
  prediction: number[];
  /**
   * One row per output step up to and including the EOS (all decode steps when none came),
   * one column per input token in input order (reversed back when reverse_source).
   */
  weights: number[][];
}

/** Greedy decoding of one batch with the model's attention weights: (real) maps. */
export async function attentionBatch(gpu: Gpu, model: GpuModel, batch: Batch, real: number): Promise<AttentionMap[]> {
  if (!model.attention) throw new Error(`The ${model.name} model has no attention to show; attention maps need a model=attn checkpoint.`);
  const predictions = await decodeBatch(gpu, model, batch, 1);
  const weights = await gpu.read(model.attention); // (D, B, S)
  const { B, S } = batch;
  const D = decodeLength(model.config);
  return predictions.slice(0, real).map((prediction, b) => {
    const len = batch.srcLengths[b];
    const steps = Math.min(D, prediction.length + 1);
    const rows = Array.from({ length: steps }, (_, t) => {
      const row = Array.from(weights.subarray((t * B + b) * S, (t * B + b) * S + len));
      return model.config.reverse_source ? row.reverse() : row;
    });
    return { prediction, weights: rows };
  });
}

/** Attention maps of any number of inputs, a batch at a time. */
export async function attentionInputs(gpu: Gpu, model: GpuModel, config: Config, inputs: number[][]): Promise<AttentionMap[]> {
  const out: AttentionMap[] = [];
  for (let start = 0; start < inputs.length; start += config.batch_size) {
    const { batch, real } = batchFromSamples(config, inputs.slice(start, start + config.batch_size).map((input) => ({ input })), config.batch_size);
    out.push(...(await attentionBatch(gpu, model, batch, real)));
  }
  return out;
}
