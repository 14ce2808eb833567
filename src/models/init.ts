// Seeded parameter initialisation shared by both models. Pure 32-bit integer arithmetic
// (FNV-1a for names, mulberry32 for streams) so Node and the browser produce the same
// bits. Each tensor draws from its own stream keyed by (seed, name): adding or reordering
// tensors never changes the others.
import type { ArenaLayout } from '../gpu/buffers.ts';

/** FNV-1a hash of a string's UTF-16 code units, as an unsigned 32-bit integer. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** mulberry32: a small 32-bit generator; uniform() has 32 bits of resolution. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal by Box-Muller (one value per call; the sine partner is dropped). */
  normal(): number {
    const u1 = (this.nextU32() + 1) / 4294967297; // (0, 1): log is finite
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

/** The stream of tensor `name` under `seed`. */
export function tensorRng(seed: number, name: string): Rng {
  return new Rng((hashString(name) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0);
}

export type TensorInit = { kind: 'uniform'; bound: number } | { kind: 'normal'; std: number } | { kind: 'zeros' };

/** `length` values of one tensor from its own stream. */
export function initTensor(seed: number, name: string, length: number, init: TensorInit): Float32Array {
  const out = new Float32Array(length);
  if (init.kind === 'zeros') return out;
  const rng = tensorRng(seed, name);
  for (let i = 0; i < length; i++) {
    out[i] = init.kind === 'uniform' ? rng.uniform(-init.bound, init.bound) : init.std * rng.normal();
  }
  return out;
}

/** A whole arena (layout.size floats, padding zero), each tensor initialised by `rule(name, shape)`. */
export function initArena(layout: ArenaLayout, seed: number, rule: (name: string, shape: number[]) => TensorInit): Float32Array {
  const out = new Float32Array(layout.size);
  for (const e of layout.entries) out.set(initTensor(seed, e.name, e.length, rule(e.name, e.shape)), e.offset);
  return out;
}

/** Sutskever et al.: every parameter U(-scale, scale) (docs/contract.md §3, init_scale, default 0.08). */
export function uniformInit(layout: ArenaLayout, seed: number, scale: number): Float32Array {
  return initArena(layout, seed, () => ({ kind: 'uniform', bound: scale }));
}

/**
 * PyTorch's defaults: nn.Linear weight [out, in] and bias U(-1/sqrt(in), 1/sqrt(in));
 * nn.Embedding weight N(0, 1). A `*.bias` takes `in` from its sibling `*.weight`;
 * a tensor whose name ends in `embedding.weight` is an embedding.
 */
export function pytorchDefaultRule(layout: ArenaLayout): (name: string, shape: number[]) => TensorInit {
  return (name, shape) => {
    if (/embedding\.weight$/.test(name)) return { kind: 'normal', std: 1 };
    let fanIn: number;
    if (name.endsWith('.weight') && shape.length === 2) fanIn = shape[1];
    else if (name.endsWith('.bias')) fanIn = layout.get(`${name.slice(0, -'.bias'.length)}.weight`).shape[1];
    else throw new Error(`pytorchDefaultRule: no default initialisation for ${name} of shape [${shape.join(', ')}].`);
    return { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) };
  };
}

export function pytorchDefaultInit(layout: ArenaLayout, seed: number): Float32Array {
  return initArena(layout, seed, pytorchDefaultRule(layout));
}
