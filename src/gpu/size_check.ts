// Sizes checked against the adapter's limits before a model is built: the largest GPU
// buffers a config needs, each as a formula of its settings, so a config too large for
// the device is one sentence naming the settings and the limit, never raw WebGPU text or
// a page that crashes minutes later. Pure: the page runs it with the device's limits.
import { DEFAULT_CONFIG, decodeLength, type Config } from '../config/config.ts';

export interface SizeLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

type Key = keyof Config;

export interface BufferNeed {
  /** What the buffer holds, e.g. "the logits". */
  what: string;
  /** Its size in floats, as the user reads it. */
  formula: string;
  /** The settings the size grows with. */
  keys: Key[];
  floats: number;
}

/** The largest buffers of a model built from `c` (every model: the shared ones; lstm/attn and blog their own). */
export function bufferNeeds(c: Config): BufferNeed[] {
  const V = c.vocab_size;
  const E = c.embedding_size;
  const H = c.hidden_size;
  const B = c.batch_size;
  const S = c.max_length;
  const T = S + 1;
  const D = decodeLength(c);
  const Tm = Math.max(T, D);
  const needs: BufferNeed[] = [
    { what: 'the logits', formula: 'batch_size × (max_length + 1) × vocab_size', keys: ['batch_size', 'max_length', 'vocab_size'], floats: T * B * V },
    { what: 'the decoded tokens', formula: 'batch_size × decode_length', keys: ['batch_size', 'decode_length'], floats: D * B },
  ];
  if (c.model === 'blog') {
    needs.push(
      { what: 'the MLP activations', formula: 'batch_size × (max_length + decode_length) × 2·hidden_size', keys: ['batch_size', 'max_length', 'decode_length', 'hidden_size'], floats: (S + Tm) * B * 2 * H },
      { what: 'the parameters', formula: 'vocab_size × (embedding_size + hidden_size)', keys: ['vocab_size', 'embedding_size', 'hidden_size'], floats: V * (E + H) },
    );
    return needs;
  }
  const perLayer = (k: number) => 4 * H * (k === 0 ? E : H) + 4 * H * H + 8 * H;
  const lstmParams = 2 * V * E + 2 * Array.from({ length: c.layers }, (_, k) => perLayer(k)).reduce((a, b) => a + b, 0) + V * H + V;
  needs.push(
    { what: 'the LSTM gate activations', formula: 'batch_size × (max_length + decode_length) × 4·hidden_size', keys: ['batch_size', 'max_length', 'decode_length', 'hidden_size'], floats: (S + Tm) * B * 4 * H },
    { what: 'the LSTM states', formula: 'layers × batch_size × (max_length + decode_length) × hidden_size', keys: ['layers', 'batch_size', 'max_length', 'decode_length', 'hidden_size'], floats: c.layers * (1 + S + Tm) * B * H },
    { what: 'the input projection tables', formula: '2 × vocab_size × 4·hidden_size', keys: ['vocab_size', 'hidden_size'], floats: 2 * V * 4 * H },
    { what: 'the parameters', formula: 'about vocab_size × (2·embedding_size + hidden_size) + 8·layers·hidden_size²', keys: ['vocab_size', 'embedding_size', 'hidden_size', 'layers'], floats: lstmParams },
  );
  return needs;
}

/** "128 MB", "8.4 GB" */
function bytesText(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} bytes` : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** The settings to blame: those set above their default, the furthest first (all of them when none is). */
function culprits(c: Config, keys: Key[]): Key[] {
  const ratio = (k: Key) => {
    const value = k === 'decode_length' ? decodeLength(c) : (c[k] as number);
    const base = k === 'decode_length' ? decodeLength({ ...DEFAULT_CONFIG, max_length: c.max_length }) : (DEFAULT_CONFIG[k] as number);
    return value / Math.max(1, base);
  };
  const raised = keys.filter((k) => ratio(k) > 1).sort((a, b) => ratio(b) - ratio(a));
  return raised.length > 0 ? raised : keys;
}

/** One sentence when some buffer of `c` exceeds the device's limits, else null. */
export function sizeProblem(c: Config, limits: SizeLimits): string | null {
  const [limitName, limit] =
    limits.maxStorageBufferBindingSize <= limits.maxBufferSize
      ? ['maxStorageBufferBindingSize', limits.maxStorageBufferBindingSize]
      : ['maxBufferSize', limits.maxBufferSize];
  const over = bufferNeeds(c)
    .filter((n) => n.floats * 4 > limit)
    .sort((a, b) => b.floats - a.floats)[0];
  if (!over) return null;
  const keys = culprits(c, over.keys);
  const named = keys.map((k) => `${k}=${k === 'decode_length' ? decodeLength(c) : String(c[k])}`);
  const list = (xs: string[], joiner: string) => (xs.length === 1 ? xs[0] : `${xs.slice(0, -1).join(', ')} ${joiner} ${xs[xs.length - 1]}`);
  return (
    `${list(named, 'and')} ${keys.length === 1 ? 'is' : 'are'} too large for this GPU: ${over.what} need ${over.formula} floats = ` +
    `${bytesText(over.floats * 4)}, more than its ${limitName} of ${bytesText(limit)}; lower ${list(keys, 'or')}.`
  );
}
