// docs/contract.md §2 evaluation: `rounds` independent rounds of `samples` fresh held-out samples,
// greedy decoding on the GPU, mean and std over rounds, per-input-length buckets.
import type { Gpu } from '../gpu/context.ts';
import type { GpuModel } from '../models/model.ts';
import { scoreRound, summarizeRounds, type Pair, type RoundScore, type Summary } from '../metrics/index.ts';
import { makeBatch } from '../task/index.ts';
import { decodeBatch } from './decode.ts';

export interface EvaluateOptions {
  rounds: number;
  samples: number;
  /** Seed of the held-out ('eval') stream; round j draws samples [j·samples, (j+1)·samples). */
  seed: number;
  /** Beam width; default the model's config.beam (1 = greedy). */
  beam?: number;
  onRound?: (round: number, score: RoundScore) => void;
}

export async function evaluateModel(gpu: Gpu, model: GpuModel, opts: EvaluateOptions): Promise<Summary> {
  const B = model.config.batch_size;
  const rounds: RoundScore[] = [];
  for (let j = 0; j < opts.rounds; j++) {
    const pairs: Pair[] = [];
    for (let k = 0; k < opts.samples; k += B) {
      const batch = makeBatch(model.config, 'eval', opts.seed, j * opts.samples + k, B);
      const predictions = await decodeBatch(gpu, model, batch, opts.beam ?? model.config.beam);
      const real = Math.min(B, opts.samples - k);
      for (let b = 0; b < real; b++) pairs.push({ input: batch.inputs[b], target: batch.targets[b], prediction: predictions[b] });
    }
    const score = scoreRound(pairs);
    rounds.push(score);
    opts.onRound?.(j, score);
  }
  return summarizeRounds(rounds);
}
