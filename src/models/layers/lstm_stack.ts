// The buffers of an LSTM encoder-decoder stack (docs/contract.md §3 `lstm`, shared by `attn`) for one
// batch shape, and named views into them. The recorders in lstm_layer.ts read and write these.
//
// Letters: B batch, S source length (max_length), T target length (S + 1), D decode steps,
// E embedding, H hidden, V vocabulary, L layers, G = 4H gate width, Tm = max(T, D).
//
// Per layer k one state buffer holds the encoder and the decoder back to back, so the
// decoder's initial state is the encoder's final one with no copy, and every matmul over
// time reads contiguous rows:
//   Hs_k, Cs_k (1 + S + Tm, B, H): row 0 = zeros, rows 1..S encoder, rows S+1.. decoder;
//              the L layers back to back in one buffer each: (L, 1 + S + Tm, B, H)
//   G_k, dG_k  (S + Tm, B, G):     rows 0..S-1 encoder steps, rows S.. decoder steps
// (Tm rows, so greedy decoding writes the same rows.)
import type { Config } from '../../config/config.ts';
import { decodeLength } from '../../config/config.ts';
import { slice, view, type ArenaLayout, type View } from '../../gpu/buffers.ts';
import type { Gpu } from '../../gpu/context.ts';
import { embeddingBackwardScratch } from '../../ops/embedding.ts';
import { sequenceMaxHidden } from '../../ops/lstm_sequence.ts';
import { createStackDropout, type StackDropout } from './stack_dropout.ts';

/** How each layer's time loop is recorded (lstm_layer.ts): per step ('matmul', 'fused') or in one kernel ('sequence'). */
export type Recurrence = 'matmul' | 'fused' | 'sequence';
export type Module = 'encoder' | 'decoder';

export interface StackDims {
  V: number;
  E: number;
  H: number;
  L: number;
  B: number;
  S: number;
  T: number;
  D: number;
  Tm: number;
  G: number;
}

/** Parameters and gradients: one arena each, same layout (docs/contract.md §3 names). */
export interface Arena {
  layout: ArenaLayout;
  params: GPUBuffer;
  grads: GPUBuffer;
}

/** Creates a buffer of n elements the model owns (and destroys). */
export type Allocate = (label: string, n: number) => GPUBuffer;

export interface LstmStack {
  gpu: Gpu;
  config: Config;
  dims: StackDims;
  recurrence: Recurrence;
  arena: Arena;
  /** Tokens: src (S, B), lengths (B), tgt (T, B), decIn (T, B), eos (B) i32. */
  src: View;
  lengths: View;
  /** (1) i32 each, in the lengths buffer: the batch's longest source and target (the steps the sequence kernels run). */
  liveSrc: View;
  liveTgt: View;
  tgt: View;
  decIn: View;
  eos: View;
  /** (S, B) i32: the ids the encoder reads (src, or srcReversed when reverse_source). */
  srcRev: View;
  encIds: View;
  /** (2, V, G) layer-0 input projection tables (encoder, decoder) and their gradients. */
  Ptab: View;
  dPtab: View;
  Hs: View[];
  Cs: View[];
  Gs: View[];
  dGs: View[];
  /** dIn_k (S+T, B, H): gradient of layer k's input (k >= 1), from the layer above. */
  dIns: (View | null)[];
  /** (L, 2, B, H): dh, dc per layer, carried backward over time. */
  dS: View;
  /** (T, B, H): gradient reaching the decoder's top outputs from the layers above it. */
  dHtop: View;
  /** The layer-0 embedding backwards' buckets of the encoder's and the decoder's ids (src/ops/host_tokens.ts), uploaded by setBatch. */
  embScratch: View[];
  /** Dropout's buffers and key when config.dropout > 0 (stack_dropout.ts). */
  drop?: StackDropout;
}

export function createLstmStack(gpu: Gpu, config: Config, arena: Arena, recurrence: Recurrence, buf: Allocate): LstmStack {
  const [V, E, H, L, B, S] = [config.vocab_size, config.embedding_size, config.hidden_size, config.layers, config.batch_size, config.max_length];
  const T = S + 1;
  const D = decodeLength(config);
  const Tm = Math.max(T, D);
  const G = 4 * H;
  const src = view(buf('src', S * B));
  const lengths = buf('srcLengths', B + 2); // (B) lengths, then the longest source and target
  const srcRev = view(buf('srcReversed', S * B));
  const eos = view(buf('eos', B));
  gpu.upload(eos, new Int32Array(B).fill(V - 1));
  const layers = (label: string, n: number) => Array.from({ length: L }, (_, k) => view(buf(`${label}${k}`, n)));
  // Every layer's states in one buffer, so greedy decoding's single kernel binds them once.
  const stacked = (label: string, n: number) => {
    const all = view(buf(label, L * n));
    return Array.from({ length: L }, (_, k) => slice(all, k * n, n));
  };
  return {
    gpu,
    config,
    dims: { V, E, H, L, B, S, T, D, Tm, G },
    recurrence,
    arena,
    src,
    lengths: view(lengths, 0, B),
    liveSrc: view(lengths, B, 1),
    liveTgt: view(lengths, B + 1, 1),
    tgt: view(buf('tgt', T * B)),
    decIn: view(buf('decIn', T * B)),
    eos,
    srcRev,
    encIds: config.reverse_source ? srcRev : src,
    Ptab: view(buf('P', 2 * V * G)),
    dPtab: view(buf('dP', 2 * V * G)),
    Hs: stacked('H', (1 + S + Tm) * B * H),
    Cs: stacked('C', (1 + S + Tm) * B * H),
    Gs: layers('G', (S + Tm) * B * G),
    dGs: layers('dG', (S + T) * B * G),
    dIns: Array.from({ length: L }, (_, k) => (k === 0 ? null : view(buf(`dIn${k}`, (S + T) * B * H)))),
    dS: view(buf('dState', L * 2 * B * H)),
    dHtop: view(buf('dHtop', T * B * H)),
    embScratch: [S, T].map((n, i) => view(buf(`embScratch${i}`, embeddingBackwardScratch(V, n * B)))),
    drop: createStackDropout(config, { E, H, L, B, S, T }, buf),
  };
}

/**
 * The recording the config asks for (`recurrence=steps`: the per-step matmul recording;
 * `auto`: that on the software adapter, where the sequence kernels' long loops measured slower
 * than the per-step matmuls, the sequence kernels elsewhere) unless `asked` overrides it;
 * `sequence` falls back to per-step recording past the largest H the device's workgroups hold
 * (src/ops/lstm_sequence.ts sequenceMaxHidden).
 */
export function chooseRecurrence(gpu: Gpu, config: Config, asked?: Recurrence): Recurrence {
  const perStep = config.recurrence === 'steps' || (config.recurrence === 'auto' && gpu.adapter.isFallbackAdapter);
  const r = asked ?? (perStep ? 'matmul' : 'sequence');
  return r === 'sequence' && config.hidden_size > sequenceMaxHidden(gpu.device.limits) ? 'matmul' : r;
}

// ---- named views ----
export const hRow = (s: LstmStack, k: number, r: number, n = 1) => slice(s.Hs[k], r * s.dims.B * s.dims.H, n * s.dims.B * s.dims.H);
export const cRow = (s: LstmStack, k: number, r: number, n = 1) => slice(s.Cs[k], r * s.dims.B * s.dims.H, n * s.dims.B * s.dims.H);
export const gRow = (s: LstmStack, k: number, r: number, n = 1) => slice(s.Gs[k], r * s.dims.B * s.dims.G, n * s.dims.B * s.dims.G);
export const dgRow = (s: LstmStack, k: number, r: number, n = 1) => slice(s.dGs[k], r * s.dims.B * s.dims.G, n * s.dims.B * s.dims.G);
export const dInRow = (s: LstmStack, k: number, r: number, n = 1) => slice(s.dIns[k]!, r * s.dims.B * s.dims.H, n * s.dims.B * s.dims.H);
export const dhOf = (s: LstmStack, k: number) => slice(s.dS, 2 * k * s.dims.B * s.dims.H, s.dims.B * s.dims.H);
export const dcOf = (s: LstmStack, k: number) => slice(s.dS, (2 * k + 1) * s.dims.B * s.dims.H, s.dims.B * s.dims.H);
/** Parameter `name`, and its gradient. */
export const param = (s: LstmStack, name: string) => s.arena.layout.viewOf(s.arena.params, name);
export const grad = (s: LstmStack, name: string) => s.arena.layout.viewOf(s.arena.grads, name);
/** `${m}.${what}_l${k}`, e.g. decoder.weight_hh_l0. */
export const wName = (m: Module, what: string, k: number) => `${m}.${what}_l${k}`;
/** Module m's rows in G: encoder steps start at row 0, decoder steps at row S. */
export const baseRow = (s: LstmStack, m: Module) => (m === 'encoder' ? 0 : s.dims.S);
export const embName = (m: Module) => (m === 'encoder' ? 'src_embedding.weight' : 'tgt_embedding.weight');
/** (V, G) layer-0 input table of module m, and its gradient. */
export const ptab = (s: LstmStack, m: Module) => slice(s.Ptab, (m === 'encoder' ? 0 : 1) * s.dims.V * s.dims.G, s.dims.V * s.dims.G);
export const dptab = (s: LstmStack, m: Module) => slice(s.dPtab, (m === 'encoder' ? 0 : 1) * s.dims.V * s.dims.G, s.dims.V * s.dims.G);
/** Token ids of module m's steps: (steps, B) i32. */
export const idsOf = (s: LstmStack, m: Module) => (m === 'encoder' ? s.encIds : s.decIn);
/** (L, 1 + S + Tm, B, H) every layer's h or c states: the whole buffer behind Hs or Cs. */
export const allStates = (s: LstmStack, which: 'h' | 'c') => {
  const first = (which === 'h' ? s.Hs : s.Cs)[0];
  return slice(view(first.buffer), first.offset, s.dims.L * first.length);
};
/** (S·B, H) the encoder's top-layer outputs h̄, time-major. */
export const encoderTop = (s: LstmStack) => hRow(s, s.dims.L - 1, 1, s.dims.S);
/** (n·B, H) the decoder's top-layer outputs from step t. */
export const decoderTop = (s: LstmStack, t: number, n = 1) => hRow(s, s.dims.L - 1, s.dims.S + 1 + t, n);
