// Greedy decoding of whole batches on the GPU, and turning decoded tokens into predictions.
import type { Config } from '../config/config.ts';
import { decodeLength } from '../config/config.ts';
import type { Gpu } from '../gpu/context.ts';
import type { GpuModel } from '../models/model.ts';
import { cutAtEos } from '../metrics/index.ts';
import { batchFromSamples, eosToken, type Batch } from '../task/index.ts';
import { beamDecodeBatch, beamSearchWithAttention } from './beam.ts';

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

/** An input to decode as a sample: a file task has no target function, and decoding never reads the target. */
const sampleOf = (config: Config, input: number[]) => (config.task === 'file' ? { input, target: [] } : { input });

/** Predicts the primes of any number of inputs, a batch at a time. */
export async function predictInputs(gpu: Gpu, model: GpuModel, config: Config, inputs: number[][], beam = config.beam): Promise<number[][]> {
  const B = config.batch_size;
  const out: number[][] = [];
  for (let start = 0; start < inputs.length; start += B) {
    const chunk = inputs.slice(start, start + B).map((input) => sampleOf(config, input));
    const { batch, real } = batchFromSamples(config, chunk, B);
    out.push(...(await decodeBatch(gpu, model, batch, beam)).slice(0, real));
  }
  return out;
}

/** One input's prediction and where it looked: weights[step][source position]. */
export interface AttentionMap {
  prediction: number[];
  /**
   * One row per output step up to and including the EOS (all decode steps when none came),
   * one column per input token in input order (reversed back when reverse_source). With a
   * beam, the rows of the chosen beam's own path, followed back through its parent beams.
   * For transformer, the last decoder layer's cross-attention averaged over its heads.
   */
  weights: number[][];
  /** When asked for (transformer): heads[h] the same rows for head h alone. */
  heads?: number[][][];
}

function checkPerHead(model: GpuModel, perHead: boolean): void {
  if (perHead && !model.attentionHeads) throw new Error(`The ${model.name} model has one attention head; per-head maps need a checkpoint of model transformer.`);
}

/**
 * Decodes one batch (greedy, or beam search of width `beam`) with the model's attention
 * weights: (real) maps; `perHead`: each head's too (transformer).
 */
export async function attentionBatch(gpu: Gpu, model: GpuModel, batch: Batch, real: number, beam = 1, perHead = false): Promise<AttentionMap[]> {
  checkPerHead(model, perHead);
  if (beam > 1) return beamAttentionBatch(gpu, model, batch, real, beam, perHead);
  if (!model.attention) throw new Error(`The ${model.name} model has no attention to show; attention maps need a checkpoint of a model with attention.`);
  const predictions = (await decodeBatch(gpu, model, batch, 1)).slice(0, real);
  const weights = await gpu.read(model.attention); // (D, B, S)
  const maps = attentionMaps(model, batch, predictions, weights, (t, b) => t * batch.B + b);
  if (!perHead) return maps;
  const { weights: perHeadView, heads } = model.attentionHeads!;
  const all = await gpu.read(perHeadView); // (D, B, heads, S)
  return withHeads(model, batch, maps, all, heads, (t, b, h) => (t * batch.B + b) * heads + h);
}

/**
 * Beam search of width K with attention: each input's best beam, and the weights its own path
 * used, step t's from the row of the beam that produced its token t (its parent at step t).
 */
export async function beamAttentionBatch(gpu: Gpu, model: GpuModel, batch: Batch, real: number, K: number, perHead = false): Promise<AttentionMap[]> {
  checkPerHead(model, perHead);
  const { best, weights, heads: all } = await beamSearchWithAttention(gpu, model, batch, K, perHead); // weights (D, B·K, S)
  const eos = eosToken(model.config);
  const predictions = best.slice(0, real).map((h) => cutAtEos(h.tokens, eos));
  const maps = attentionMaps(model, batch, predictions, weights, (t, b) => (t * batch.B + b) * K + best[b].sources[t]);
  if (!all) return maps;
  const heads = model.attentionHeads!.heads;
  return withHeads(model, batch, maps, all, heads, (t, b, h) => ((t * batch.B + b) * heads + h) * K + best[b].sources[t]); // (D, B, heads, K, S)
}

/** Each map with its per-head rows: (t, b, h)'s row is row `row(t, b, h)` of S floats of `all`. */
function withHeads(model: GpuModel, batch: Batch, maps: AttentionMap[], all: Float32Array, heads: number, row: (t: number, b: number, h: number) => number): AttentionMap[] {
  const predictions = maps.map((m) => m.prediction);
  const perHead = Array.from({ length: heads }, (_, h) => attentionMaps(model, batch, predictions, all, (t, b) => row(t, b, h)));
  return maps.map((m, b) => ({ ...m, heads: perHead.map((hm) => hm[b].weights) }));
}

/** Cuts each prediction's rows out of `weights`, where (t, b)'s row is row `row(t, b)` of S floats. */
function attentionMaps(model: GpuModel, batch: Batch, predictions: number[][], weights: Float32Array, row: (t: number, b: number) => number): AttentionMap[] {
  const D = decodeLength(model.config);
  const S = batch.S;
  return predictions.map((prediction, b) => {
    const len = batch.srcLengths[b];
    const steps = Math.min(D, prediction.length + 1);
    const rows = Array.from({ length: steps }, (_, t) => {
      const at = row(t, b) * S;
      const weightsRow = Array.from(weights.subarray(at, at + len));
      return model.config.reverse_source ? weightsRow.reverse() : weightsRow;
    });
    return { prediction, weights: rows };
  });
}

/** Attention maps of any number of inputs, a batch at a time (`beam` > 1: the chosen beam's; `perHead`: each head's too). */
export async function attentionInputs(gpu: Gpu, model: GpuModel, config: Config, inputs: number[][], beam = 1, perHead = false): Promise<AttentionMap[]> {
  const out: AttentionMap[] = [];
  for (let start = 0; start < inputs.length; start += config.batch_size) {
    const { batch, real } = batchFromSamples(config, inputs.slice(start, start + config.batch_size).map((input) => sampleOf(config, input)), config.batch_size);
    out.push(...(await attentionBatch(gpu, model, batch, real, beam, perHead)));
  }
  return out;
}
