// Page side of `seq2seq bench`: matmul throughput (src/bench/matmul.ts), then for each model
// case (default lstm, default blog, the fixed reference config of plan.ts) the recorded training step
// (model.trainStep + optimizer.program, one submit) and decodeStep: dispatch, submit and
// bind-group counts from gpu.stats, per-kernel GPU time from timestamp queries (gpu.profile),
// and wall-clock milliseconds per step (submit → onSubmittedWorkDone, a fresh batch each
// step). Returns plain snake_case JSON; Node adds the Chrome version and the date.
import type { Config } from '../config/config.ts';
import { Gpu } from '../gpu/context.ts';
import type { DeviceOptions } from '../gpu/device.ts';
import { Program, type Dispatch } from '../gpu/program.ts';
import { createModel, type GpuModel } from '../models/index.ts';
import { makeBatch } from '../task/index.ts';
import { recordOptimizer } from '../train/optimizer.ts';
import { benchMatmul, type BenchResult } from './matmul.ts';
import { TILED_KERNEL } from '../ops/matmul_tiled.ts';
import { median } from './median.ts';
import { benchOps, type OpRow } from './ops.ts';
import { compareDecodeRecordings, type DecodeComparison } from './decode.ts';
import { sameConfig, type BenchPlan, type ModelCase } from './plan.ts';
import { modelSpec } from '../specs/index.ts';

type ProgressSink = (text: string) => unknown;
const progress = (text: string): void => {
  const sink = (globalThis as { __seq2seqBenchProgress?: ProgressSink }).__seq2seqBenchProgress;
  void sink?.(text);
};

const round = (x: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** A dispatch label with its time index replaced: `encoder.l0.t7.hproj` → `encoder.l0.t*.hproj`. */
export function roleOf(label: string): string {
  return label.replace(/\.t\d+(?=\.|$)/g, '.t*').replace(/\[t=\d+\]/g, '[t=*]');
}

/** True for dispatches inside a time loop (lstm `.t<n>.`, blog `[t=<n>]`). */
export function isTimeStep(label: string): boolean {
  return /\.t\d+(\.|$)/.test(label) || /\[t=\d+\]/.test(label);
}

/** The WGSL kernel of a dispatch: shader and entry point (and override constants) from the pipeline's cache key. */
export function kernelOf(d: Dispatch): string {
  const key = d.pipeline.label ?? '';
  const m = /^([^:]*):([^:]*):\{([^}]*)\}/.exec(key);
  if (!m) return key || 'unknown';
  return m[3] ? `${m[1]}:${m[2]}{${m[3]}}` : `${m[1]}:${m[2]}`;
}

export interface KernelRow {
  /** The dispatch label with its time index as `*` (the kernel's role in the program). */
  name: string;
  /** Shader:entry point{constants}. */
  kernel: string;
  calls_per_step: number;
  median_us_per_call: number;
  total_ms_per_step: number;
}

export interface PipelineRow {
  kernel: string;
  calls_per_step: number;
  median_us_per_call: number;
  total_ms_per_step: number;
}

export interface ProfileReport {
  /** Sum over dispatches of each dispatch's median GPU time (one pass per dispatch). */
  gpu_ms_per_step: number;
  profile_runs: number;
  /** Grouped by role (label without the time index), heaviest first. */
  kernels: KernelRow[];
  /** Grouped by WGSL kernel (pipeline), heaviest first. */
  by_pipeline: PipelineRow[];
}

/** Per-dispatch GPU times over `runs` profiles, grouped by role and by pipeline. */
async function profileProgram(gpu: Gpu, program: Program, runs: number, before: () => void): Promise<ProfileReport | null> {
  const ds = program.dispatches;
  const samples: number[][] = ds.map(() => []);
  for (let r = 0; r < runs; r++) {
    before();
    const times = await gpu.profile(program);
    if (!times) return null;
    times.forEach((t, i) => samples[i].push(t.ns));
  }
  const perDispatch = samples.map(median); // ns
  const group = <K extends string>(keyOf: (d: Dispatch) => K) => {
    const groups = new Map<K, { first: Dispatch; ns: number[] }>();
    ds.forEach((d, i) => {
      const k = keyOf(d);
      const g = groups.get(k) ?? { first: d, ns: [] };
      g.ns.push(perDispatch[i]);
      groups.set(k, g);
    });
    return [...groups.entries()]
      .map(([key, g]) => ({
        key,
        first: g.first,
        calls_per_step: g.ns.length,
        median_us_per_call: round(median(g.ns) / 1e3, 2),
        total_ms_per_step: round(g.ns.reduce((a, b) => a + b, 0) / 1e6, 4),
      }))
      .sort((a, b) => b.total_ms_per_step - a.total_ms_per_step);
  };
  const kernels = group((d) => roleOf(d.label)).map(({ key, first, ...rest }) => ({ name: key, kernel: kernelOf(first), ...rest }));
  const byPipeline = group((d) => kernelOf(d)).map(({ key, first: _first, ...rest }) => ({ kernel: key, ...rest }));
  return {
    gpu_ms_per_step: round(perDispatch.reduce((a, b) => a + b, 0) / 1e6, 3),
    profile_runs: runs,
    kernels,
    by_pipeline: byPipeline,
  };
}

export interface TrainStepReport {
  /** Dispatches per training step (model.trainStep + optimizer.program). */
  dispatches: number;
  model_dispatches: number;
  optimizer_dispatches: number;
  /** Measured from gpu.stats over the timed steps. */
  submits_per_step: number;
  bind_groups_per_step: number;
  dispatches_per_step_measured: number;
  /** Bind groups created while recording the model and optimizer (once). */
  bind_groups_at_record: number;
  /** trainStep dispatches outside any time loop. */
  fixed_dispatches: number;
  dispatches_per_time_step_and_layer: number;
  /** (trainStep dispatches at max_length + 1 − at max_length) / 2 / layers. */
  dispatches_per_time_step_and_layer_by_difference: number;
  dispatches_per_time_step_and_layer_method: string;
  /** Wall clock, submit → onSubmittedWorkDone, fresh batch each step. */
  ms_per_step: number;
  ms_per_step_min: number;
  ms_per_step_max: number;
  /** Wall clock including making and uploading the batch on the CPU. */
  ms_per_step_with_batch: number;
  steps_per_s: number;
  warmup_steps: number;
  timed_steps: number;
  final_loss: number;
  profile: ProfileReport | null;
}

export interface DecodeStepReport {
  dispatches: number;
  /** Wall clock of one decodeStep submit → onSubmittedWorkDone. */
  ms_per_call: number;
  timed_calls: number;
  profile: ProfileReport | null;
}

export interface ModelReport {
  about: string;
  config: Pick<Config, 'model' | 'layers' | 'hidden_size' | 'embedding_size' | 'batch_size' | 'max_length' | 'vocab_size' | 'optimizer' | 'reverse_source' | 'recurrence'>;
  /** Name of an earlier case with the identical config whose figures these are. */
  same_as?: string;
  parameters: number;
  /** Building the model and optimizer: buffers, bind groups, pipeline compilation (first use of each kernel). */
  record_ms: number;
  train_step: TrainStepReport;
  decode_step: DecodeStepReport;
  /** Greedy decoding recorded both ways (recurrence sequence and steps), side by side; null for blog. */
  decode_recordings: DecodeComparison | null;
}

type Optimizer = ReturnType<typeof recordOptimizer>;

/** Warm-up and timed training steps (a fresh batch each), with gpu.stats around the timed ones. */
async function timeTraining(gpu: Gpu, m: GpuModel, optimizer: Optimizer, c: ModelCase, plan: BenchPlan) {
  const config = c.config;
  const B = config.batch_size;
  let step = 0;
  const nextBatch = () => {
    m.setBatch(makeBatch(config, 'train', config.seed, step * B, B));
    optimizer.setStep(step + 1);
    step++;
  };
  const trainOnce = async (): Promise<{ ms: number; withBatch: number }> => {
    const t0 = performance.now();
    nextBatch();
    const t1 = performance.now();
    gpu.run(m.trainStep, optimizer.program);
    await gpu.sync();
    const t2 = performance.now();
    return { ms: t2 - t1, withBatch: t2 - t0 };
  };
  progress(`${c.name}: ${plan.warmupSteps} warm-up + ${plan.timedSteps} timed training steps`);
  for (let i = 0; i < plan.warmupSteps; i++) await trainOnce();
  const before = { ...gpu.stats };
  const times: number[] = [];
  const withBatch: number[] = [];
  for (let i = 0; i < plan.timedSteps; i++) {
    const t = await trainOnce();
    times.push(t.ms);
    withBatch.push(t.withBatch);
  }
  const after = { ...gpu.stats };
  const loss = (await gpu.read(m.loss))[0];
  return { times, withBatch, before, after, loss, nextBatch };
}

/** Dispatches outside any time loop, and the trainStep of the same model one source step longer. */
function dispatchCounts(gpu: Gpu, m: GpuModel, config: Config) {
  const fixed = m.trainStep.dispatches.filter((d) => !isTimeStep(d.label)).length;
  // One more encoder and one more decoder step.
  const longer = createModel(gpu, { ...config, max_length: config.max_length + 1, decode_length: 0 });
  const longerDispatches = longer.trainStep.length;
  longer.destroy();
  return { fixed, longerDispatches };
}

/** Wall-clock decodeStep calls after a warm-up, then its per-dispatch profile. */
async function timeDecode(gpu: Gpu, m: GpuModel, c: ModelCase, plan: BenchPlan): Promise<DecodeStepReport> {
  const config = c.config;
  const B = config.batch_size;
  progress(`${c.name}: decodeStep`);
  const decodeTimes: number[] = [];
  m.setBatch(makeBatch(config, 'train', config.seed + 1, 0, B));
  gpu.run(m.decodeStep); // warm-up
  await gpu.sync();
  for (let i = 0; i < plan.decodeRuns; i++) {
    m.setBatch(makeBatch(config, 'train', config.seed + 1, (i + 1) * B, B));
    const t0 = performance.now();
    gpu.run(m.decodeStep);
    await gpu.sync();
    decodeTimes.push(performance.now() - t0);
  }
  let d = 0;
  const profile = await profileProgram(gpu, m.decodeStep, plan.profileRuns, () => m.setBatch(makeBatch(config, 'train', config.seed + 2, d++ * B, B)));
  return { dispatches: m.decodeStep.length, ms_per_call: round(median(decodeTimes)), timed_calls: decodeTimes.length, profile };
}

async function decodeRecordings(gpu: Gpu, c: ModelCase, plan: BenchPlan): Promise<DecodeComparison | null> {
  // A step-by-step twin (plan.ts withStepsTwins) is the per-step recording already.
  if (!modelSpec(c.config.model).recurrence || c.config.recurrence === 'steps') return null;
  progress(`${c.name}: greedy decoding recorded as one dispatch and per step, ${plan.decodeRuns} timed pairs`);
  return compareDecodeRecordings(gpu, c.config, plan.decodeRuns);
}

const DISPATCH_METHOD =
  'the fixed overhead is the trainStep dispatches whose label carries no time index (.t<n>. for lstm, [t=<n>] for blog): ' +
  'input projections, output layer, loss, weight gradients; the optimizer\'s dispatches are not part of trainStep. ' +
  'Cross-check in dispatches_per_time_step_and_layer_by_difference: the trainStep of the same model recorded at ' +
  'max_length + 1 (one more encoder and one more decoder step) minus this one, / 2 / layers. The two differ when ' +
  'some time step lacks a kernel the others have (e.g. no gradient into the encoder\'s constant initial state). ' +
  'With recurrence=sequence no dispatch is per time step (one per layer and direction): both are 0.';

/** The training step's figures from its timings and counts. */
function trainStepReport(
  m: GpuModel,
  optimizer: Optimizer,
  config: Config,
  plan: BenchPlan,
  t: Awaited<ReturnType<typeof timeTraining>>,
  counts: ReturnType<typeof dispatchCounts> & { bindGroupsAtRecord: number },
  profile: ProfileReport | null,
): TrainStepReport {
  const S = config.max_length;
  const T = S + 1;
  const layers = modelSpec(config.model).stepLayers(config);
  const n = plan.timedSteps;
  const msPerStep = median(t.times);
  const { fixed, longerDispatches } = counts;
  return {
    dispatches: m.trainStep.length + optimizer.program.length,
    model_dispatches: m.trainStep.length,
    optimizer_dispatches: optimizer.program.length,
    submits_per_step: (t.after.submits - t.before.submits) / n,
    bind_groups_per_step: (t.after.bindGroups - t.before.bindGroups) / n,
    dispatches_per_step_measured: (t.after.dispatches - t.before.dispatches) / n,
    bind_groups_at_record: counts.bindGroupsAtRecord,
    fixed_dispatches: fixed,
    dispatches_per_time_step_and_layer: layers > 0 ? round((m.trainStep.length - fixed) / (S + T) / layers, 4) : 0,
    dispatches_per_time_step_and_layer_by_difference: layers > 0 ? round((longerDispatches - m.trainStep.length) / 2 / layers, 4) : 0,
    dispatches_per_time_step_and_layer_method: `(trainStep dispatches ${m.trainStep.length} - fixed overhead ${fixed}) / (S + T = ${S} + ${T}) / layers ${layers}; ${DISPATCH_METHOD}`,
    ms_per_step: round(msPerStep),
    ms_per_step_min: round(Math.min(...t.times)),
    ms_per_step_max: round(Math.max(...t.times)),
    ms_per_step_with_batch: round(median(t.withBatch)),
    steps_per_s: round(1000 / msPerStep, 2),
    warmup_steps: plan.warmupSteps,
    timed_steps: n,
    final_loss: round(t.loss, 5),
    profile,
  };
}

const configOf = (c: Config): ModelReport['config'] => ({
  model: c.model,
  layers: c.layers,
  hidden_size: c.hidden_size,
  embedding_size: c.embedding_size,
  batch_size: c.batch_size,
  max_length: c.max_length,
  vocab_size: c.vocab_size,
  optimizer: c.optimizer,
  reverse_source: c.reverse_source,
  recurrence: c.recurrence,
});

async function benchModel(gpu: Gpu, c: ModelCase, plan: BenchPlan): Promise<ModelReport> {
  const config = c.config;
  const bindGroups0 = gpu.stats.bindGroups;
  let model: GpuModel | null = null;
  try {
    const r0 = performance.now();
    model = createModel(gpu, config);
    const m = model;
    const optimizer = recordOptimizer(gpu, m, config);
    await gpu.sync();
    const recordMs = performance.now() - r0;
    const bindGroupsAtRecord = gpu.stats.bindGroups - bindGroups0;
    const timed = await timeTraining(gpu, m, optimizer, c, plan);
    const counts = { ...dispatchCounts(gpu, m, config), bindGroupsAtRecord };
    progress(`${c.name}: profiling the training step (${plan.profileRuns} runs of ${m.trainStep.length + optimizer.program.length} dispatches)`);
    const trainProgram = new Program('bench.trainStep').add(m.trainStep, optimizer.program);
    const trainProfile = await profileProgram(gpu, trainProgram, plan.profileRuns, timed.nextBatch);
    return {
      about: c.about,
      config: configOf(config),
      parameters: m.layout.size,
      record_ms: round(recordMs, 1),
      train_step: trainStepReport(m, optimizer, config, plan, timed, counts, trainProfile),
      decode_step: await timeDecode(gpu, m, c, plan),
      decode_recordings: await decodeRecordings(gpu, c, plan),
    };
  } finally {
    model?.destroy();
  }
}

export interface MatmulSection {
  method: string;
  runs: number;
  /** Every variant timed, as src/bench/matmul.ts returns them. */
  results: { shape: string; M: number; N: number; K: number; size?: number; variant: string; kernel: string; gflops: number; ms: number; method: string }[];
  /** GFLOP/s of the kernel matmul() picks ('auto'), by square size. */
  gflops_by_size: Record<string, number>;
  /** GFLOP/s of the 'auto' kernel on the model's skinny shapes, by shape name. */
  skinny_gflops: Record<string, number>;
  /** The 16x8 register-blocked kernel (the fallback without subgroups) in the same run, by square size. */
  baseline_16x8_gflops_by_size: Record<string, number>;
  /** auto / 16x8, measured side by side (runs interleaved), by square size. */
  speedup_vs_16x8_by_size: Record<string, number>;
  /** The kernel matmul() chose ('auto'), by square size and skinny shape name. */
  kernel_choice: Record<string, string>;
  /** The workgroup-memory tiled kernel in the same run, by square size (when the limits allow it). */
  tiled_gflops_by_size: Record<string, number>;
}

export interface PageBenchReport {
  mode: string;
  adapter: { vendor: string; architecture: string; device: string; description: string; is_fallback: boolean; fallback: boolean };
  timestamps: boolean;
  /** Subgroups enabled: matmul uses the quad-shared kernels. */
  subgroups: boolean;
  matmul: MatmulSection | null;
  /** Each op checked against its float64 reference, then timed, at the sizes of `config`. */
  ops: { config: Pick<Config, 'batch_size' | 'hidden_size' | 'embedding_size' | 'vocab_size' | 'max_length'>; results: OpRow[] } | null;
  models: Record<string, ModelReport>;
}

/** The NN 16x8 kernel, timed beside 'auto' on the square sizes (skinny shapes have other layouts). */
const BASELINE_16X8 = 'nn16x8-wg16';

function matmulSection(results: BenchResult[], runs: number): MatmulSection {
  const auto = results.filter((r) => r.variant === 'auto');
  const bySize: Record<string, number> = {};
  const skinny: Record<string, number> = {};
  const baseline: Record<string, number> = {};
  const speedup: Record<string, number> = {};
  const choice: Record<string, string> = {};
  const tiled: Record<string, number> = {};
  for (const r of auto) {
    if (r.size !== undefined) bySize[String(r.size)] = r.gflops;
    else skinny[r.shape] = r.gflops;
    choice[r.size !== undefined ? String(r.size) : r.shape] = r.kernel;
  }
  for (const r of results) if (r.variant === TILED_KERNEL.name && r.size !== undefined) tiled[String(r.size)] = r.gflops;
  for (const r of results) {
    if (r.variant !== BASELINE_16X8 || r.size === undefined) continue;
    baseline[String(r.size)] = r.gflops;
    if (bySize[String(r.size)]) speedup[String(r.size)] = round(bySize[String(r.size)] / r.gflops, 2);
  }
  return {
    method: [...new Set(results.map((r) => r.method))].join(',') === 'timestamp' ? 'timestamp queries (GPU time), median of runs after warm-up' : `mixed: ${[...new Set(results.map((r) => r.method))].join(', ')}`,
    runs,
    results: results.map((r) => ({ shape: r.shape, M: r.M, N: r.N, K: r.K, size: r.size, variant: r.variant, kernel: r.kernel, gflops: r.gflops, ms: r.ms, method: r.method })),
    gflops_by_size: bySize,
    skinny_gflops: skinny,
    baseline_16x8_gflops_by_size: baseline,
    speedup_vs_16x8_by_size: speedup,
    kernel_choice: choice,
    tiled_gflops_by_size: tiled,
  };
}

const sizesOf = (c: Config) => ({ batch_size: c.batch_size, hidden_size: c.hidden_size, embedding_size: c.embedding_size, vocab_size: c.vocab_size, max_length: c.max_length });

/** Runs the whole plan in this page; `device`: the adapter asked for. */
export async function runBench(plan: BenchPlan, device: DeviceOptions = {}): Promise<PageBenchReport> {
  let matmul: MatmulSection | null = null;
  if (plan.matmul.sizes.length > 0 || plan.matmul.skinny) {
    progress(`matmul: sizes ${plan.matmul.sizes.join(', ')}${plan.matmul.skinny ? ' and the model\'s skinny shapes' : ''}, ${plan.matmul.runs} runs each`);
    const results = await benchMatmul({ sizes: plan.matmul.sizes, runs: plan.matmul.runs, targetMs: plan.matmul.targetMs, skinny: plan.matmul.skinny, variants: ['auto', BASELINE_16X8, TILED_KERNEL.name], device });
    matmul = matmulSection(results, plan.matmul.runs);
  }
  const gpu = await Gpu.create(device);
  try {
    const ops = plan.ops ? { config: sizesOf(plan.ops.config), results: await benchOps(gpu, plan.ops.config, plan.ops, progress) } : null;
    const models: Record<string, ModelReport> = {};
    const done: ModelCase[] = [];
    for (const c of plan.models) {
      const twin = done.find((x) => sameConfig(x.config, c.config));
      if (twin) {
        progress(`${c.name}: same config as ${twin.name}, figures shared`);
        models[c.name] = { ...models[twin.name], about: c.about, same_as: twin.name };
        continue;
      }
      models[c.name] = await benchModel(gpu, c, plan);
      done.push(c);
    }
    const a = gpu.adapter;
    return {
      mode: plan.mode,
      adapter: { vendor: a.vendor, architecture: a.architecture, device: a.device, description: a.description, is_fallback: a.isFallbackAdapter, fallback: a.isFallbackAdapter },
      timestamps: gpu.timestamps,
      subgroups: gpu.subgroups,
      matmul,
      ops,
      models,
    };
  } finally {
    gpu.destroy();
  }
}
