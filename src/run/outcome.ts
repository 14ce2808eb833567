// What a train run's outcome says beyond its scores: a resumed run that has nothing left
// to do, the loss a checkpoint recorded, and a run that did not learn.
import type { Config } from '../config/config.ts';
import { decodeCheckpoint } from '../io/checkpoint.ts';
import { plural } from './console.ts';
import type { RunDir } from './rundir.ts';

/**
 * For `--resume` of a run whose every round is trained and evaluated: one sentence saying
 * so and how to extend it; null when something is left (training, or a round's evaluation).
 */
export function completeRunMessage(run: RunDir, config: Config, checkpoint: Uint8Array | undefined): string | null {
  if (!checkpoint) return null;
  const { round, step } = decodeCheckpoint(checkpoint);
  if (round < config.rounds) return null;
  const line = run.roundLine(round);
  if (!line) return null;
  const score = typeof line.geomean === 'number' ? `, GeoMean ${line.geomean.toFixed(4)}` : '';
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
