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

describe('learning-rate warm-up', () => {
  it('rises linearly to lr over warmup_steps, then constant stays at lr', () => {
    const c = { ...run, lr_schedule: 'constant' as const, warmup_steps: 4 };
    expect([1, 2, 3, 4, 5, 300].map((s) => learningRate(c, s))).toEqual([0.0025, 0.005, 0.0075, 0.01, 0.01, 0.01]);
  });

  it('then cosine starts at lr and anneals over the updates left after the warm-up', () => {
    const c = { ...run, lr_schedule: 'cosine' as const, warmup_steps: 100 };
    expect(learningRate(c, 50)).toBeCloseTo(0.005, 15);
    expect(learningRate(c, 101)).toBeCloseTo(0.01, 12);
    const floor = 0.01 * COSINE_FLOOR;
    expect(learningRate(c, 201)).toBeCloseTo(floor + (0.01 - floor) / 2, 12); // halfway through 200 updates
    expect(learningRate(c, 300)).toBeLessThan(floor * 1.01);
  });

  it('warmup_steps 0 gives exactly the rates of a run without warm-up', () => {
    for (const lr_schedule of ['constant', 'cosine'] as const) {
      for (const s of [1, 2, 77, 300, 400]) expect(learningRate({ ...run, lr_schedule, warmup_steps: 0 }, s)).toBe(learningRate({ ...run, lr_schedule }, s));
    }
  });

  it('a warm-up longer than the run only rises', () => {
    const c = { ...run, lr_schedule: 'cosine' as const, warmup_steps: 1000 };
    for (let s = 2; s <= 300; s++) expect(learningRate(c, s)).toBeGreaterThan(learningRate(c, s - 1));
  });
});
