// What every page-side benchmark shares: the timer of a dispatch list.
import type { Gpu } from '../gpu/context.ts';
import type { Dispatch } from '../gpu/program.ts';

/**
 * Milliseconds per call of `work` (one or more dispatches) over one timed run of many calls
 * back to back: GPU time of one compute pass (timestamp queries, per-pass overhead paid
 * once, as in a recorded training step), else submit → onSubmittedWorkDone.
 */
export async function timeDispatches(gpu: Gpu, work: Dispatch[], targetMs: number): Promise<{ ms: number; method: 'timestamp' | 'submit' }> {
  // Warm-up, and an estimate of one call for sizing the run.
  const t0 = performance.now();
  gpu.run(work);
  await gpu.sync();
  const one = Math.max(0.01, performance.now() - t0);
  const reps = Math.max(3, Math.min(1000, Math.ceil(targetMs / one)));
  const batch = Array.from({ length: reps }, () => work).flat();
  const ns = await gpu.timePass(batch);
  if (ns !== null && ns > 0) return { ms: ns / 1e6 / reps, method: 'timestamp' };
  const t = performance.now();
  gpu.run(batch);
  await gpu.sync();
  return { ms: (performance.now() - t) / reps, method: 'submit' };
}
