// Token-id pairs packed flat, for memory and for one compact transfer to the page:
// pair i is source = tokens[offsets[2i] .. offsets[2i+1]), target = tokens[offsets[2i+1] .. offsets[2i+2]).

export interface PackedPairs {
  offsets: Int32Array; // (2n + 1)
  tokens: Int32Array; // (total tokens)
}

export function pairCount(p: PackedPairs): number {
  return (p.offsets.length - 1) / 2;
}

export function sourceOf(p: PackedPairs, i: number): Int32Array {
  return p.tokens.subarray(p.offsets[2 * i], p.offsets[2 * i + 1]);
}

export function targetOf(p: PackedPairs, i: number): Int32Array {
  return p.tokens.subarray(p.offsets[2 * i + 1], p.offsets[2 * i + 2]);
}

/** An Int32Array that grows by doubling (no per-pair arrays while a big file is read). */
export class IntList {
  private data = new Int32Array(1024);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }

  /** The values, trimmed to length (a copy, so the growth slack is freed). */
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/** Builds PackedPairs one pair at a time. */
export class PairPacker {
  private readonly offsets = new IntList();
  private readonly tokens = new IntList();

  constructor() {
    this.offsets.push(0);
  }

  get count(): number {
    return (this.offsets.length - 1) / 2;
  }

  add(source: readonly number[], target: readonly number[]): void {
    for (const t of source) this.tokens.push(t);
    this.offsets.push(this.tokens.length);
    for (const t of target) this.tokens.push(t);
    this.offsets.push(this.tokens.length);
  }

  finish(): PackedPairs {
    return { offsets: this.offsets.toArray(), tokens: this.tokens.toArray() };
  }
}

/** Several PackedPairs as one Int32Array: [sets, then per set: offsets.length, tokens.length, offsets…, tokens…]. */
export function encodePackedSets(sets: readonly PackedPairs[]): Int32Array {
  const size = 1 + sets.reduce((a, s) => a + 2 + s.offsets.length + s.tokens.length, 0);
  const out = new Int32Array(size);
  out[0] = sets.length;
  let at = 1;
  for (const s of sets) {
    out[at++] = s.offsets.length;
    out[at++] = s.tokens.length;
    out.set(s.offsets, at);
    at += s.offsets.length;
    out.set(s.tokens, at);
    at += s.tokens.length;
  }
  return out;
}

/** The inverse of encodePackedSets (views into `flat`, no copies). */
export function decodePackedSets(flat: Int32Array): PackedPairs[] {
  const fail = () => {
    throw new RangeError('Packed pairs are truncated or malformed.');
  };
  if (flat.length < 1) fail();
  const sets: PackedPairs[] = [];
  let at = 1;
  for (let k = 0; k < flat[0]; k++) {
    if (at + 2 > flat.length) fail();
    const no = flat[at++];
    const nt = flat[at++];
    if (no < 1 || no % 2 !== 1 || nt < 0 || at + no + nt > flat.length) fail();
    const offsets = flat.subarray(at, at + no);
    const tokens = flat.subarray(at + no, at + no + nt);
    if (offsets[0] !== 0 || offsets[no - 1] !== nt) fail();
    sets.push({ offsets, tokens });
    at += no + nt;
  }
  if (at !== flat.length) fail();
  return sets;
}
