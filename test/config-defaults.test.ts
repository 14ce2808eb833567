import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, defaultsFor, validateConfig } from '../src/config/index.ts';

describe('per-model defaults', () => {
  it('lstm takes the plain defaults; blog the seed lr 1e-3, constant', () => {
    expect(defaultsFor('lstm')).toEqual(DEFAULT_CONFIG);
    expect(defaultsFor('blog')).toEqual({ ...DEFAULT_CONFIG, lr: 0.001, lr_schedule: 'constant' });
    expect(validateConfig({ ...defaultsFor('blog'), model: 'blog' }).lr).toBe(0.001);
  });

  it('an unknown model name falls back to the plain defaults (validation then names the mistake)', () => {
    expect(defaultsFor('gru')).toEqual(DEFAULT_CONFIG);
    expect(() => validateConfig({ ...defaultsFor('gru'), model: 'gru' })).toThrow(/model must be one of/);
  });
});
