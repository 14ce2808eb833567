// What a train run concludes after each round and at its end: the best checkpoint so far
// (best.safetensors), whether stop_at was reached, and a one-line warning when the final
// score is far below what the task usually reaches; and for a resumed run, whether
// anything is left to do and the loss its checkpoint recorded; a run that did not learn.
import type { Config } from '../config/config.ts';
import { decodeCheckpoint } from '../io/checkpoint.ts';
import { plural } from '../plural.ts';
import type { RunDir } from './rundir.ts';
import { reachedTarget } from '../train/driver.ts';
import { modelSpec } from '../specs/index.ts';

interface BestRound {
  round: number;
  geomean: number;
}

/** Tracks the best evaluated round of a run; starts from what its metrics.jsonl already holds. */
export class BestTracker {
  private best: BestRound | null;

  constructor(private readonly run: RunDir) {
    this.best = run.bestRound();
  }

  /** Records round `round`'s GeoMean; copies its checkpoint to best.safetensors when it is the best so far. */
  async record(round: number, geomean: number): Promise<void> {
    if (this.best && !(geomean > this.best.geomean)) return;
    await this.run.writeBest(round);
    this.best = { round, geomean };
  }

  /** For the final JSON line. */
  summary(): { best_checkpoint: string; best_round: number; best_geomean: number } | Record<string, never> {
    return this.best ? { best_checkpoint: this.run.bestPath, best_round: this.best.round, best_geomean: this.best.geomean } : {};
  }
}

/** The line a run prints when it ends early at stop_at, with how to go further. */
export function stopAtMessage(config: Pick<Config, 'stop_at'>, round: number, geomean: number, runPath: string): string {
  return (
    `train: stopping after round ${round}: GeoMean ${geomean.toFixed(4)} reached stop_at ${config.stop_at}. ` +
    `To go on: npx seq2seq train --resume --out ${runPath} stop_at=<higher> (or stop_at=0, or a larger --rounds).\n`
  );
}

/** GeoMean under which a finished run is called far below what training usually reaches. */
const FAR_BELOW = 0.9;

/** A one-line warning when the final GeoMean is far below what the task usually reaches, else null. */
export function farBelowWarning(config: Config, geomean: number): string | null {
  if (!(geomean < FAR_BELOW)) return null;
  const steps = config.rounds * config.steps;
  const note = modelSpec(config.model).farBelowNote;
  if (note) return `train: GeoMean ${geomean.toFixed(3)} is far below ${FAR_BELOW}; ${note}.\n`;
  return (
    `train: GeoMean ${geomean.toFixed(3)} after ${steps} steps is far below ${FAR_BELOW}, what this model usually reaches with enough training; ` +
    `raise --steps or --rounds (or hidden_size), or check lr (now ${config.lr}).\n`
  );
}

/**
 * For `--resume` of a run whose every round is trained and evaluated: one sentence saying
 * so and how to extend it; null when something is left (training, or a round's evaluation).
 */
export function completeRunMessage(run: RunDir, config: Config, checkpoint: Uint8Array | undefined): string | null {
  if (!checkpoint) return null;
  const { round, step } = decodeCheckpoint(checkpoint);
  const line = round > 0 ? run.roundLine(round) : null;
  if (!line) return null;
  const geomean = typeof line.geomean === 'number' ? line.geomean : NaN;
  const score = Number.isNaN(geomean) ? '' : `, GeoMean ${geomean.toFixed(4)}`;
  if (round < config.rounds && reachedTarget(config, geomean)) {
    return (
      `The run in ${run.path} is complete: round ${round} (step ${step}${score}) reached stop_at ${config.stop_at}; ` +
      `to go on: npx seq2seq train --resume --out ${run.path} stop_at=<higher> (or stop_at=0)`
    );
  }
  if (round < config.rounds) return null;
  return (
    `The run in ${run.path} is complete (${round} of ${plural(config.rounds, 'round')}, step ${step}${score}); ` +
    `to train it further, raise --rounds: npx seq2seq train --resume --out ${run.path} --rounds ${config.rounds + 1}`
  );
}

/** The loss the checkpoint recorded and the step it was read at, when it has one. */
export function recordedLoss(checkpoint: Uint8Array | undefined): { loss: number; step: number } | undefined {
  if (!checkpoint) return undefined;
  const { loss, loss_step } = decodeCheckpoint(checkpoint).resume;
  return typeof loss === 'number' && typeof loss_step === 'number' ? { loss, step: loss_step } : undefined;
}

/**
 * Null when the run learned; else one sentence. A model that predicts every token with
 * equal probability has loss ln(V); a final loss well above that (here 1.5·ln V) means
 * the updates made the model worse than knowing nothing, typically an lr far too high.
 */
export function didNotLearn(config: Config, loss: number): string | null {
  const uniform = Math.log(config.vocab_size);
  if (!Number.isFinite(loss) || loss <= 1.5 * uniform) return null;
  return (
    `The run did not learn: its final loss, ${formatLoss(loss)}, is above 1.5 × ${uniform.toFixed(2)}, the loss of a uniform guess over ` +
    `vocab_size ${config.vocab_size}; lower lr (now ${config.lr}) and train again.`
  );
}

function formatLoss(loss: number): string {
  return Math.abs(loss) >= 1e4 ? loss.toExponential(2) : loss.toFixed(4);
}
