// The held-out rule of docs/contract.md §1b: a line is held out when the FNV-1a 32-bit hash of its
// UTF-8 text (the whole line, without its newline) is divisible by 20.

import { fnv1a32 } from '../hash.ts';

export const HOLD_OUT_EVERY = 20;

export function isHeldOut(line: string): boolean {
  return fnv1a32(line) % HOLD_OUT_EVERY === 0;
}
