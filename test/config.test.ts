// Config validation (docs/contract.md §4a): one clear sentence per mistake, all mistakes reported.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.ts';
import { DEFAULT_CONFIG } from '../src/config/config.ts';
import { loadConfigFile } from '../src/config/config_file.ts';
import { parseKeyValues } from '../src/config/keyvalues.ts';
import { mergeConfig, validateConfig } from '../src/config/validate.ts';

/** The UserError message `fn` throws (fails the test if it throws anything else). */
function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('validateConfig', () => {
  it('fills the defaults', () => {
    expect(validateConfig({})).toEqual(DEFAULT_CONFIG);
    expect(validateConfig({ model: 'blog', hidden_size: 8 })).toMatchObject({ model: 'blog', hidden_size: 8, vocab_size: 100 });
    // Every model takes dropout and label smoothing (docs/contract.md §4a), the seed's blog model included.
    expect(validateConfig({ model: 'blog', dropout: 0.2, label_smoothing: 0.1 })).toMatchObject({ model: 'blog', dropout: 0.2, label_smoothing: 0.1 });
  });

  it('accepts the edges of each range', () => {
    const c = validateConfig({ vocab_size: 4, max_length: 1, min_length: 1, clip_norm: 0, decode_length: 0, seed: Number.MAX_SAFE_INTEGER });
    expect(c.vocab_size).toBe(4);
  });

  it('names an unknown key, with a suggestion when one is close', () => {
    expect(message(() => validateConfig({ vocab_sze: 5 }))).toBe('Unknown config key "vocab_sze" (did you mean "vocab_size"?).');
    expect(message(() => validateConfig({ zzzzzzzz: 1 }))).toMatch(/^Unknown config key "zzzzzzzz"; the keys are task, vocab_size, /);
  });

  it.each([
    [{ vocab_size: 3 }, 'vocab_size must be an integer from 4 to 16777216, got 3.'],
    [{ vocab_size: 10.5 }, 'vocab_size must be an integer from 4 to 16777216, got 10.5.'],
    [{ max_length: 0 }, 'max_length must be a positive integer, got 0.'],
    [{ min_length: '2' }, 'min_length must be a positive integer, got "2".'],
    [{ model: 'gru' }, 'model must be one of "lstm", "attn", "blog", "transformer", got "gru".'],
    [{ optimizer: 'rmsprop' }, 'optimizer must be one of "adam", "sgd", got "rmsprop".'],
    [{ recurrence: 'fused' }, 'recurrence must be one of "auto", "sequence", "steps", got "fused".'],
    [{ batch_size: -4 }, 'batch_size must be a positive integer, got -4.'],
    [{ lr: 0 }, 'lr must be a number > 0, got 0.'],
    [{ lr: Number.NaN }, 'lr must be a number > 0, got NaN.'],
    [{ clip_norm: -1 }, 'clip_norm must be a number >= 0 (0 turns clipping off), got -1.'],
    [{ dropout: 1 }, 'dropout must be a number from 0 up to but not including 1, got 1.'],
    [{ label_smoothing: 1.5 }, 'label_smoothing must be a number from 0 to 1, got 1.5.'],
    [{ warmup_steps: 2.5 }, 'warmup_steps must be an integer >= 0 (0 turns warm-up off), got 2.5.'],
    [{ init_scale: 0 }, 'init_scale must be a number > 0, got 0.'],
    [{ decode_length: -1 }, 'decode_length must be an integer >= 0 (0 means max_length + 1), got -1.'],
    [{ seed: 2 ** 53 }, 'seed must be a non-negative safe integer, got 9007199254740992.'],
    [{ reverse_source: 'yes' }, 'reverse_source must be true or false, got "yes".'],
    [{ beam: 0 }, 'beam must be a positive integer, got 0.'],
    [{ min_length: 5, max_length: 3 }, 'min_length (5) must not exceed max_length (3).'],
    [{ model: 'blog', hidden_size: 7 }, 'hidden_size must be even for model "blog" (its MLPs use hidden_size / 2), got 7.'],
    [{ model: 'transformer', embedding_size: 32 }, 'embedding_size (32) must equal hidden_size (64) for model "transformer" (both are d_model).'],
    [{ model: 'transformer', embedding_size: 64, heads: 3 }, 'heads (3) must divide hidden_size (64) for model "transformer".'],
  ])('rejects %j', (partial, expected) => {
    expect(message(() => validateConfig(partial))).toBe(expected);
  });

  it('reports every mistake at once, one sentence each', () => {
    const m = message(() => validateConfig({ vocab_size: 2, steps: 0, model: 'x' }));
    expect(m.split('. ').length).toBe(3);
    expect(m).toContain('vocab_size');
    expect(m).toContain('steps');
    expect(m).toContain('model');
    expect(m).not.toContain('\n');
  });

  it('merges layers, later ones winning', () => {
    expect(mergeConfig({ lr: 0.1, steps: 3 }, { lr: 0.2 })).toMatchObject({ lr: 0.2, steps: 3 });
  });
});

describe('parseKeyValues', () => {
  it('converts each value to its key type', () => {
    expect(parseKeyValues(['vocab_size=50', 'lr=1e-3', 'reverse_source=false', 'model=blog', 'clip_norm=.5'])).toEqual({
      vocab_size: 50,
      lr: 0.001,
      reverse_source: false,
      model: 'blog',
      clip_norm: 0.5,
    });
    expect(parseKeyValues([])).toEqual({});
  });

  it('leaves range checks to validateConfig', () => {
    const partial = parseKeyValues(['max_length=0']);
    expect(message(() => validateConfig(partial))).toBe('max_length must be a positive integer, got 0.');
  });

  it.each([
    [['vocab_size'], 'Expected a key=value setting, got "vocab_size".'],
    [['=3'], 'Expected a key=value setting, got "=3".'],
    [['vocab_size=abc'], 'vocab_size must be a number, got "abc".'],
    [['vocab_size='], 'vocab_size must be a number, got "".'],
    [['lr=0x10'], 'lr must be a number, got "0x10".'],
    [['reverse_source=1'], 'reverse_source must be true or false, got "1".'],
    [['lr=1', 'lr=2'], 'lr is set twice.'],
    [['max_lenght=3'], 'Unknown config key "max_lenght" (did you mean "max_length"?).'],
  ])('rejects %j', (items, expected) => {
    expect(message(() => parseKeyValues(items))).toBe(expected);
  });

  it('collects every malformed item', () => {
    expect(message(() => parseKeyValues(['a', 'lr=x']))).toBe('Expected a key=value setting, got "a". lr must be a number, got "x".');
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seq2seq-config-'));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads a full resolved config back', () => {
    const path = write('full.json', JSON.stringify(DEFAULT_CONFIG));
    expect(mergeConfig(loadConfigFile(path))).toEqual(DEFAULT_CONFIG);
  });

  it('names the file for each problem', () => {
    expect(message(() => loadConfigFile(join(dir, 'missing.json')))).toBe(`Cannot read config file "${join(dir, 'missing.json')}": no such file.`);
    expect(message(() => loadConfigFile(dir))).toBe(`Cannot read config file "${dir}": it is a directory.`);
    expect(message(() => loadConfigFile(write('bad.json', '{"lr": ')))).toMatch(/^Config file ".*bad\.json" is not valid JSON \(/);
    expect(message(() => loadConfigFile(write('list.json', '[1]')))).toMatch(/must hold one JSON object of settings\.$/);
    const wrong = write('wrong.json', '{"lr": "fast", "colour": 1}');
    expect(message(() => loadConfigFile(wrong))).toBe(
      `In ${wrong}: lr must be a number > 0, got "fast". In ${wrong}: Unknown config key "colour"; the keys are ${Object.keys(DEFAULT_CONFIG).join(', ')}.`,
    );
  });
});
