// A training session in the page: one model and its optimizer on one device, trained in
// chunks of steps, evaluated, checkpointed and restored. Node (or the demo page) drives it.
import type { Config } from '../config/config.ts';
import { Gpu } from '../gpu/context.ts';
import type { DeviceOptions } from '../gpu/device.ts';
import { view } from '../gpu/buffers.ts';
import { createModel, type GpuModel } from '../models/index.ts';
import { copy } from '../ops/fill.ts';
import type { Summary } from '../metrics/index.ts';
import { makeBatch } from '../task/index.ts';
import { expectTensors, tensorsFromArena, tensorsIntoArena, type Checkpoint } from '../io/checkpoint.ts';
import type { Tensor } from '../io/safetensors.ts';
import type { FileData } from '../file_task/data.ts';
import { vocabLimitProblem } from '../data/limits.ts';
import { evaluateModel } from './evaluate.ts';
import { evaluateFile, type FileSummary } from './evaluate_file.ts';
import { attentionInputs, predictInputs, type AttentionMap } from './decode.ts';
import { destroyBeams } from './beam.ts';
import { recordOptimizer, type RecordedOptimizer } from './optimizer.ts';
import { learningRate } from './schedule.ts';
import { sizeProblem } from '../gpu/size_check.ts';
import { UserError } from '../errors.ts';
import { NonFiniteError } from './non_finite.ts';

export { NonFiniteError } from './non_finite.ts';

/** The vocabulary of a file task, from its data or its checkpoint (which must agree), else undefined. */
function fileVocab(config: Config, checkpoint?: Checkpoint, data?: FileData): string[] | undefined {
  const fromData = data ? [...data.vocab] : undefined;
  const vocab = fromData ?? checkpoint?.vocab;
  if (config.task === 'file' && !vocab) throw new Error('A file-task session needs its vocabulary (from the data or the checkpoint).');
  if (fromData && checkpoint?.vocab && JSON.stringify(fromData) !== JSON.stringify(checkpoint.vocab)) {
    throw new UserError("The data's vocabulary differs from the checkpoint's: train further on the pairs the checkpoint was trained on.");
  }
  if (vocab && vocab.length !== config.vocab_size) throw new Error(`The vocabulary has ${vocab.length} tokens but vocab_size is ${config.vocab_size}.`);
  return vocab;
}

/** The page's used JS heap in MB (Chrome only; precise with --enable-precise-memory-info). */
function jsHeapMb(): number | null {
  const memory = (performance as { memory?: { usedJSHeapSize: number } }).memory;
  return memory ? Math.round(memory.usedJSHeapSize / 1e4) / 100 : null;
}

export interface Progress {
  step: number;
  loss: number;
  grad_norm: number;
  /** Steps per second over the chunk so far. */
  steps_per_s: number;
  /** Live GPU buffers and the page's JS heap: flat over a long run (no leaks). */
  live_buffers: number;
  js_heap_mb: number | null;
}

export interface TrainChunkResult extends Progress {
  /** Steps done in this chunk (fewer than asked when stopped). */
  done: number;
  stopped: boolean;
}

export interface TrainHooks {
  /** Read the loss back (and report) every this many steps; it also bounds the GPU queue. */
  logEvery?: number;
  onProgress?: (p: Progress) => void;
  shouldStop?: () => boolean;
}

export class TrainingSession {
  /** Optimizer updates done. */
  step = 0;
  /** Rounds completed. */
  round = 0;
  /** The last loss read back and its step (checkpointed, so a resumed run reports it exactly). */
  private lastLoss: { loss: number; step: number } | null = null;

  private constructor(
    readonly gpu: Gpu,
    readonly config: Config,
    readonly model: GpuModel,
    readonly optimizer: RecordedOptimizer,
    private readonly ownsGpu: boolean,
    /** A file task's pairs (training and held-out), or null for a built-in task. */
    readonly data: FileData | null,
    /** A file task's vocabulary (index = id), carried into checkpoints. */
    readonly vocab: string[] | undefined,
  ) {}

  /**
   * `shared`: a Gpu to build on instead of a new device (its compiled pipelines are reused,
   * which saves tens of seconds per session on a software adapter); the caller keeps it.
   * `data`: a file task's pairs; its vocabulary must be the checkpoint's, when both are given.
   * `device`: how to acquire a new device (the adapter asked for), when not shared.
   */
  static async create(config: Config, checkpoint?: Checkpoint, shared?: Gpu, data?: FileData, device?: DeviceOptions): Promise<TrainingSession> {
    const vocab = fileVocab(config, checkpoint, data);
    const gpu = shared ?? (await Gpu.create(device));
    try {
      const tooBig = vocab ? vocabLimitProblem(config, config.data || 'the data', gpu.device.limits) : null;
      const tooLarge = tooBig ?? sizeProblem(config, gpu.device.limits);
      if (tooLarge) throw new UserError(tooLarge);
      const model = createModel(gpu, config);
      const optimizer = recordOptimizer(gpu, model, config);
      const session = new TrainingSession(gpu, config, model, optimizer, !shared, data ?? null, vocab);
      // The model starts initialised from config (init, init_scale, seed).
      if (checkpoint) session.restore(checkpoint);
      await gpu.sync();
      return session;
    } catch (err) {
      if (!shared) gpu.destroy();
      throw err;
    }
  }

  /**
   * Runs up to `steps` optimizer updates, one submit each. Batch k of the run is samples
   * [k·B, (k+1)·B) of the 'train' stream, so a resumed run sees exactly the same data.
   */
  async train(steps: number, hooks: TrainHooks = {}): Promise<TrainChunkResult> {
    const logEvery = Math.max(1, hooks.logEvery ?? 10);
    const { gpu, model, optimizer, config } = this;
    const B = config.batch_size;
    const start = performance.now();
    let last: Progress = { step: this.step, loss: NaN, grad_norm: NaN, steps_per_s: 0, live_buffers: gpu.stats.liveBuffers, js_heap_mb: jsHeapMb() };
    let done = 0;
    let stopped = false;
    while (done < steps) {
      if (hooks.shouldStop?.()) {
        stopped = true;
        break;
      }
      model.setBatch(this.data ? this.data.trainBatch(config, this.step * B, B) : makeBatch(config, 'train', config.seed, this.step * B, B));
      model.setStep?.(this.step + 1);
      optimizer.setStep(this.step + 1);
      optimizer.setLr(learningRate(config, this.step + 1));
      gpu.run(model.trainStep, optimizer.program);
      this.step++;
      done++;
      if (done % logEvery === 0 || done === steps) {
        const [loss, stats] = await Promise.all([gpu.read(model.loss), gpu.read(optimizer.stats)]);
        last = {
          step: this.step,
          loss: loss[0],
          grad_norm: stats[0],
          steps_per_s: (done * 1000) / (performance.now() - start),
          live_buffers: gpu.stats.liveBuffers,
          js_heap_mb: jsHeapMb(),
        };
        if (!Number.isFinite(last.loss) || !Number.isFinite(last.grad_norm)) {
          throw new NonFiniteError(
            `Training diverged at step ${this.step}: the ${Number.isFinite(last.loss) ? 'gradient norm' : 'loss'} is not finite; lower lr or clip_norm and resume from the last checkpoint.`,
          );
        }
        this.lastLoss = { loss: last.loss, step: last.step };
        hooks.onProgress?.(last);
      }
    }
    await gpu.sync();
    return { ...last, done, stopped };
  }

  /** Counts one more round as complete (the round the next checkpoint records); returns it. */
  completeRound(): number {
    this.round++;
    return this.round;
  }

  /**
   * docs/contract.md §2 evaluation. A file task evaluates every held-out pair once (rounds, samples and
   * seed do not apply), with a model recorded for the longest held-out pair when it exceeds max_length.
   */
  async evaluate(opts: { rounds?: number; samples?: number; seed?: number; maxLength?: number; beam?: number } = {}): Promise<Summary | FileSummary> {
    if (this.vocab) {
      const data = this.data;
      if (!data || data.heldOutCount === 0) throw new Error('This file-task session holds no held-out pairs to evaluate.');
      return this.withLength(Math.max(opts.maxLength ?? 0, data.heldOutLongest()), (model) => evaluateFile(this.gpu, model, data, opts.beam));
    }
    const rounds = opts.rounds ?? this.config.evaluate_round;
    const samples = opts.samples ?? this.config.eval_samples;
    const seed = opts.seed ?? this.config.seed;
    return this.withLength(opts.maxLength ?? this.config.max_length, (model) => evaluateModel(this.gpu, model, { rounds, samples, seed, beam: opts.beam }));
  }

  /** Runs `job` on this model, or on a copy recorded for longer sequences when `maxLength` exceeds max_length. */
  private async withLength<T>(maxLength: number, job: (model: GpuModel) => Promise<T>): Promise<T> {
    if (maxLength <= this.config.max_length) return job(this.model);
    // Longer inputs need a model recorded for them; the parameters are the same shapes.
    const longer = createModel(this.gpu, { ...this.config, max_length: maxLength, decode_length: 0 });
    try {
      this.gpu.run(copy(this.gpu, view(this.model.params, 0, this.model.layout.size), view(longer.params, 0, longer.layout.size)));
      return await job(longer);
    } finally {
      destroyBeams(longer);
      longer.destroy();
    }
  }

  /** `beam`: width (default config.beam; 1 = greedy). */
  predict(inputs: number[][], beam = this.config.beam): Promise<number[][]> {
    return predictInputs(this.gpu, this.model, this.config, inputs, beam);
  }

  /** Predictions with their attention weights (models with attention); `beam` > 1: the chosen beam's; `perHead`: each head's too (transformer). */
  attention(inputs: number[][], beam = 1, perHead = false): Promise<AttentionMap[]> {
    return attentionInputs(this.gpu, this.model, this.config, inputs, beam, perHead);
  }

  /** Everything exact resume needs: parameters, Adam moments, step, round. */
  async checkpoint(): Promise<Checkpoint> {
    const { gpu, model, optimizer } = this;
    const n = model.layout.size;
    const entries = model.layout.entries;
    const tensors = tensorsFromArena(entries, await gpu.read(view(model.params, 0, n)));
    const opt = new Map<string, Tensor>();
    for (const [key, buffer] of [['m', optimizer.m], ['v', optimizer.v]] as const) {
      if (!buffer) continue;
      for (const [name, t] of tensorsFromArena(entries, await gpu.read(view(buffer, 0, n)))) opt.set(`${key}.${name}`, t);
    }
    return {
      config: this.config,
      step: this.step,
      round: this.round,
      tensors,
      optimizer: opt,
      resume: {
        train_position: this.step * this.config.batch_size,
        adam_step: this.step,
        ...(this.lastLoss ? { loss: this.lastLoss.loss, loss_step: this.lastLoss.step } : {}),
      },
      ...(this.vocab ? { vocab: this.vocab } : {}),
      adapter: gpu.adapter,
    };
  }

  private restore(c: Checkpoint): void {
    const { gpu, model, optimizer } = this;
    const entries = model.layout.entries;
    expectTensors(c.tensors, entries);
    const arena = new Float32Array(model.layout.size);
    tensorsIntoArena(c.tensors, entries, arena);
    gpu.upload(model.params, arena);
    for (const [key, buffer] of [['m', optimizer.m], ['v', optimizer.v]] as const) {
      if (!buffer) continue;
      const moments = new Map<string, Tensor>();
      for (const e of entries) {
        const t = c.optimizer.get(`${key}.${e.name}`);
        if (t) moments.set(e.name, t);
      }
      // A checkpoint without moments (e.g. from SGD) starts Adam afresh.
      if (moments.size === 0) continue;
      expectTensors(moments, entries, `checkpoint optimizer state ${key}`);
      const m = new Float32Array(model.layout.size);
      tensorsIntoArena(moments, entries, m);
      gpu.upload(buffer, m);
    }
    this.step = c.step;
    this.round = c.round;
    const { loss, loss_step } = c.resume;
    if (typeof loss === 'number' && typeof loss_step === 'number') this.lastLoss = { loss, step: loss_step };
  }

  destroy(): void {
    destroyBeams(this.model);
    this.model.destroy();
    if (this.ownsGpu) {
      this.gpu.destroy();
      return;
    }
    const { m, v, stats } = this.optimizer;
    for (const b of [m, v, stats.buffer]) if (b) this.gpu.destroyBuffer(b);
  }
}
