// Page side of the `blog` GPU tests: the whole recorded model (trainStep, decodeStep) on a
// tiny batch. Returns what the GPU wrote; the Node side compares it with the float64
// reference. (The masked recurrent update has its own page: ./recurrent.ts.)
import { Gpu } from '../../../src/gpu/context.ts';
import { view } from '../../../src/gpu/buffers.ts';
import { DEFAULT_CONFIG, type Config } from '../../../src/config/config.ts';
import { createBlogModel } from '../../../src/models/blog.ts';
import type { GpuModel } from '../../../src/models/model.ts';
import { makeBatch } from '../../../src/task/batch.ts';

// One device per page: pipelines compile once (slow on the software adapter) and are
// reused by every call; each call destroys what it created.
let shared: Promise<Gpu> | null = null;
function device(): Promise<Gpu> {
  shared ??= Gpu.create();
  return shared;
}

// ------------------------------------------------------------------ the whole model

export interface BlogRunResult {
  /** Initial parameters, by name (the reference starts from the same float32 values). */
  params: Record<string, number[]>;
  /** Per trainStep run: the loss and every named gradient. */
  runs: { loss: number; grads: Record<string, number[]> }[];
  /** With dropout: the first batch's loss at the next step (other masks); null without dropout. */
  otherStepLoss: number | null;
  /** Per decodeStep run: (L, B) tokens. */
  decoded: number[][];
  trainDispatches: number;
  decodeDispatches: number;
  submits: number;
  /** Wall-clock milliseconds of the last trainStep and decodeStep (submit to readback). */
  trainMs: number;
  decodeMs: number;
}

/**
 * Builds the blog model for `overrides`, then for each batch spec runs trainStep (reading
 * the loss and every gradient) and decodeStep (reading the tokens). Batches come from the
 * task's own generator, so the Node side rebuilds them identically. `step`: the dropout
 * masks' step (models with dropout).
 */
export async function runBlog(overrides: Partial<Config>, batches: { seed: number; start: number }[], step = 0): Promise<BlogRunResult> {
  const gpu = await device();
  let model: GpuModel | undefined;
  try {
    const config: Config = { ...DEFAULT_CONFIG, model: 'blog', ...overrides };
    model = createBlogModel(gpu, config);
    const all = await gpu.read(view(model.params));
    const params: Record<string, number[]> = {};
    for (const e of model.layout.entries) params[e.name] = Array.from(all.subarray(e.offset, e.offset + e.length));
    const runs: BlogRunResult['runs'] = [];
    const decoded: number[][] = [];
    model.setStep?.(step);
    const submits0 = gpu.stats.submits;
    let trainMs = 0;
    let decodeMs = 0;
    for (const spec of batches) {
      model.setBatch(makeBatch(config, 'train', spec.seed, spec.start, config.batch_size));
      let t0 = performance.now();
      gpu.run(model.trainStep);
      const loss = (await gpu.read(model.loss))[0];
      trainMs = performance.now() - t0;
      const g = await gpu.read(view(model.grads));
      const grads: Record<string, number[]> = {};
      for (const e of model.layout.entries) grads[e.name] = Array.from(g.subarray(e.offset, e.offset + e.length));
      runs.push({ loss, grads });
      t0 = performance.now();
      gpu.run(model.decodeStep);
      decoded.push(Array.from(await gpu.readI32(model.decoded)));
      decodeMs = performance.now() - t0;
    }
    const submits = gpu.stats.submits - submits0;
    const otherStepLoss = model.setStep ? await lossAtStep(gpu, model, config, batches[0], step + 1) : null;
    return { params, runs, otherStepLoss, decoded, trainDispatches: model.trainStep.length, decodeDispatches: model.decodeStep.length, submits, trainMs, decodeMs };
  } finally {
    model?.destroy();
    gpu.check();
  }
}

/** The loss of one batch with the dropout masks of another step. */
async function lossAtStep(gpu: Gpu, model: GpuModel, config: Config, spec: { seed: number; start: number }, step: number): Promise<number> {
  model.setStep!(step);
  model.setBatch(makeBatch(config, 'train', spec.seed, spec.start, config.batch_size));
  gpu.run(model.trainStep);
  return (await gpu.read(model.loss))[0];
}
