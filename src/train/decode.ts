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
