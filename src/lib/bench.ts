// The benchmark of `seq2seq bench` on the caller's own settings, in this page or process: matmul
// GFLOP/s per kernel, every training op checked against float64 and timed at the settings' sizes,
// then the settings' training step and decode step (per-kernel GPU times with timestamp queries).
import type { Config } from '../config/config.ts';
import { benchPlan, type BenchMode } from '../bench/plan.ts';
import { runBench, type PageBenchReport } from '../bench/run.ts';
import { guarded, Seq2SeqError } from './errors.ts';

export type { BenchMode };
/** The benchmark's results, in the snake_case JSON `seq2seq bench` writes. */
export type BenchReport = PageBenchReport;

/** The benchmark's sizes: `tiny` (seconds, a smoke test), `quick`, `full` (what the README's figures use). */
export const BENCH_MODES: readonly BenchMode[] = ['tiny', 'quick', 'full'];

/**
 * Runs the `mode` benchmark with the model of `settings` (resolved settings, e.g. from
 * checkSettings) as its one model case; `onProgress` hears a short line as each part starts.
 * Benchmarks run one at a time (they share a progress channel).
 */
export async function runBenchmark(mode: BenchMode, settings: Config, onProgress?: (text: string) => void): Promise<BenchReport> {
  if (!BENCH_MODES.includes(mode)) throw new Seq2SeqError('invalid_settings', `The benchmark mode must be one of ${BENCH_MODES.join(', ')}, got ${String(mode)}.`);
  // src/bench/run.ts reports its progress through this global (the CLI's page sets it too).
  const g = globalThis as { __seq2seqBenchProgress?: (text: string) => unknown };
  const before = g.__seq2seqBenchProgress;
  g.__seq2seqBenchProgress = onProgress;
  try {
    const plan = benchPlan(mode);
    const ops = plan.ops && { ...plan.ops, config: settings };
    return await guarded(() => runBench({ ...plan, ops, models: [{ name: 'settings', config: settings, about: 'the model of the given settings' }] }));
  } finally {
    g.__seq2seqBenchProgress = before;
  }
}
