// The held-out rule of docs/contract.md §1b: a line is held out when the FNV-1a 32-bit hash of its
// UTF-8 text (the whole line, without its newline) is divisible by 20.

import { fnv1a32 } from '../hash.ts';

export const HOLD_OUT_EVERY = 20;

export function isHeldOut(line: string): boolean {
  return fnv1a32(line) % HOLD_OUT_EVERY === 0;
}

/**
 * The fallback when the rule above holds out none of a file's n ≥ 2 pairs (few lines, or very
 * regular ones): the ⌈n/20⌉ pairs whose hashes are smallest (as unsigned numbers; equal hashes
 * in line order) are held out instead, so about 1 pair in 20 still is, and at least one.
 * `hashes` (n): each training pair's FNV-1a hash; returns the mask of the pairs to hold out.
 */
export function fallbackHeldOut(hashes: ArrayLike<number>): Uint8Array {
  const n = hashes.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (hashes[a] >>> 0) - (hashes[b] >>> 0) || a - b);
  const mask = new Uint8Array(n);
  for (const i of order.slice(0, Math.ceil(n / HOLD_OUT_EVERY))) mask[i] = 1;
  return mask;
}
