// Greedy decoding recorded both ways (config key `recurrence`, models/layers/greedy.ts), side by
// side in one run: `sequence` (the encoder, then ONE dispatch for every decode step) and
// `steps` (a few dispatches per decode step): dispatches and wall ms per decoded batch, timed
// in alternation on the same batches so a busy machine slows both alike, and their ratio.
// The one-dispatch kernel is asked for always, so the software adapter (which records the
// per-step decode by default) reports it too.
import type { Config, RecurrenceName } from '../config/config.ts';
import type { Gpu } from '../gpu/context.ts';
import { createModel, type GpuModel } from '../models/index.ts';
import { makeBatch } from '../task/index.ts';
import { median } from './median.ts';
import { modelSpec } from '../specs/index.ts';

export interface DecodeRecordingRow {
  /** What was recorded: the recording asked for, or `steps` where the kernel cannot run these sizes. */
  recorded: RecurrenceName;
  fallback?: string;
  dispatches: number;
  /** Wall clock of one decodeStep, submit → onSubmittedWorkDone, median of the timed calls. */
  ms_per_batch: number;
}

export interface DecodeComparison {
  sequence: DecodeRecordingRow;
  steps: DecodeRecordingRow;
  /** steps dispatches / sequence dispatches. */
  dispatch_ratio: number;
  /** steps ms / sequence ms, the median of the per-pair ratios (above 1: sequence is faster). */
  ms_ratio: number;
  timed_pairs: number;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

async function timeOnce(gpu: Gpu, m: GpuModel): Promise<number> {
  const t0 = performance.now();
  gpu.run(m.decodeStep);
  await gpu.sync();
  return performance.now() - t0;
}

/** Both recordings of `config`'s greedy decode (models with the `recurrence` setting; null for others), `pairs` timed pairs after one warm-up. */
export async function compareDecodeRecordings(gpu: Gpu, config: Config, pairs: number): Promise<DecodeComparison | null> {
  if (!modelSpec(config.model).recurrence) return null;
  const names: RecurrenceName[] = ['sequence', 'steps'];
  const models = names.map((recurrence) => createModel(gpu, { ...config, recurrence }, { decodeKernel: 'always' }));
  try {
    const B = config.batch_size;
    const times: number[][] = [[], []];
    for (let i = 0; i <= pairs; i++) {
      const batch = makeBatch(config, 'train', config.seed + 3, i * B, B);
      for (const [k, m] of models.entries()) {
        m.setBatch(batch);
        const ms = await timeOnce(gpu, m);
        if (i > 0) times[k].push(ms); // the first pair warms the pipelines
      }
    }
    const [seq, steps] = models.map((m, k): DecodeRecordingRow => ({ recorded: m.decoding?.recording ?? names[k], ...(m.decoding?.fallback ? { fallback: m.decoding.fallback } : {}), dispatches: m.decodeStep.length, ms_per_batch: round(median(times[k])) }));
    return {
      sequence: seq,
      steps,
      dispatch_ratio: round(steps.dispatches / seq.dispatches),
      ms_ratio: round(median(times[1].map((t, i) => t / times[0][i]))),
      timed_pairs: pairs,
    };
  } finally {
    for (const m of models) m.destroy();
  }
}
