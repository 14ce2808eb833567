import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, defaultsFor, validateConfig } from '../src/config/index.ts';

describe('per-model defaults', () => {
  it('lstm takes the plain defaults; blog the seed lr 1e-3, constant', () => {
    expect(defaultsFor('lstm')).toEqual(DEFAULT_CONFIG);
    expect(defaultsFor('blog')).toEqual({ ...DEFAULT_CONFIG, lr: 0.001, lr_schedule: 'constant' });
    expect(validateConfig({ ...defaultsFor('blog'), model: 'blog' }).lr).toBe(0.001);
  });

  it('transformer: one width d = 64 for embeddings and layers, 2 layers, lr 1e-3 after 100 warm-up steps, the source in order', () => {
    const c = validateConfig({ ...defaultsFor('transformer'), model: 'transformer' });
    expect([c.embedding_size, c.hidden_size, c.layers, c.heads, c.ff_size, c.lr, c.warmup_steps, c.reverse_source]).toEqual([64, 64, 2, 4, 128, 0.001, 100, false]);
    expect([c.dropout, c.label_smoothing]).toEqual([0, 0]);
  });

  it('an unknown model name falls back to the plain defaults (validation then names the mistake)', () => {
    expect(defaultsFor('gru')).toEqual(DEFAULT_CONFIG);
    expect(() => validateConfig({ ...defaultsFor('gru'), model: 'gru' })).toThrow(/model must be one of/);
  });
});
