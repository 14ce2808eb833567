// Page side of the attn model GPU tests: builds the recorded model, runs trainStep and
// decodeStep, and returns what the GPU wrote for the Node side to compare with the float64
// reference (src/reference/attn_model.ts).
import { Gpu } from '../../../src/gpu/context.ts';
import { view } from '../../../src/gpu/buffers.ts';
import { createAttnModel } from '../../../src/models/attn.ts';
import { createModel } from '../../../src/models/index.ts';
import { makeBatch } from '../../../src/task/batch.ts';
import type { Recurrence } from '../../../src/models/lstm.ts';
import { DEFAULT_CONFIG, type Config } from '../../../src/config/config.ts';
import { toBatch, type PlainBatch } from './lstm.ts';

/** Loss, named gradients and parameters of one trainStep; decoded tokens and attention weights; determinism. */
export async function attnRun(overrides: Partial<Config>, plain: PlainBatch, recurrence: Recurrence = 'matmul') {
  const gpu = await Gpu.create();
  try {
    const config: Config = { ...DEFAULT_CONFIG, ...overrides, model: 'attn' };
    const model = createAttnModel(gpu, config, { recurrence });
    model.setBatch(toBatch(plain));
    const submitsBefore = gpu.stats.submits;
    gpu.run(model.trainStep);
    const submitsPerStep = gpu.stats.submits - submitsBefore;
    const loss = (await gpu.read(model.loss))[0];
    const gradsAll = await gpu.read(view(model.grads));
    const paramsAll = await gpu.read(view(model.params));
    gpu.run(model.trainStep);
    const again = await gpu.read(view(model.grads));
    const bitwiseRepeat = Object.is(loss, (await gpu.read(model.loss))[0]) && again.every((v, i) => Object.is(v, gradsAll[i]));
    gpu.run(model.decodeStep);
    const decoded = Array.from(await gpu.readI32(model.decoded));
    const attention = Array.from(await gpu.read(model.attention!));
    // trainStep after decodeStep (which shares rows) must still give the same gradients.
    gpu.run(model.trainStep);
    const stableAfterDecode = (await gpu.read(view(model.grads))).every((v, i) => Object.is(v, gradsAll[i]));
    const grads: Record<string, number[]> = {};
    const params: Record<string, number[]> = {};
    for (const e of model.layout.entries) {
      grads[e.name] = Array.from(gradsAll.subarray(e.offset, e.offset + e.length));
      params[e.name] = Array.from(paramsAll.subarray(e.offset, e.offset + e.length));
    }
    gpu.check();
    const out = { loss, grads, params, decoded, attention, bitwiseRepeat, stableAfterDecode, submitsPerStep, counts: model.counts };
    model.destroy();
    return out;
  } finally {
    gpu.destroy();
  }
}

/**
 * GPU ms per kind of dispatch (time indices stripped) of one trainStep of `model` at the
 * 1-layer H=64 E=32 B=64 S=20 size, median of `runs` profiles; null without timestamp queries.
 */
export async function profileStep(model: 'lstm' | 'attn', runs = 3, overrides: Partial<Config> = {}) {
  const gpu = await Gpu.create();
  try {
    const config: Config = { ...DEFAULT_CONFIG, layers: 1, hidden_size: 64, embedding_size: 32, batch_size: 64, max_length: 20, ...overrides, model };
    const m = createModel(gpu, config);
    m.setBatch(makeBatch(config, 'train', 0, 0, config.batch_size));
    gpu.run(m.trainStep);
    await gpu.sync();
    const totals: Record<string, number[]> = {};
    for (let i = 0; i < runs; i++) {
      const p = await gpu.profile(m.trainStep);
      if (!p) return null;
      const by: Record<string, number> = {};
      for (const d of p) {
        const key = d.label.replace(/\.t\d+\./, '.t*.');
        by[key] = (by[key] ?? 0) + d.ns / 1e6;
      }
      for (const [k, v] of Object.entries(by)) (totals[k] ??= []).push(v);
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const out = Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, Math.round(median(v) * 1000) / 1000]));
    m.destroy();
    return { dispatches: m.trainStep.length, totalMs: Object.values(out).reduce((a, b) => a + b, 0), byKind: out };
  } finally {
    gpu.destroy();
  }
}

/**
 * Wall ms of training steps of lstm and attn at the 1-layer H=64 E=32 B=64 S=20 size, taken
 * in alternation (lstm, attn, lstm, ...) so that a busy machine slows both alike: min and
 * median of each, and the median of the per-pair ratios.
 */
export async function alternateSteps(pairs = 15, warmup = 2) {
  const gpu = await Gpu.create();
  try {
    const base: Config = { ...DEFAULT_CONFIG, layers: 1, hidden_size: 64, embedding_size: 32, batch_size: 64, max_length: 20 };
    const models = (['lstm', 'attn'] as const).map((model) => {
      const config: Config = { ...base, model, reverse_source: model === 'lstm' };
      const m = createModel(gpu, config);
      m.setBatch(makeBatch(config, 'train', 0, 0, config.batch_size));
      return m;
    });
    const step = async (i: number) => {
      const t0 = performance.now();
      gpu.run(models[i].trainStep);
      await gpu.device.queue.onSubmittedWorkDone();
      return performance.now() - t0;
    };
    for (let w = 0; w < warmup; w++) for (let i = 0; i < 2; i++) await step(i);
    const times: number[][] = [[], []];
    for (let p = 0; p < pairs; p++) for (let i = 0; i < 2; i++) times[i].push(await step(i));
    const ratios = times[1].map((t, p) => t / times[0][p]);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const dispatches = models.map((m) => m.trainStep.length);
    for (const m of models) m.destroy();
    return { lstm: { minMs: Math.min(...times[0]), medianMs: median(times[0]) }, attn: { minMs: Math.min(...times[1]), medianMs: median(times[1]) }, medianRatio: median(ratios), dispatches };
  } finally {
    gpu.destroy();
  }
}
