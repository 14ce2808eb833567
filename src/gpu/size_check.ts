// Sizes checked against the adapter's limits before a model is built: the largest GPU
// buffers a config needs, each as a formula of its settings, so a config too large for
// the device is one sentence naming the settings and the limit, never raw WebGPU text or
// a page that crashes minutes later. Pure: the page runs it with the device's limits.
import { DEFAULT_CONFIG, decodeLength, type Config } from '../config/config.ts';
import { bufferNeeds } from '../specs/index.ts';

export interface SizeLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

type Key = keyof Config;

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
