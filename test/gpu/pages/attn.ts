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
import { chooseKernel, kernelsFor, matmulWithKernel, planMatmul, type MatmulArgs } from '../../../src/ops/matmul.ts';
import { byName } from './by_name.ts';
import { lossAtNextStep } from './next_step_loss.ts';

/** Loss, named gradients and parameters of one trainStep; decoded tokens and attention weights; determinism. */
export async function attnRun(overrides: Partial<Config>, plain: PlainBatch, recurrence: Recurrence = 'matmul', step = 0) {
  const gpu = await Gpu.create();
  try {
    const config: Config = { ...DEFAULT_CONFIG, ...overrides, model: 'attn' };
    const model = createAttnModel(gpu, config, { recurrence });
    model.setBatch(toBatch(plain));
    model.setStep?.(step); // the dropout masks' step (models with dropout)
    const submitsBefore = gpu.stats.submits;
    gpu.run(model.trainStep);
    const submitsPerStep = gpu.stats.submits - submitsBefore;
    const loss = (await gpu.read(model.loss))[0];
    const gradsAll = await gpu.read(view(model.grads));
    const paramsAll = await gpu.read(view(model.params));
    gpu.run(model.trainStep);
    const again = await gpu.read(view(model.grads));
    const bitwiseRepeat = Object.is(loss, (await gpu.read(model.loss))[0]) && again.every((v, i) => Object.is(v, gradsAll[i]));
    const otherStepLoss = await lossAtNextStep(gpu, model, step);
    gpu.run(model.decodeStep);
    const decoded = Array.from(await gpu.readI32(model.decoded));
    const attention = Array.from(await gpu.read(model.attention!));
    // trainStep after decodeStep (which shares rows) must still give the same gradients.
    gpu.run(model.trainStep);
    const stableAfterDecode = (await gpu.read(view(model.grads))).every((v, i) => Object.is(v, gradsAll[i]));
    const { grads, params } = byName(model.layout, gradsAll, paramsAll);
    gpu.check();
    const out = { loss, otherStepLoss, grads, params, decoded, attention, bitwiseRepeat, stableAfterDecode, submitsPerStep, counts: model.counts };
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

/**
 * Wall ms per training step that each kind of dispatch costs (time indices stripped), for
 * lstm and attn at the 1-layer H=64 E=32 B=64 S=20 size: every dispatch of trainStep is run
 * `reps` times back to back in one submit (submit → onSubmittedWorkDone), min over `rounds`
 * rounds, divided by reps. Unlike timestamps, this counts what SwiftShader spends per
 * dispatch and per workgroup. Also the whole step's min wall ms, for comparison with the sum.
 */
export async function wallProfile(reps = 8, rounds = 3) {
  const gpu = await Gpu.create();
  try {
    const base: Config = { ...DEFAULT_CONFIG, layers: 1, hidden_size: 64, embedding_size: 32, batch_size: 64, max_length: 20 };
    const out: Record<string, { stepMs: number; sumMs: number; byKind: [string, number, number][] }> = {};
    for (const model of ['lstm', 'attn'] as const) {
      const config: Config = { ...base, model, reverse_source: model === 'lstm' };
      const m = createModel(gpu, config);
      m.setBatch(makeBatch(config, 'train', 0, 0, config.batch_size));
      const wall = async (work: Parameters<Gpu['run']>[0]) => {
        const t0 = performance.now();
        gpu.run(work);
        await gpu.device.queue.onSubmittedWorkDone();
        return performance.now() - t0;
      };
      await wall(m.trainStep);
      const ds = m.trainStep.dispatches;
      const best = ds.map(() => Infinity);
      let stepMs = Infinity;
      for (let r = 0; r < rounds; r++) {
        stepMs = Math.min(stepMs, await wall(m.trainStep));
        for (let i = 0; i < ds.length; i++) best[i] = Math.min(best[i], (await wall(Array(reps).fill(ds[i]))) / reps);
      }
      const by = new Map<string, [number, number]>();
      ds.forEach((d, i) => {
        const key = d.label.replace(/\.t\d+\./, '.t*.');
        const [n, ms] = by.get(key) ?? [0, 0];
        by.set(key, [n + 1, ms + best[i]]);
      });
      const r3 = (x: number) => Math.round(x * 1000) / 1000;
      const byKind = [...by.entries()].map(([k, [n, ms]]) => [k, n, r3(ms)] as [string, number, number]).sort((a, b) => b[2] - a[2]);
      out[model] = { stepMs: r3(stepMs), sumMs: r3(best.reduce((a, b) => a + b, 0)), byKind };
      m.destroy();
    }
    return out;
  } finally {
    gpu.destroy();
  }
}

/**
 * Wall ms per call of every kernel that can run each of the attention's matmul shapes at the
 * 1-layer H=64 B=64 S=20 size (min over `rounds` runs of `reps` calls in one submit): which
 * kernel suits the small per-sample matmuls. Operands are zero-filled scratch buffers.
 */
export async function attentionKernelSweep(reps = 8, rounds = 3) {
  const gpu = await Gpu.create();
  try {
    const [B, S, H] = [64, 20, 64];
    const T = S + 1;
    const n = T * B * 2 * H;
    const [a, b, c] = ['a', 'b', 'c'].map((l) => view(gpu.createBuffer(l, n)));
    const tm = { stride: H, ld: B * H };
    const cases: Record<string, MatmulArgs> = {
      scores: { a, b, c, M: T, N: S, K: H, transB: true, batch: B, strideA: tm.stride, lda: tm.ld, strideB: tm.stride, ldb: tm.ld, strideC: T * S },
      context: { a, b, c, M: T, N: H, K: S, batch: B, strideA: T * S, strideB: tm.stride, ldb: tm.ld, strideC: 2 * H, ldc: 2 * B * H },
      dK: { a, b, c, M: S, N: H, K: T, transA: true, batch: B, strideA: T * S, strideB: tm.stride, ldb: tm.ld, strideC: tm.stride, ldc: tm.ld },
      dQ: { a, b, c, M: T, N: H, K: S, batch: B, strideA: T * S, strideB: tm.stride, ldb: tm.ld, strideC: tm.stride, ldc: tm.ld, accumulate: true },
      combine: { a, b, c, M: T * B, N: H, K: 2 * H, transB: true, activation: 'tanh' },
      combine_without_tanh: { a, b, c, M: T * B, N: H, K: 2 * H, transB: true },
      combine_half_strided: { a, b, c, M: T * B, N: H, K: H, transB: true, lda: 2 * H, ldb: 2 * H },
      combine_half_packed: { a, b, c, M: T * B, N: H, K: H, transB: true },
      dW_combine: { a, b, c, M: H, N: 2 * H, K: T * B, transA: true },
      dC: { a, b, c, M: T * B, N: H, K: H, ldb: 2 * H },
      keys: { a, b, c, M: S * B, N: H, K: H, transB: true },
      dW: { a, b, c, M: H, N: H, K: S * B, transA: true },
    };
    const out: Record<string, Record<string, number>> = {};
    for (const [name, args] of Object.entries(cases)) {
      const plan = planMatmul({ ...args, label: name });
      const chosen = chooseKernel(plan, gpu).name;
      const kernels = kernelsFor(plan, gpu).filter((k) => k.name !== 'generic4x4');
      const ds = kernels.map((k) => matmulWithKernel(gpu, plan, k));
      const best = kernels.map(() => Infinity);
      // Kernels in turn within each round, so a busy moment slows all of them alike.
      for (let r = 0; r < rounds + 1; r++) {
        for (let i = 0; i < ds.length; i++) {
          const t0 = performance.now();
          gpu.run(Array(reps).fill(ds[i]));
          await gpu.device.queue.onSubmittedWorkDone();
          if (r > 0) best[i] = Math.min(best[i], (performance.now() - t0) / reps);
        }
      }
      out[name] = Object.fromEntries(kernels.map((k, i) => [k.name + (k.name === chosen ? ' (chosen)' : ''), Math.round(best[i] * 1000) / 1000]));
    }
    return out;
  } finally {
    gpu.destroy();
  }
}
