/// <reference types="@webgpu/types" preserve="true" />
// The public API of seq2seq-webgpu: train, evaluate, save, load and run sequence-to-sequence models
// on WebGPU, the same in a browser page and in Node (after `useDawn()` from `seq2seq-webgpu/node`).
import { DEFAULT_CONFIG, defaultsFor, type Config } from '../config/config.ts';
import { mergeConfig, validateConfig } from '../config/validate.ts';
import { Gpu } from '../gpu/context.ts';
import type { AdapterChoice } from '../gpu/adapter.ts';
import { decodeCheckpoint, type Checkpoint } from '../io/checkpoint.ts';
import type { FileData } from '../data/file_data.ts';
import { TrainingSession } from '../train/session.ts';
import { guarded, Seq2SeqError } from './errors.ts';
import { pairsTask, type Pairs } from './pairs.ts';
import { Trainer } from './trainer.ts';

export { Trainer, MAX_BEAM } from './trainer.ts';
export type { TrainOptions, TrainRoundsOptions, RoundsResult, PredictOptions, Evaluation, Attention, Progress, TrainChunkResult, EvaluatedRound, StopReason, Summary } from './trainer.ts';
export { Seq2SeqError, type Seq2SeqErrorCode } from './errors.ts';
export type { Pair, Pairs } from './pairs.ts';
export type { Config, ModelName, TaskName, OptimizerName, TokenizeName, InitName, LrSchedule } from '../config/config.ts';
export type { AdapterChoice, AdapterSummary } from '../gpu/adapter.ts';
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
}

/** The config and data a new trainer starts from, checked: one Seq2SeqError naming every mistake. */
async function startingPoint(opts: TrainerOptions): Promise<{ config: Config; data?: FileData }> {
  const settings: Settings = { ...(opts.settings ?? {}) };
  if (opts.pairs !== undefined && settings.task === undefined) settings.task = 'file';
  const config = await guarded(() => mergeConfig(defaultsFor(settings.model), settings));
  if (config.task !== 'file') {
    if (opts.pairs !== undefined) throw new Seq2SeqError('invalid_settings', `Pairs were given but task is ${config.task}; leave task unset (or set it to file) to train on them.`);
    return { config };
  }
  if (opts.pairs === undefined) throw new Seq2SeqError('invalid_data', 'task=file needs training pairs: pass them as `pairs`.');
  const pairs = opts.pairs;
  return guarded(() => pairsTask(config, pairs, opts.evalPairs, Object.hasOwn(settings, 'max_length')), 'invalid_data');
}

/** Opens a session on the caller's device or a new one. */
async function open(config: Config, checkpoint: Checkpoint | undefined, data: FileData | undefined, where: DeviceChoice): Promise<Trainer> {
  // The keys in DEFAULT_CONFIG's order, so a checkpoint's config is the same bytes whichever way it came.
  const ordered = { ...DEFAULT_CONFIG, ...config };
  const borrowed = where.device ? await guarded(() => Gpu.fromDevice(where.device as GPUDevice)) : null;
  try {
    const session = await guarded(() => TrainingSession.create(ordered, checkpoint, borrowed ?? undefined, data, { adapter: where.adapter }), checkpoint ? 'invalid_checkpoint' : 'invalid_settings');
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
  const { config, data } = await startingPoint(opts);
  return open(config, undefined, data, opts);
}

/**
 * A model from checkpoint bytes (a `.safetensors` file written by `seq2seq train` or by
 * Trainer.checkpoint()): predict with it, evaluate it, or train it further (built-in tasks).
 */
export async function loadModel(bytes: Uint8Array | ArrayBuffer, where: DeviceChoice = {}): Promise<Trainer> {
  const checkpoint = await guarded(() => decodeCheckpoint(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), 'The checkpoint'), 'invalid_checkpoint');
  const config = await guarded(() => validateConfig(checkpoint.config), 'invalid_checkpoint');
  if (config.task === 'file' && !checkpoint.vocab) throw new Seq2SeqError('invalid_checkpoint', 'The checkpoint is of a file task but carries no vocab in its metadata.');
  return open(config, checkpoint, undefined, where);
}
