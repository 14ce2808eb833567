// The learning rate of each update. A linear warm-up (warmup_steps updates rising to lr) keeps
// the first Adam steps small while its moment estimates are still poor (the Transformer needs
// it); then the chosen schedule runs over the remaining updates. A cosine anneal to lr/20 lets a
// high early rate learn fast and a low late one settle. The rate is a pure function of the
// step, so a resumed run applies exactly the same rates.
import type { Config } from '../config/config.ts';

export const COSINE_FLOOR = 1 / 20;

export type ScheduleConfig = Pick<Config, 'lr' | 'lr_schedule' | 'rounds' | 'steps'> & Partial<Pick<Config, 'warmup_steps'>>;

/**
 * Learning rate of update `step` (1-based) of a run of rounds × steps updates: lr · step / W
 * for the first W = warmup_steps updates, then the schedule as if the run began after them.
 */
export function learningRate(config: ScheduleConfig, step: number): number {
  const warmup = config.warmup_steps ?? 0;
  if (step <= warmup) return (config.lr * step) / warmup;
  if (config.lr_schedule === 'constant') return config.lr;
  const total = Math.max(1, config.rounds * config.steps - warmup);
  const progress = Math.min(1, Math.max(0, (step - warmup - 1) / total));
  const floor = config.lr * COSINE_FLOOR;
  return floor + (config.lr - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
