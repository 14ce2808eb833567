// Timings of the GPU check: the bench's quick plan (matmul GFLOP/s by kernel, every model's
// training step: ms, dispatches, per-kernel GPU time) reduced to what compares machines,
// and a fixed number of training steps of the default model with its evaluation.
import { benchPlan } from '../bench/plan.ts';
import { runBench } from '../bench/run.ts';
import { defaultsFor, type Config } from '../config/config.ts';
import { MODEL_NAMES } from '../specs/index.ts';
import gpuPreset from '../config/presets/gpu.json';
import type { DeviceOptions } from '../gpu/device.ts';
import { TrainingSession } from '../train/session.ts';

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Matmul throughput and a training step of every model (the defaults of each). On a
 * software adapter the 512 size is left out: there it adds minutes and no information.
 * On a hardware one, 1024 and 2048 and the larger model of presets/gpu.json are added:
 * the small sizes alone would measure dispatch overhead, not the GPU.
 */
export async function timeKernelsAndSteps(device: DeviceOptions, fallback: boolean, log: (s: string) => void) {
  const plan = benchPlan('quick');
  if (fallback) plan.matmul.sizes = plan.matmul.sizes.filter((s) => s < 512);
  else plan.matmul.sizes.push(1024, 2048);
  const covered = new Set(plan.models.map((m) => m.config.model));
  for (const model of MODEL_NAMES) {
    if (!covered.has(model)) plan.models.push({ name: `${model}_default`, config: defaultsFor(model), about: `the default config with model ${model}` });
  }
  if (!fallback) plan.models.push({ name: 'lstm_gpu_preset', config: { ...defaultsFor('lstm'), ...(gpuPreset as Partial<Config>) }, about: 'src/config/presets/gpu.json: 2 layers, hidden 256, embedding 64, batch 128' });
  (globalThis as { __seq2seqBenchProgress?: (t: string) => void }).__seq2seqBenchProgress = log;
  const page = await runBench(plan, device);
  const m = page.matmul;
  return {
    timestamp_queries: page.timestamps,
    subgroups: page.subgroups,
    matmul_gflops: m?.gflops_by_size ?? {},
    matmul_kernel_choice: m?.kernel_choice ?? {},
    matmul_tiled_gflops: m?.tiled_gflops_by_size ?? {},
    matmul_16x8_gflops: m?.baseline_16x8_gflops_by_size ?? {},
    matmul_skinny_gflops: m?.skinny_gflops ?? {},
    models: Object.fromEntries(
      Object.entries(page.models).map(([name, r]) => [
        name,
        {
          config: r.config,
          ms_per_step: r.train_step.ms_per_step,
          gpu_ms_per_step: r.train_step.profile?.gpu_ms_per_step ?? null,
          dispatches_per_step: r.train_step.dispatches,
          submits_per_step: r.train_step.submits_per_step,
          ms_per_decode_step: r.decode_step.ms_per_call,
          // The five heaviest kernels of the step: where the time goes on this adapter.
          top_kernels: (r.train_step.profile?.by_pipeline ?? []).slice(0, 5),
        },
      ]),
    ),
  };
}

/** `steps` optimizer updates of the default model from its seed, then one evaluation round. */
export async function trainDefault(steps: number, device: DeviceOptions, log: (s: string) => void) {
  const config: Config = { ...defaultsFor('lstm'), evaluate_round: 1, eval_samples: 500 };
  const session = await TrainingSession.create(config, undefined, undefined, undefined, device);
  try {
    const t0 = performance.now();
    const result = await session.train(steps, { logEvery: 50, onProgress: (p) => log(`train: step ${p.step}/${steps}, loss ${p.loss.toFixed(4)}`) });
    const seconds = (performance.now() - t0) / 1000;
    const summary = await session.evaluate();
    return {
      model: config.model,
      config: { layers: config.layers, hidden_size: config.hidden_size, embedding_size: config.embedding_size, batch_size: config.batch_size, lr: config.lr, seed: config.seed },
      steps: result.step,
      final_loss: r3(result.loss),
      seconds: r3(seconds),
      steps_per_s: r3(result.step / seconds),
      eval_samples: config.eval_samples,
      geomean: r3(summary.geomean),
      exact_match: r3(summary.exact_match),
    };
  } finally {
    session.destroy();
  }
}
