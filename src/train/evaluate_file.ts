// Evaluation of a file task (docs/contract.md §1b, §2): every held-out pair once, greedy (or beam)
// decoding on the GPU, the §2 figures as one round, and corpus BLEU-4.
import type { FileData } from '../file_task/data.ts';
import { UNK_ID } from '../data/vocab.ts';
import type { Gpu } from '../gpu/context.ts';
import type { GpuModel } from '../models/model.ts';
import { corpusBleu, scoreRound, summarizeRounds, type Pair, type Summary } from '../metrics/index.ts';
import { decodeBatch } from './decode.ts';

export type FileSummary = Summary & { bleu: number };

/** A token the vocabulary lacks can never be predicted: its <unk> in a target matches nothing. */
const UNMATCHABLE = -1;

export async function evaluateFile(gpu: Gpu, model: GpuModel, data: FileData, beam = model.config.beam): Promise<FileSummary> {
  const B = model.config.batch_size;
  const pairs: Pair[] = [];
  for (let start = 0; start < data.heldOutCount; start += B) {
    const { batch, real } = data.heldOutBatch(model.config, start, B);
    const predictions = await decodeBatch(gpu, model, batch, beam);
    for (let b = 0; b < real; b++) {
      const target = batch.targets[b].map((t) => (t === UNK_ID ? UNMATCHABLE : t));
      pairs.push({ input: batch.inputs[b], target, prediction: predictions[b] });
    }
  }
  return { ...summarizeRounds([scoreRound(pairs)]), bleu: corpusBleu(pairs) };
}
