// The round loop of a training run (docs/contract.md §4), one for the CLI and the demo page:
// train each round in chunks of steps, count it, hand its checkpoint over, evaluate it, and
// end after `rounds`, at stop_at, or when asked. Files, progress bars and charts stay with
// the caller, which hears of each event through DriverEvents.
import type { Config } from '../config/config.ts';
import type { Summary } from '../metrics/index.ts';
import type { Progress, TrainChunkResult, TrainHooks } from './session.ts';

/** A round's evaluation; file tasks add corpus BLEU. */
export type RoundSummary = Summary & { bleu?: number };

/** What the driver needs of a session, wherever it lives (this page, or a GPU runtime Node talks to). */
export interface DrivenSession {
  /**
   * Up to `steps` optimizer updates. A session in this page also stops when hooks.shouldStop
   * says so; a remote one when asked through its own channel (RemoteSession.requestStop).
   */
  train(steps: number, hooks: TrainHooks): Promise<TrainChunkResult>;
  /** Counts one more round as complete; with `checkpoint`, also returns that moment's safetensors bytes. */
  finishRound(checkpoint: boolean): Promise<{ round: number; checkpoint: Uint8Array | null }>;
  evaluate(opts: { rounds: number; samples: number }): Promise<RoundSummary>;
}

export interface RunPosition {
  step: number;
  /** Rounds completed. */
  round: number;
  /** The last loss read back (NaN when none yet). */
  loss: number;
}

export interface EvaluatedRound extends RunPosition {
  summary: RoundSummary;
  /** Its GeoMean reached stop_at: the run ends here. */
  reachedTarget: boolean;
}

/** What the caller hears; each is awaited before the loop goes on. */
export interface DriverEvents {
  /** Every `logEvery` steps and at the end of each chunk. */
  progress?(p: Progress): void;
  /** The loop starts (after any pending evaluation): e.g. show a progress bar. */
  started?(at: RunPosition): void | Promise<void>;
  /** After each chunk of steps (the CLI flushes its log here). */
  chunk?(r: TrainChunkResult, at: RunPosition): void | Promise<void>;
  /** A round's training is done and counted; `checkpoint`: its bytes when checkpointEachRound. */
  roundTrained?(at: RunPosition, checkpoint: Uint8Array | null): void | Promise<void>;
  roundEvaluated?(r: EvaluatedRound): void | Promise<void>;
}

export interface DriverControl {
  /** True once the run should end early: checked before, inside and after every chunk. */
  stopRequested(): boolean;
  /** Awaited before each chunk (the demo's pause waits here). */
  beforeChunk?(): Promise<void>;
  /** Interrupts a chunk without ending the run (the demo's pause). */
  interrupt?(): boolean;
}

export interface DriverOptions {
  /** The run's settings (the demo's may differ from its session's: rounds, steps, evaluation). */
  config: Pick<Config, 'rounds' | 'steps' | 'stop_at' | 'evaluate_round' | 'eval_samples'>;
  /** Where the session stands. */
  start: RunPosition;
  /** Steps per train call (default: the rest of the round). */
  chunkSteps?: number;
  /** Read the loss back every this many steps (default: once per chunk). */
  logEvery?: number;
  /** Hand each round's checkpoint to roundTrained. */
  checkpointEachRound?: boolean;
  /** The last round was counted but never evaluated (a run killed in between): evaluate it first. */
  evaluateFirst?: boolean;
  /** The last evaluated round already reached stop_at: nothing to train. */
  reachedTarget?: boolean;
}

/** `rounds`: every round done; `target`: stop_at reached; `stopped`: asked to stop. */
export type StopReason = 'rounds' | 'target' | 'stopped';

export interface DriverResult extends RunPosition {
  reason: StopReason;
}

/** True when stop_at is set and `geomean` reaches it. */
export function reachedTarget(config: Pick<Config, 'stop_at'>, geomean: number): boolean {
  return config.stop_at > 0 && geomean >= config.stop_at;
}

/** Runs rounds until `config.rounds`, stop_at or a stop request; returns where it ended and why. */
export async function driveRounds(session: DrivenSession, opts: DriverOptions, events: DriverEvents = {}, control: DriverControl = { stopRequested: () => false }): Promise<DriverResult> {
  const at: RunPosition = { ...opts.start };
  const { config } = opts;
  let target = opts.evaluateFirst ? await evaluateRound(session, config, at, events) : Boolean(opts.reachedTarget);
  await events.started?.({ ...at });
  while (at.round < config.rounds && !target) {
    if (!(await trainRound(session, opts, at, events, control))) return { ...at, reason: 'stopped' };
    const done = await session.finishRound(Boolean(opts.checkpointEachRound));
    at.round = done.round;
    await events.roundTrained?.({ ...at }, done.checkpoint);
    target = await evaluateRound(session, config, at, events);
  }
  return { ...at, reason: target ? 'target' : 'rounds' };
}

/** Trains the rest of round `at.round + 1`, chunk by chunk; false when asked to stop first. */
async function trainRound(session: DrivenSession, opts: DriverOptions, at: RunPosition, events: DriverEvents, control: DriverControl): Promise<boolean> {
  const roundEnd = (at.round + 1) * opts.config.steps;
  const chunk = opts.chunkSteps ?? Infinity;
  const shouldStop = () => control.stopRequested() || Boolean(control.interrupt?.());
  for (;;) {
    if (control.stopRequested()) return false;
    if (at.step >= roundEnd) return true;
    await control.beforeChunk?.();
    if (control.stopRequested()) return false;
    const n = Math.min(chunk, roundEnd - at.step);
    const r = await session.train(n, { logEvery: opts.logEvery ?? n, onProgress: events.progress, shouldStop });
    at.step = r.step;
    if (!Number.isNaN(r.loss)) at.loss = r.loss;
    await events.chunk?.(r, { ...at });
  }
}

/** Evaluates the round just counted and reports it; true when it reached stop_at. */
async function evaluateRound(session: DrivenSession, config: DriverOptions['config'], at: RunPosition, events: DriverEvents): Promise<boolean> {
  const summary = await session.evaluate({ rounds: config.evaluate_round, samples: config.eval_samples });
  const reached = reachedTarget(config, summary.geomean);
  await events.roundEvaluated?.({ ...at, summary, reachedTarget: reached });
  return reached;
}
