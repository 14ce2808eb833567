// The decode limit: its own leaf module, so the model specs (which config.ts reads for the
// models' defaults) can use it without an import cycle.
import type { Config } from './config.ts';

/** The decode limit in steps (docs/contract.md §2: `max_length + 1` unless configured). */
export function decodeLength(c: Pick<Config, 'decode_length' | 'max_length'>): number {
  return c.decode_length > 0 ? c.decode_length : c.max_length + 1;
}
