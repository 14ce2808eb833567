// What a train run concludes after each round and at its end: the best checkpoint so far
// (best.safetensors), whether stop_at was reached, and a one-line warning when the final
// score is far below what the task usually reaches.
import type { Config } from '../config/config.ts';
import type { RunDir } from './rundir.ts';

export interface BestRound {
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

/** True when stop_at is set and `geomean` reaches it. */
export function reachedTarget(config: Pick<Config, 'stop_at'>, geomean: number): boolean {
  return config.stop_at > 0 && geomean >= config.stop_at;
}

/** The line a run prints when it ends early at stop_at, with how to go further. */
export function stopAtMessage(config: Pick<Config, 'stop_at'>, round: number, geomean: number, runPath: string): string {
  return (
    `train: stopping after round ${round}: GeoMean ${geomean.toFixed(4)} reached stop_at ${config.stop_at}. ` +
    `To go on: npx seq2seq train --resume --out ${runPath} stop_at=<higher> (or stop_at=0, or a larger --rounds).\n`
  );
}

/** GeoMean under which a finished run is called far below what training usually reaches. */
export const FAR_BELOW = 0.9;

/** A one-line warning when the final GeoMean is far below what the task usually reaches, else null. */
export function farBelowWarning(config: Config, geomean: number): string | null {
  if (!(geomean < FAR_BELOW)) return null;
  const steps = config.rounds * config.steps;
  if (config.model === 'blog') {
    return `train: GeoMean ${geomean.toFixed(3)} is far below ${FAR_BELOW}; this is expected of the blog model (its decoder never reads its own outputs); --model lstm learns the task.\n`;
  }
  return (
    `train: GeoMean ${geomean.toFixed(3)} after ${steps} steps is far below ${FAR_BELOW}, what this model usually reaches with enough training; ` +
    `raise --steps or --rounds (or hidden_size), or check lr (now ${config.lr}).\n`
  );
}
