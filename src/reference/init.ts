// Seeded parameter initialisation shared by every model (the float64 references draw the same
// values as the GPU arenas). Pure 32-bit integer arithmetic
// (FNV-1a for names, mulberry32 for streams) so Node and the browser produce the same
// bits. Each tensor draws from its own stream keyed by (seed, name): adding or reordering
// tensors never changes the others.
import { fnv1a32 } from '../hash.ts';
import { isModelName, modelSpec } from '../specs/index.ts';

/** Where each tensor sits in a flat arena (src/gpu/buffers.ts ArenaLayout has this shape). */
export interface ArenaSlots {
  size: number;
  entries: readonly { name: string; shape: readonly number[]; offset: number; length: number }[];
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
  return new Rng((fnv1a32(name) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0);
}

export type TensorInit = { kind: 'uniform'; bound: number } | { kind: 'normal'; std: number } | { kind: 'zeros' } | { kind: 'ones' };

/** `length` values of one tensor from its own stream. */
export function initTensor(seed: number, name: string, length: number, init: TensorInit): Float32Array {
  const out = new Float32Array(length);
  if (init.kind === 'zeros') return out;
  if (init.kind === 'ones') return out.fill(1);
  const rng = tensorRng(seed, name);
  for (let i = 0; i < length; i++) {
    out[i] = init.kind === 'uniform' ? rng.uniform(-init.bound, init.bound) : init.std * rng.normal();
  }
  return out;
}

/** The settings that decide initial values. */
export interface InitSettings {
  init: 'pytorch' | 'uniform';
  init_scale: number;
  seed: number;
  /** The model's name: its spec may set the embeddings' spread (`embeddingStd`). */
  model?: string;
}

/** An LSTM tensor (PyTorch nn.LSTM names): `weight_ih_l0`, `bias_hh_l2`, ... */
const LSTM_TENSOR = /\.(weight|bias)_(ih|hh)_l\d+$/;

/**
 * How one named tensor starts (contract §3, Initialisation), for every model:
 * `uniform`: U(-init_scale, init_scale) everywhere (the paper).
 * `pytorch`: PyTorch's defaults. nn.Embedding N(0, 1); nn.LSTM weights and biases
 * U(-1/sqrt(H), 1/sqrt(H)) with H = rows / 4; nn.Linear weight [out, in] and bias
 * U(-1/sqrt(in), 1/sqrt(in)), a bias taking `in` from its sibling weight (`weightOf`).
 */
export function initRule(s: Pick<InitSettings, 'init' | 'init_scale' | 'model'>, name: string, shape: readonly number[], weightOf: (name: string) => readonly number[]): TensorInit {
  if (s.init === 'uniform') return { kind: 'uniform', bound: s.init_scale };
  if (/embedding\.weight$/.test(name)) return { kind: 'normal', std: (isModelName(s.model) ? modelSpec(s.model).embeddingStd?.(shape[1]) : undefined) ?? 1 };
  if (name.startsWith('transformer.')) {
    const own = transformerRule(name, shape);
    if (own) return own;
  }
  if (LSTM_TENSOR.test(name)) return { kind: 'uniform', bound: 1 / Math.sqrt(shape[0] / 4) };
  let fanIn: number;
  if (name.endsWith('.weight') && shape.length === 2) fanIn = shape[1];
  else if (name.endsWith('.bias')) fanIn = weightOf(`${name.slice(0, -'.bias'.length)}.weight`)[1];
  else throw new Error(`initRule: no PyTorch default for ${name} of shape [${shape.join(', ')}].`);
  return { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) };
}

/**
 * nn.Transformer's own reset: Xavier-uniform for every matrix, attention biases 0, LayerNorm
 * weight 1 and bias 0; null for the feed-forward biases (nn.Linear's U(±1/√in), the general rule).
 */
function transformerRule(name: string, shape: readonly number[]): TensorInit | null {
  if (/\.norm\d*\.weight$/.test(name)) return { kind: 'ones' };
  if (/\.norm\d*\.bias$/.test(name) || /(in_proj_bias|out_proj\.bias)$/.test(name)) return { kind: 'zeros' };
  if (shape.length === 2) return { kind: 'uniform', bound: Math.sqrt(6 / (shape[0] + shape[1])) };
  return null;
}

/** Every tensor of `shapes` (name, shape) as initialised under `s`, each from its own stream. */
export function initTensors(shapes: ReadonlyArray<readonly [string, readonly number[]]>, s: InitSettings): Map<string, Float32Array> {
  const byName = new Map(shapes.map(([n, shape]) => [n, shape]));
  const weightOf = (n: string) => {
    const shape = byName.get(n);
    if (!shape) throw new Error(`initRule: ${n} is missing, so its bias has no fan-in.`);
    return shape;
  };
  const out = new Map<string, Float32Array>();
  for (const [name, shape] of shapes) {
    const length = shape.reduce((a, b) => a * b, 1);
    out.set(name, initTensor(s.seed, name, length, initRule(s, name, shape, weightOf)));
  }
  return out;
}

/** A whole arena (layout.size floats, padding zero) as initialised under `s`. */
export function initialArena(layout: ArenaSlots, s: InitSettings): Float32Array {
  const out = new Float32Array(layout.size);
  const tensors = initTensors(layout.entries.map((e) => [e.name, e.shape] as const), s);
  for (const e of layout.entries) out.set(tensors.get(e.name)!, e.offset);
  return out;
}
