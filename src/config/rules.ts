// What each config key accepts (docs/contract.md §4a), as data: one rule per key, one sentence per
// broken rule.
import { DEFAULT_CONFIG, type Config } from './config.ts';
import { quote, QUOTE_MAX } from '../quote.ts';
import { TASK_NAMES } from '../task/tasks.ts';
import { MODEL_NAMES } from '../specs/index.ts';

export type ConfigKey = keyof Config;

/** Largest vocabulary: token ids stay exact in float32 and small enough for embeddings. */
export const MAX_VOCAB = 1 << 24;

type Rule =
  | { kind: 'int'; min: number; max: number; text: string }
  | { kind: 'number'; ok: (v: number) => boolean; text: string }
  | { kind: 'bool' }
  | { kind: 'choice'; values: readonly string[] }
  | { kind: 'path' };

const int = (min: number, max = Number.MAX_SAFE_INTEGER, text = `an integer >= ${min}`): Rule => ({ kind: 'int', min, max, text });
const positive = int(1, Number.MAX_SAFE_INTEGER, 'a positive integer');
const choice = (...values: string[]): Rule => ({ kind: 'choice', values });

export const RULES: Record<ConfigKey, Rule> = {
  task: choice(...TASK_NAMES, 'file'),
  vocab_size: int(4, MAX_VOCAB, `an integer from 4 to ${MAX_VOCAB}`),
  max_length: positive,
  min_length: positive,
  data: { kind: 'path' },
  eval_data: { kind: 'path' },
  tokenize: choice('words', 'chars'),
  model: choice(...MODEL_NAMES),
  embedding_size: positive,
  hidden_size: positive,
  layers: positive,
  reverse_source: { kind: 'bool' },
  heads: positive,
  ff_size: positive,
  dropout: { kind: 'number', ok: (v) => v >= 0 && v < 1, text: 'a number from 0 up to but not including 1' },
  recurrence: choice('auto', 'sequence', 'steps'),
  batch_size: positive,
  optimizer: choice('adam', 'sgd'),
  lr: { kind: 'number', ok: (v) => v > 0, text: 'a number > 0' },
  lr_schedule: choice('constant', 'cosine'),
  clip_norm: { kind: 'number', ok: (v) => v >= 0, text: 'a number >= 0 (0 turns clipping off)' },
  label_smoothing: { kind: 'number', ok: (v) => v >= 0 && v <= 1, text: 'a number from 0 to 1' },
  warmup_steps: int(0, Number.MAX_SAFE_INTEGER, 'an integer >= 0 (0 turns warm-up off)'),
  init: choice('pytorch', 'uniform'),
  init_scale: { kind: 'number', ok: (v) => v > 0, text: 'a number > 0' },
  rounds: positive,
  steps: positive,
  stop_at: { kind: 'number', ok: (v) => v >= 0 && v <= 1, text: 'a number from 0 to 1 (a GeoMean; 0 turns it off)' },
  evaluate_round: positive,
  eval_samples: positive,
  beam: positive,
  decode_length: int(0, Number.MAX_SAFE_INTEGER, 'an integer >= 0 (0 means max_length + 1)'),
  seed: int(0, Number.MAX_SAFE_INTEGER, 'a non-negative safe integer'),
};

export const CONFIG_KEYS = Object.keys(DEFAULT_CONFIG) as ConfigKey[];

export function isConfigKey(key: string): key is ConfigKey {
  return Object.prototype.hasOwnProperty.call(RULES, key);
}

/** The sentence for a broken rule, or null when `value` suits `key`. */
export function checkValue(key: ConfigKey, value: unknown): string | null {
  const rule = RULES[key];
  const got = `got ${typeof value === 'number' ? String(value) : typeof value === 'string' ? quote(value) : cut(JSON.stringify(value) ?? String(value))}`;
  switch (rule.kind) {
    case 'bool':
      return typeof value === 'boolean' ? null : `${key} must be true or false, ${got}.`;
    case 'choice':
      return typeof value === 'string' && rule.values.includes(value)
        ? null
        : `${key} must be one of ${rule.values.map((v) => `"${v}"`).join(', ')}, ${got}.`;
    case 'path':
      return typeof value === 'string' ? null : `${key} must be a file path, ${got}.`;
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && value >= rule.min && value <= rule.max
        ? null
        : `${key} must be ${rule.text}, ${got}.`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) && rule.ok(value) ? null : `${key} must be ${rule.text}, ${got}.`;
  }
}

/** JSON text of a wrong value (objects, arrays), cut short: no control characters survive JSON.stringify. */
function cut(text: string): string {
  return text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}… (${text.length} characters)` : text;
}

/** "Unknown config key ..." with the closest known key when one is near. */
export function unknownKeyMessage(key: string): string {
  const near = closestKey(key);
  const hint = near ? ` (did you mean "${near}"?)` : `; the keys are ${CONFIG_KEYS.join(', ')}`;
  return `Unknown config key ${quote(key)}${hint}.`;
}

function closestKey(key: string): ConfigKey | null {
  let best: ConfigKey | null = null;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const k of CONFIG_KEYS) {
    const d = editDistance(key.toLowerCase().replace(/-/g, '_'), k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
