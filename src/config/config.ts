// The one typed configuration (docs/contract.md §4a): the same key names in the CLI (`key=value`),
// in config.json, in checkpoint metadata and on the demo page.
import type { BuiltinTaskName } from '../task/tasks.ts';
import { isModelName, modelSpec, type ModelName } from '../specs/index.ts';

export type { ModelName } from '../specs/index.ts';
export type OptimizerName = 'adam' | 'sgd';
export type LrSchedule = 'constant' | 'cosine';
/** `file`: pairs from data=PATH (docs/contract.md §1b). */
export type TaskName = BuiltinTaskName | 'file';
export type TokenizeName = 'words' | 'chars';
/** `pytorch`: PyTorch's own defaults (what the seed's code used); `uniform`: the paper's U(-init_scale, init_scale). */
export type InitName = 'pytorch' | 'uniform';
/** How an LSTM time loop is recorded: `sequence`, in one kernel (src/ops/lstm_sequence.ts, src/ops/greedy_decode.ts); `steps`, dispatches per time step. */
export type RecordingName = 'sequence' | 'steps';
/** `auto`: `sequence` on a hardware GPU, `steps` on the software adapter, where the kernels' long loops run slower than the per-step matmuls. */
export type RecurrenceName = 'auto' | RecordingName;

export interface Config {
  // task (docs/contract.md §1, §1b)
  task: TaskName;
  vocab_size: number;
  max_length: number;
  min_length: number;
  /** task=file: the pairs file (.tsv or .jsonl); '' when none. */
  data: string;
  /** task=file: the held-out pairs file; '' = the hash rule on `data`. */
  eval_data: string;
  /** task=file: `words` (whitespace) or `chars` (code points). */
  tokenize: TokenizeName;
  // model (docs/contract.md §3)
  model: ModelName;
  embedding_size: number;
  hidden_size: number;
  layers: number;
  reverse_source: boolean;
  /** model=transformer: attention heads (they divide hidden_size, the model width d). */
  heads: number;
  /** model=transformer: the feed-forward layers' inner width. */
  ff_size: number;
  /** Probability of zeroing an activation during training where the model has dropout (0 = off). */
  dropout: number;
  /** lstm, attn: `sequence` runs each time loop inside one kernel where the sizes allow; `steps` records every step; `auto` picks by adapter. */
  recurrence: RecurrenceName;
  // training (docs/contract.md §4)
  batch_size: number;
  optimizer: OptimizerName;
  lr: number;
  /** `cosine` anneals lr to lr/20 over the run's rounds × steps updates. */
  lr_schedule: LrSchedule;
  clip_norm: number;
  /** PyTorch's CrossEntropyLoss(label_smoothing): the target keeps 1 − ε, every token gets ε / V. */
  label_smoothing: number;
  /** Updates of linear learning-rate warm-up before `lr_schedule` takes over (0 = none). */
  warmup_steps: number;
  init: InitName;
  /** The bound of `init=uniform`. */
  init_scale: number;
  rounds: number;
  steps: number;
  /** End training after the first round whose evaluation GeoMean reaches this (0 = off). */
  stop_at: number;
  // evaluation (docs/contract.md §2)
  evaluate_round: number;
  eval_samples: number;
  beam: number;
  /** 0 means `max_length + 1`. */
  decode_length: number;
  seed: number;
}

/** Defaults chosen so that `seq2seq train` meets its goals on a 2-core software adapter. */
export const DEFAULT_CONFIG: Readonly<Config> = Object.freeze({
  task: 'primes',
  vocab_size: 100,
  max_length: 20,
  min_length: 1,
  data: '',
  eval_data: '',
  tokenize: 'words',
  model: 'lstm',
  embedding_size: 32,
  hidden_size: 64,
  layers: 1,
  reverse_source: true,
  heads: 4,
  ff_size: 128,
  dropout: 0,
  recurrence: 'auto',
  batch_size: 64,
  optimizer: 'adam',
  lr: 0.01,
  lr_schedule: 'cosine',
  clip_norm: 5,
  label_smoothing: 0,
  warmup_steps: 0,
  init: 'pytorch',
  init_scale: 0.08,
  rounds: 3,
  steps: 800,
  stop_at: 0,
  evaluate_round: 5,
  eval_samples: 1000,
  beam: 1,
  decode_length: 0,
  seed: 0,
});

/** DEFAULT_CONFIG with the named model's own defaults (src/specs/; unknown names: the plain defaults). */
export function defaultsFor(model: unknown): Config {
  return { ...DEFAULT_CONFIG, ...(isModelName(model) ? modelSpec(model).defaults : {}) };
}

export { decodeLength } from './decode_length.ts';
