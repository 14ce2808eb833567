// Whether a vocabulary fits the device (docs/contract.md §1b): the buffers that grow with V must stay
// within one storage binding. WebGPU guarantees 128 MiB per binding and 256 MiB per buffer;
// the project requests no more, so these defaults are the limits everywhere.
import type { Config } from '../config/config.ts';

export const DEFAULT_LIMITS = { maxStorageBufferBindingSize: 134217728, maxBufferSize: 268435456 } as const;

type Limits = { maxStorageBufferBindingSize: number; maxBufferSize: number };

const MIB = 1 << 20;

/** The biggest buffers that scale with V, in bytes, with what they are. */
function vocabBuffers(c: Pick<Config, 'vocab_size' | 'max_length' | 'batch_size' | 'hidden_size' | 'embedding_size' | 'model'>): [string, number, string][] {
  const V = c.vocab_size;
  const T = c.max_length + 1;
  const H = c.hidden_size;
  const out: [string, number, string][] = [
    ['the (T, B, V) logits', 4 * T * c.batch_size * V, 'lower batch_size or max_length'],
    ['the parameters', 4 * V * (2 * c.embedding_size + H + 1), 'lower embedding_size or hidden_size'],
  ];
  if (c.model !== 'blog') out.push(['the (2, V, 4H) input projection tables', 4 * 2 * V * 4 * H, 'lower hidden_size']);
  return out;
}

/** One sentence when the vocabulary of `source` is too large for `limits`, else null. */
export function vocabLimitProblem(
  c: Pick<Config, 'vocab_size' | 'max_length' | 'batch_size' | 'hidden_size' | 'embedding_size' | 'model'>,
  source: string,
  limits: Limits = DEFAULT_LIMITS,
): string | null {
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const [what, bytes, hint] = vocabBuffers(c).sort((a, b) => b[1] - a[1])[0];
  if (bytes <= limit) return null;
  return (
    `The vocabulary of ${source} (${c.vocab_size} tokens) is too large for the device's limits: ${what} would take ` +
    `${(bytes / MIB).toFixed(0)} MiB, over the ${(limit / MIB).toFixed(0)} MiB one buffer may hold; ${hint}, or use tokenize=chars.`
  );
}
