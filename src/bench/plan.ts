// What `seq2seq bench` measures and how many times: plain data, shared by the Node side
// (which picks a plan) and the page side (src/bench/run.ts, which runs it). No GPU imports.
import { defaultsFor, type Config } from '../config/config.ts';
import { MODEL_SPECS, modelSpec } from '../specs/index.ts';

export type BenchMode = 'full' | 'quick' | 'tiny';

export interface ModelCase {
  /** Key of this case in the report, e.g. 'lstm_default'. */
  name: string;
  /** Full config of the model (its defaults, defaultsFor, plus overrides). */
  config: Config;
  /** What the case is, for the report. */
  about: string;
}

export interface BenchPlan {
  mode: BenchMode;
  matmul: {
    /** Square sizes (empty: skip the matmul section). */
    sizes: number[];
    /** Timed runs per shape (the median is reported). */
    runs: number;
    /** Milliseconds of GPU work per timed run. */
    targetMs: number;
    /** Also the model's skinny shapes. */
    skinny: boolean;
  };
  /** Per-op checks and timings (src/bench/ops.ts) at the sizes of `config`; null: skip. */
  ops: { config: Config; runs: number; targetMs: number } | null;
  models: ModelCase[];
  /** Untimed training steps before the timed ones (pipelines warm, caches hot). */
  warmupSteps: number;
  /** Timed training steps (the median is reported). */
  timedSteps: number;
  /** gpu.profile runs of trainStep + optimizer and of decodeStep (per-dispatch medians). */
  profileRuns: number;
  /** Timed decodeStep submits. */
  decodeRuns: number;
}

/**
 * The reference config, one fixed small model so bench figures compare across machines and
 * versions: lstm, 1 layer, hidden 64, embedding 32, batch 64, max_length 20.
 */
export const REFERENCE_OVERRIDES: Partial<Config> = {
  model: 'lstm',
  layers: 1,
  hidden_size: 64,
  embedding_size: 32,
  batch_size: 64,
  max_length: 20,
};

/** A tiny config for tests (hidden ≤ 32, batch ≤ 8, sequences ≤ 6; two layers where a model stacks them). */
const TINY: Partial<Config> = { vocab_size: 20, hidden_size: 16, embedding_size: 8, batch_size: 4, max_length: 5, eval_samples: 8, layers: 2 };

/**
 * Each case of a model with the `recurrence` setting, then the same with recurrence=steps
 * (named `${name}_steps`) right after it, so both recordings are timed side by side in one run.
 */
export function withStepsTwins(models: ModelCase[]): ModelCase[] {
  return models.flatMap((c) => {
    if (!modelSpec(c.config.model).recurrence || c.config.recurrence === 'steps') return [c];
    // Explicitly `sequence`: `auto` would record step by step on the software adapter.
    const sequence = { ...c, config: { ...c.config, recurrence: 'sequence' as const } };
    return [sequence, { name: `${c.name}_steps`, config: { ...c.config, recurrence: 'steps' as const }, about: `${c.about}, recorded step by step (recurrence=steps)` }];
  });
}

export function benchPlan(mode: BenchMode): BenchPlan {
  // The model's own defaults too (blog trains at lr 0.001), as `seq2seq train` resolves them.
  const cfg = (over: Partial<Config>): Config => {
    const c = { ...defaultsFor(over.model), ...over };
    return modelSpec(c.model).conform(c);
  };
  if (mode === 'tiny') {
    return {
      mode,
      matmul: { sizes: [64], runs: 3, targetMs: 5, skinny: false },
      ops: { config: cfg({ ...TINY, model: 'lstm' }), runs: 1, targetMs: 2 },
      models: withStepsTwins(MODEL_SPECS.map((s) => ({ name: `${s.name}_default`, config: cfg({ ...TINY, model: s.name }), about: `tiny ${s.name} (tests)` }))),
      warmupSteps: 1,
      timedSteps: 3,
      profileRuns: 1,
      decodeRuns: 1,
    };
  }
  const models: ModelCase[] = withStepsTwins([
    ...MODEL_SPECS.map((s) => ({ name: `${s.name}_default`, config: cfg({ model: s.name }), about: `the default config with model ${s.name} (its own defaults)` })),
    {
      name: 'lstm_reference',
      config: cfg(REFERENCE_OVERRIDES),
      about: "the reference config, fixed so figures compare across machines: lstm, 1 layer, hidden 64, embedding 32, batch 64, max_length 20",
    },
    {
      name: 'attn_reference',
      config: cfg({ ...REFERENCE_OVERRIDES, model: 'attn', reverse_source: false }),
      about: 'the reference config with model attn (Luong attention), timed right after lstm_reference',
    },
  ]);
  const opsConfig = cfg(REFERENCE_OVERRIDES);
  if (mode === 'quick') {
    return { mode, matmul: { sizes: [128, 256, 512], runs: 3, targetMs: 40, skinny: true }, ops: { config: opsConfig, runs: 3, targetMs: 20 }, models, warmupSteps: 2, timedSteps: 10, profileRuns: 3, decodeRuns: 3 };
  }
  return { mode, matmul: { sizes: [128, 256, 512], runs: 5, targetMs: 150, skinny: true }, ops: { config: opsConfig, runs: 5, targetMs: 60 }, models, warmupSteps: 3, timedSteps: 20, profileRuns: 5, decodeRuns: 5 };
}

/** True when two configs describe the same model and batch shape. */
export function sameConfig(a: Config, b: Config): boolean {
  const keys = Object.keys(a) as (keyof Config)[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
