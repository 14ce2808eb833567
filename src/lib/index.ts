/// <reference types="@webgpu/types" preserve="true" />
// The public API of seq2seq-webgpu: train, evaluate, save, load and run sequence-to-sequence models
// on WebGPU, the same in a browser page and in Node (after `useDawn()` from `seq2seq-webgpu/node`).
import { DEFAULT_CONFIG, defaultsFor, type Config } from '../config/config.ts';
import { mergeConfig, validateConfig } from '../config/validate.ts';
import { Gpu } from '../gpu/context.ts';
import type { AdapterChoice } from '../gpu/adapter.ts';
import { decodeCheckpoint, type Checkpoint } from '../io/checkpoint.ts';
import type { FileData } from '../file_task/data.ts';
import { TrainingSession } from '../train/session.ts';
import { guarded, Seq2SeqError } from './errors.ts';
import { pairsTask, type Pairs } from './pairs.ts';
import { Trainer } from './trainer.ts';

export { Trainer, MAX_BEAM } from './trainer.ts';
export type { TrainOptions, TrainRoundsOptions, RoundsResult, PredictOptions, Evaluation, Attention, Decoded, Progress, TrainChunkResult, EvaluatedRound, RunPosition, StopReason, Summary } from './trainer.ts';
export { PauseSwitch } from './pause.ts';
export { Seq2SeqError, type Seq2SeqErrorCode } from './errors.ts';
export { previewPairs, readPairsFile, type Pair, type Pairs, type PairsText, type PairsPreview } from './pairs.ts';
export { SETTINGS, MODELS, defaultSettings, settingProblems, checkSettings, type SettingKey, type SettingInfo, type ModelInfo } from './settings.ts';
export { parseInput, trueTarget, type InputSettings } from './inputs.ts';
export { runBenchmark, BENCH_MODES, type BenchMode, type BenchReport } from './bench.ts';
/** What to tell a person whose browser has no WebGPU (the `webgpu_unavailable` errors say it too). */
export { WEBGPU_HELP } from '../gpu/device.ts';
export type { Config, ModelName, TaskName, OptimizerName, TokenizeName, InitName, LrSchedule } from '../config/config.ts';
export type { AdapterChoice } from '../gpu/adapter.ts';
export type { AdapterSummary } from '../io/adapter_summary.ts';
export { DEFAULT_CONFIG };

/** Any subset of the settings (docs/contract.md §4a); the rest take their defaults (the model's own first). */
export type Settings = Partial<Config>;

/** Where the model runs. */
export interface DeviceChoice {
  /** A device you acquired yourself; the trainer frees its own buffers on destroy() but leaves the device to you. */
  device?: GPUDevice;
  /** Which adapter to ask for when no device is given: `auto` (default), `hardware` or `software`. */
  adapter?: AdapterChoice;
}

export interface TrainerOptions extends DeviceChoice {
  /** The settings, e.g. `{ model: 'attn', task: 'reverse', steps: 200 }`. */
  settings?: Settings;
  /**
   * Your own training pairs (the file task, docs/contract.md §1b): the vocabulary and max_length come
   * from them (an explicit max_length leaves longer pairs out); about 1 pair in 20 is held out
   * for evaluation by a hash of its line, unless `evalPairs` are given.
   */
  pairs?: Pairs;
  /** Held-out pairs to evaluate on (with `pairs`). */
  evalPairs?: Pairs;
  /**
   * Start from these checkpoint bytes (parameters, optimizer state, step and round) instead of a
   * fresh model: `settings` then change the checkpoint's own (e.g. more `rounds`, a new `lr`), and
   * a model of pairs trains further on `pairs` (the same pairs give the same vocabulary).
   */
  checkpoint?: Uint8Array | ArrayBuffer;
}

export interface LoadOptions extends DeviceChoice {
  /** What messages call the bytes, e.g. the file's name (default "The checkpoint"). */
  name?: string;
}

/** Decodes checkpoint bytes (called `name` in messages) and checks the config they carry. */
async function readCheckpoint(bytes: Uint8Array | ArrayBuffer, name = 'The checkpoint'): Promise<{ checkpoint: Checkpoint; config: Config }> {
  const checkpoint = await guarded(() => decodeCheckpoint(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), name), 'invalid_checkpoint');
  const config = await guarded(() => validateConfig(checkpoint.config), 'invalid_checkpoint');
  if (config.task === 'file' && !checkpoint.vocab) throw new Seq2SeqError('invalid_checkpoint', 'The checkpoint is of a file task but carries no vocab in its metadata.');
  return { checkpoint, config };
}

/** The config and data a new trainer starts from (over `base`: a checkpoint's config), checked. */
async function startingPoint(opts: TrainerOptions, base?: Config): Promise<{ config: Config; data?: FileData }> {
  const settings: Settings = { ...(opts.settings ?? {}) };
  if (opts.pairs !== undefined && settings.task === undefined) settings.task = 'file';
  const config = await guarded(() => (base ? mergeConfig(base, settings) : mergeConfig(defaultsFor(settings.model), settings)));
  if (config.task !== 'file') {
    if (opts.pairs !== undefined) throw new Seq2SeqError('invalid_settings', `Pairs were given but task is ${config.task}; leave task unset (or set it to file) to train on them.`);
    return { config };
  }
  if (opts.pairs === undefined) throw new Seq2SeqError('invalid_data', 'task=file needs training pairs: pass them as `pairs`.');
  const pairs = opts.pairs;
  // A checkpoint's max_length is its model's: longer pairs are left out, never a new length derived.
  return guarded(() => pairsTask(config, pairs, opts.evalPairs, Boolean(base) || Object.hasOwn(settings, 'max_length')), 'invalid_data');
}

/** Opens a session on the caller's device or a new one. */
async function open(config: Config, checkpoint: Checkpoint | undefined, data: FileData | undefined, where: DeviceChoice): Promise<Trainer> {
  // The keys in DEFAULT_CONFIG's order, so a checkpoint's config is the same bytes whichever way it came.
  const ordered = { ...DEFAULT_CONFIG, ...config };
  const borrowed = where.device ? await guarded(() => Gpu.fromDevice(where.device as GPUDevice)) : null;
  try {
    // A checkpoint that does not fit its settings is the checkpoint's fault; with pairs, their vocabulary's.
    const blame = data && checkpoint ? 'invalid_data' : checkpoint ? 'invalid_checkpoint' : 'invalid_settings';
    const session = await guarded(() => TrainingSession.create(ordered, checkpoint, borrowed ?? undefined, data, { adapter: where.adapter }), blame);
    return new Trainer(session, borrowed);
  } catch (err) {
    borrowed?.release();
    throw err;
  }
}

/**
 * A new model, initialised from its settings (seed included), ready to train.
 * @example
 * const trainer = await createTrainer({ settings: { model: 'attn', task: 'reverse', steps: 200 } });
 * await trainer.trainRounds({ rounds: 1, onProgress: (p) => console.log(p.step, p.loss) });
 * console.log(await trainer.predict(['4 7 9 11']));
 * await trainer.destroy();
 */
export async function createTrainer(opts: TrainerOptions = {}): Promise<Trainer> {
  const saved = opts.checkpoint === undefined ? undefined : await readCheckpoint(opts.checkpoint);
  const { config, data } = await startingPoint(opts, saved?.config);
  return open(config, saved?.checkpoint, data, opts);
}

/**
 * A model from checkpoint bytes (a `.safetensors` file written by `seq2seq train` or by
 * Trainer.checkpoint()): predict with it, evaluate it, or train it further (built-in tasks; a model of
 * pairs trains further through createTrainer's `checkpoint` and `pairs`).
 */
export async function loadModel(bytes: Uint8Array | ArrayBuffer, where: LoadOptions = {}): Promise<Trainer> {
  const { checkpoint, config } = await readCheckpoint(bytes, where.name);
  return open(config, checkpoint, undefined, where);
}
