import { describe, expect, it } from 'vitest';
import { COSINE_FLOOR, learningRate } from '../src/train/schedule.ts';

const run = { lr: 0.01, rounds: 3, steps: 100 };

describe('learning-rate schedule', () => {
  it('constant keeps lr at every step', () => {
    for (const step of [1, 50, 300, 301]) expect(learningRate({ ...run, lr_schedule: 'constant' }, step)).toBe(0.01);
  });

  it('cosine starts at lr, halves midway, ends near lr/20 and never rises', () => {
    const c = { ...run, lr_schedule: 'cosine' as const };
    expect(learningRate(c, 1)).toBeCloseTo(0.01, 12);
    const floor = 0.01 * COSINE_FLOOR;
    expect(learningRate(c, 151)).toBeCloseTo(floor + (0.01 - floor) / 2, 12);
    expect(learningRate(c, 300)).toBeLessThan(floor * 1.01);
    expect(learningRate(c, 1000)).toBeCloseTo(floor, 12); // past the end: stays at the floor
    for (let s = 2; s <= 300; s++) expect(learningRate(c, s)).toBeLessThanOrEqual(learningRate(c, s - 1));
  });
});
