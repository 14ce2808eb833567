// The library's model handle: one TrainingSession (src/train/session.ts) on one device, its GPU
// jobs run one at a time, driven by the same round loop as the CLI and the demo.
import type { Config } from '../config/config.ts';
import type { Gpu } from '../gpu/context.ts';
import type { AdapterSummary } from '../io/adapter_summary.ts';
import { encodeCheckpoint } from '../io/checkpoint.ts';
import type { Summary } from '../metrics/index.ts';
import type { Progress, TrainChunkResult, TrainingSession } from '../train/session.ts';
import { driveRounds, type DriverControl, type DriverEvents, type EvaluatedRound, type RunPosition, type StopReason } from '../train/driver.ts';
import { localSession, type JobRunner } from '../train/local_session.ts';
import type { AttentionMap } from '../train/decode.ts';
import { predictionText, readInputLines } from '../data/inputs.ts';
import { guarded, Seq2SeqError } from './errors.ts';
import { MODEL_SPECS } from '../specs/index.ts';
import type { PauseSwitch } from './pause.ts';

export type { Progress, TrainChunkResult, AttentionMap, EvaluatedRound, RunPosition, StopReason, Summary };

/** The widest beam the GPU kernel holds (src/ops/beam.ts MAX_BEAM). */
export const MAX_BEAM = 64;

export interface TrainOptions {
  /** Called every `logEvery` steps (and at the end) with the loss just read back. */
  onProgress?: (p: Progress) => void;
  /** Read the loss back every this many steps (default 10). */
  logEvery?: number;
  /** Aborting stops training after the current step; the call then resolves with `stopped: true`. */
  signal?: AbortSignal;
}

export interface TrainRoundsOptions extends TrainOptions {
  /** Train until this many rounds are complete (default: the settings' `rounds`). */
  rounds?: number;
  /** Called after each round's evaluation (docs/contract.md §2 summary). */
  onRound?: (r: EvaluatedRound) => void | Promise<void>;
  /** Called when a round's steps are done and counted, before its evaluation starts. */
  onRoundTrained?: (at: RunPosition) => void | Promise<void>;
  /** Called after each chunk of steps with its speed (`steps_per_s`) and position. */
  onChunk?: (r: TrainChunkResult) => void | Promise<void>;
  /** Steps per GPU job (default 10 × logEvery): between jobs, predictions and checkpoints get their turn. */
  chunk?: number;
  /** Halts the loop between steps while paused; `onPause(true)` when it halts, `onPause(false)` when it goes on. */
  pause?: PauseSwitch;
  onPause?: (paused: boolean) => void;
}

export interface RoundsResult {
  step: number;
  round: number;
  /** The last loss read back (NaN when none yet). */
  loss: number;
  /** `rounds`: every round done; `target`: stop_at reached; `stopped`: the signal aborted. */
  reason: StopReason;
}

export interface PredictOptions {
  /** Beam width, 1 (greedy) to 64; default: the settings' `beam`. */
  beam?: number;
}

/** Evaluation results: docs/contract.md §2 metrics; file tasks add corpus BLEU. */
export type Evaluation = Summary & { bleu?: number };

/** One input's prediction, with its attention weights when the model has attention. */
export interface Decoded {
  /** Token ids, stopping before EOS. */
  prediction: number[];
  /** `attention[output step][input position]`, one row per predicted token and one for EOS (with a beam, the chosen beam's). */
  attention?: number[][];
}

/** One input's greedy prediction and its attention weights: `weights[output step][input position]`. */
export interface Attention extends AttentionMap {
  /** The prediction as text (numbers joined by spaces for a built-in task). */
  text: string;
}

/** A model on the GPU: train it, evaluate it, save it, predict with it. Create one with createTrainer or loadModel. */
export class Trainer {
  private queue: Promise<unknown> = Promise.resolve();
  private destroyed = false;

  /** @internal Use createTrainer or loadModel. */
  constructor(
    private readonly session: TrainingSession,
    /** A context over the caller's device, released (not destroyed) with the trainer; null when the session owns its device. */
    private readonly borrowed: Gpu | null,
  ) {}

  /** The resolved settings (every key of docs/contract.md §4a). */
  get config(): Readonly<Config> {
    return this.session.config;
  }
  /** Optimizer updates done so far. */
  get step(): number {
    return this.session.step;
  }
  /** Rounds completed so far. */
  get round(): number {
    return this.session.round;
  }
  /** A file task's vocabulary (index = token id), or undefined for a built-in task. */
  get vocab(): readonly string[] | undefined {
    return this.session.vocab;
  }
  /** The WebGPU adapter the model runs on. */
  get adapter(): AdapterSummary {
    return this.session.gpu.adapter;
  }
  /** The number of trainable parameters. */
  get parameters(): number {
    return this.session.model.layout.entries.reduce((a, e) => a + e.length, 0);
  }

  /** Runs `job` after every job before it: training, evaluation and prediction never interleave on the GPU. */
  private readonly exclusive: JobRunner = <T>(job: () => Promise<T>): Promise<T> => {
    if (this.destroyed) return Promise.reject(new Seq2SeqError('destroyed', 'This trainer was destroyed; create or load another.'));
    const next = this.queue.then(job, job);
    this.queue = next.catch(() => undefined);
    return next;
  };

  /** Runs up to `steps` optimizer updates (the next batches of the training stream). */
  async train(steps: number, opts: TrainOptions = {}): Promise<TrainChunkResult> {
    if (!Number.isSafeInteger(steps) || steps < 1) throw new Seq2SeqError('invalid_settings', `steps must be a positive integer, got ${steps}.`);
    this.needTrainingData();
    const { signal } = opts;
    return guarded(() => this.exclusive(() => this.session.train(steps, { logEvery: opts.logEvery, onProgress: opts.onProgress, shouldStop: () => Boolean(signal?.aborted) })));
  }

  /**
   * Trains round after round (`steps` updates each), evaluating after each, until `rounds` are
   * complete, stop_at is reached or the signal aborts: the loop of `seq2seq train`.
   */
  async trainRounds(opts: TrainRoundsOptions = {}): Promise<RoundsResult> {
    this.needTrainingData();
    const config = { ...this.session.config, rounds: opts.rounds ?? this.session.config.rounds };
    const start = { step: this.step, round: this.round, loss: NaN };
    const events: DriverEvents = { progress: opts.onProgress, roundEvaluated: opts.onRound, roundTrained: opts.onRoundTrained && ((at) => opts.onRoundTrained?.(at)), chunk: opts.onChunk && ((r) => opts.onChunk?.(r)) };
    const logEvery = opts.logEvery ?? 10;
    const chunkSteps = opts.chunk ?? logEvery * 10;
    if (!Number.isSafeInteger(chunkSteps) || chunkSteps < 1) throw new Seq2SeqError('invalid_settings', `chunk must be a positive integer, got ${chunkSteps}.`);
    return guarded(() => driveRounds(localSession(this.session, this.exclusive), { config, start, logEvery, chunkSteps }, events, pauseControl(opts)));
  }

  /** Evaluates on fresh samples (built-in tasks) or on every held-out pair (pairs): docs/contract.md §2. */
  async evaluate(opts: { samples?: number; beam?: number } = {}): Promise<Evaluation> {
    if (this.vocab && !this.session.data?.heldOutCount) {
      throw new Seq2SeqError('unsupported', 'A model of pairs loaded from a checkpoint has no held-out pairs to evaluate: pass its pairs with the checkpoint to createTrainer.');
    }
    return guarded(() => this.exclusive(() => this.session.evaluate({ samples: opts.samples, beam: this.beamOf(opts) })));
  }

  /** The model, its optimizer state and settings as safetensors bytes (what `seq2seq train` writes). */
  checkpoint(): Promise<Uint8Array> {
    return guarded(() => this.exclusive(async () => encodeCheckpoint(await this.session.checkpoint())));
  }

  /**
   * Predicts each input line: numbers ("4 7 9 11") for a built-in task, text tokenised as in
   * training for pairs. Returns one line per input, as `seq2seq predict` prints them (an empty
   * input gives an empty output).
   */
  async predict(lines: readonly string[], opts: PredictOptions = {}): Promise<string[]> {
    const inputs = await guarded(() => readInputLines(lines, this.config, this.vocab), 'invalid_input');
    const todo = inputs.filter((x): x is number[] => x !== null);
    const out = todo.length > 0 ? await this.predictIds(todo, opts) : [];
    let next = 0;
    return inputs.map((x) => (x === null ? '' : predictionText(out[next++], this.config, this.vocab)));
  }

  /** Predicts token ids from token ids (each input 1 to max_length ids); predictions stop before EOS. */
  async predictIds(inputs: readonly (readonly number[])[], opts: PredictOptions = {}): Promise<number[][]> {
    const beam = this.beamOf(opts);
    const copy = inputs.map((x) => [...x]);
    return guarded(() => this.exclusive(() => this.session.predict(copy, beam)), 'invalid_input');
  }

  /** True when predictions carry attention weights (see decode). */
  get hasAttention(): boolean {
    return Boolean(this.session.model.attention);
  }

  /** Predicts token ids from token ids, with each prediction's attention weights when the model has attention. */
  async decode(inputs: readonly (readonly number[])[], opts: PredictOptions = {}): Promise<Decoded[]> {
    const beam = this.beamOf(opts);
    const copy = inputs.map((x) => [...x]);
    if (!this.hasAttention) return (await this.predictIds(copy, opts)).map((prediction) => ({ prediction }));
    const maps = await guarded(() => this.exclusive(() => this.session.attention(copy, beam)), 'invalid_input');
    return maps.map((m) => ({ prediction: m.prediction, attention: m.weights }));
  }

  /** Token ids as text: numbers joined by spaces for a built-in task, detokenised text for a model of pairs. */
  textOf(ids: readonly number[]): string {
    return predictionText([...ids], this.config, this.vocab);
  }

  /** Greedy predictions with their attention weights (models `attn`, `transformer`; built-in tasks), one per input line. */
  async attention(lines: readonly string[]): Promise<Attention[]> {
    if (!this.session.model.attention) throw new Seq2SeqError('unsupported', `The ${this.config.model} model has no attention to show; attention maps need a model with attention (${MODEL_SPECS.filter((m) => m.attention).map((m) => m.name).join(', ')}).`);
    if (this.vocab) throw new Seq2SeqError('unsupported', 'Attention maps do not yet support models trained on pairs (task=file).');
    const inputs = await guarded(() => readInputLines(lines, this.config), 'invalid_input');
    if (inputs.some((x) => x === null)) throw new Seq2SeqError('invalid_input', `Input ${inputs.indexOf(null) + 1} is empty.`);
    const maps = await guarded(() => this.exclusive(() => this.session.attention(inputs as number[][])), 'invalid_input');
    return maps.map((m) => ({ ...m, text: predictionText(m.prediction, this.config) }));
  }

  /** Frees the model's GPU memory (and its device, unless the caller passed one); the trainer is unusable afterwards. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    await this.queue;
    this.destroyed = true;
    this.session.destroy();
    this.borrowed?.release();
  }

  private needTrainingData(): void {
    if (this.vocab && !this.session.data?.trainCount) {
      throw new Seq2SeqError('unsupported', 'A model of pairs loaded from a checkpoint cannot train without its pairs: pass them with the checkpoint to createTrainer.');
    }
  }

  private beamOf(opts: PredictOptions): number {
    const beam = opts.beam ?? this.config.beam;
    if (!Number.isSafeInteger(beam) || beam < 1 || beam > MAX_BEAM) throw new Seq2SeqError('invalid_input', `beam ${beam}: the beam width must be from 1 to ${MAX_BEAM}.`);
    return beam;
  }
}

/** The driver's stop and pause hooks from the caller's signal and pause switch. */
function pauseControl(opts: TrainRoundsOptions): DriverControl {
  const { signal, pause, onPause } = opts;
  return {
    stopRequested: () => Boolean(signal?.aborted),
    interrupt: () => Boolean(pause?.requested),
    beforeChunk: async () => {
      if (!pause?.requested || signal?.aborted) return;
      onPause?.(true);
      // A stop while paused ends the wait too (the loop then stops before its next chunk).
      await Promise.race([pause.wait(), aborted(signal)]);
      onPause?.(false);
    },
  };
}

/** Resolves when `signal` aborts (never without one). */
function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((done) => {
    if (signal?.aborted) done();
    signal?.addEventListener('abort', () => done(), { once: true });
  });
}
