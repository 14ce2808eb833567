// Whether a vocabulary fits the device (docs/contract.md §1b): the buffers that grow with V must stay
// within one storage binding. WebGPU guarantees 128 MiB per binding and 256 MiB per buffer;
// the project requests no more, so these defaults are the limits everywhere.
import type { Config } from '../config/config.ts';
import { bufferNeeds } from '../specs/index.ts';

export const DEFAULT_LIMITS = { maxStorageBufferBindingSize: 134217728, maxBufferSize: 268435456 } as const;

type Limits = { maxStorageBufferBindingSize: number; maxBufferSize: number };

const MIB = 1 << 20;

/** The buffers that grow with V, in bytes, with what they are and what else would shrink them. */
function vocabBuffers(c: Config): [string, number, string][] {
  return bufferNeeds(c)
    .filter((n) => n.keys.includes('vocab_size'))
    .map((n) => {
      const others = n.keys.filter((k) => k !== 'vocab_size');
      return [n.what, 4 * n.floats, others.length > 0 ? `lower ${others.slice(0, -1).map((k) => `${k}, `).join('')}${others.length > 1 ? 'or ' : ''}${others[others.length - 1]}` : 'use a smaller vocabulary'];
    });
}

/** One sentence when the vocabulary of `source` is too large for `limits`, else null. */
export function vocabLimitProblem(
  c: Config,
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
