// The optimizer half of a training step: global-norm clipping then Adam or SGD, over the
// model's whole parameter arena (one dispatch each), recorded once.
import type { Config } from '../config/config.ts';
import type { Gpu } from '../gpu/context.ts';
import { view, type View } from '../gpu/buffers.ts';
import { Program } from '../gpu/program.ts';
import type { GpuModel } from '../models/model.ts';
import { adam, gradNorm, sgd, STATS_LENGTH } from '../ops/optimizer.ts';

export interface RecordedOptimizer {
  readonly program: Program;
  /** (2) [global gradient norm, clip scale] of the last step. */
  readonly stats: View;
  /** (layout.size) Adam moments; null for SGD. */
  readonly m: GPUBuffer | null;
  readonly v: GPUBuffer | null;
  /** Sets the 1-based number of the update the next submit applies. */
  setStep(step: number): void;
  setLr(lr: number): void;
}

export function recordOptimizer(gpu: Gpu, model: GpuModel, config: Config): RecordedOptimizer {
  const n = model.layout.size;
  const params = view(model.params, 0, n);
  const grads = view(model.grads, 0, n);
  const stats = view(gpu.createBuffer('optimizer.stats', STATS_LENGTH));
  const program = new Program('optimizer').add(gradNorm(gpu, { grads, stats, clipNorm: config.clip_norm }));
  if (config.optimizer === 'sgd') {
    const update = sgd(gpu, { params, grads, stats, lr: config.lr });
    program.add(update.dispatches);
    return { program, stats, m: null, v: null, setStep: () => undefined, setLr: (lr) => update.setLr(lr) };
  }
  const m = gpu.createBuffer('optimizer.m', n);
  const v = gpu.createBuffer('optimizer.v', n);
  const update = adam(gpu, { params, grads, m: view(m, 0, n), v: view(v, 0, n), stats, lr: config.lr });
  program.add(update.dispatches);
  return { program, stats, m, v, setStep: (step) => update.setStep(step), setLr: (lr) => update.setLr(lr) };
}
