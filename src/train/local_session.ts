// A session in this page as the training driver sees it (src/train/driver.ts): the demo's
// round loop and the page API's round ends go through it.
import { encodeCheckpoint } from '../io/checkpoint.ts';
import type { DrivenSession } from './driver.ts';
import type { TrainingSession } from './session.ts';

/** Runs one GPU job; the demo queues them so prediction and training never interleave. */
export type JobRunner = <T>(job: () => Promise<T>) => Promise<T>;

const direct: JobRunner = (job) => job();

/** Counts a round on `s`; with `checkpoint`, returns the safetensors bytes of that moment. */
export async function finishLocalRound(s: TrainingSession, checkpoint: boolean, run: JobRunner = direct): Promise<{ round: number; checkpoint: Uint8Array | null }> {
  const round = s.completeRound();
  return { round, checkpoint: checkpoint ? encodeCheckpoint(await run(() => s.checkpoint())) : null };
}

export function localSession(s: TrainingSession, run: JobRunner = direct): DrivenSession {
  return {
    train: (steps, hooks) => run(() => s.train(steps, hooks)),
    finishRound: (checkpoint) => finishLocalRound(s, checkpoint, run),
    evaluate: (opts) => run(() => s.evaluate(opts)),
  };
}
