// The learning rate of each update. A cosine anneal to lr/20 over the whole run lets a
// high early rate learn fast and a low late one settle; the rate is a pure function of
// the step, so a resumed run applies exactly the same rates.
import type { Config } from '../config/config.ts';

export const COSINE_FLOOR = 1 / 20;

/** Learning rate of update `step` (1-based) of a run of rounds × steps updates. */
export function learningRate(config: Pick<Config, 'lr' | 'lr_schedule' | 'rounds' | 'steps'>, step: number): number {
  if (config.lr_schedule === 'constant') return config.lr;
  const total = Math.max(1, config.rounds * config.steps);
  const progress = Math.min(1, Math.max(0, (step - 1) / total));
  const floor = config.lr * COSINE_FLOOR;
  return floor + (config.lr - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
