// The `transformer` decoder one position at a time with cached keys and values: greedy
// decoding (K = 1) and beam search (K beams per input, rows b·K + i as models/beam.ts).
//
// The encoder's memory is projected to each layer's cross-attention keys and values once.
// Step t then runs only the new position's R = B·K rows: embedding ·√d + PE row t; per layer
// self-attention of the one query over the cached keys and values of positions 0..t (the
// step's own K and V rows appended first), cross-attention over the memory, feed-forward;
// the final norm, the output layer and the selection (argmax, or beam_step). Each query sees
// exactly the keys the causal mask of the full decoder lets row t see, so the tokens are
// those of decoding the whole prefix again every step.
//
// Cross-attention needs no copy of the memory per beam: the K query rows of input b are
// contiguous, so it is the ordinary multi-head attention over B samples with T = K queries.
// Its weights of every step are kept, (D, B, heads, K, S); after the last layer has written
// them, one batched matmul averages the heads into (D, B·K, S).
//
// Beam search: the caches have two slots per (position, layer); step t reads and appends in
// slot t mod 2, and beam_reorder gathers positions 0..t into the other slot by parent beam.
// Letters: B inputs, K beams, R = B·K rows, S source length, D decode steps (and cached
// positions), L layers, d width, F feed-forward width, V vocabulary.
import { slice, type View } from '../../gpu/buffers.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { beamReorder, beamResultLayout, beamStep, beamTokensOf, type BeamResultLayout } from '../../ops/beam.ts';
import { argmax } from '../../ops/cross_entropy.ts';
import { embeddingForward } from '../../ops/embedding.ts';
import { layerNormForward } from '../../ops/layer_norm.ts';
import { matmul } from '../../ops/matmul.ts';
import { positionsForward } from '../../ops/positions.ts';
import { decLayer } from '../../specs/transformer.ts';
import { multiheadForward, type MultiheadArgs } from './multihead.ts';
import { feedForwardForward, inProj, join, normForward, project, type BlockCtx, type Sub } from './transformer_blocks.ts';

/** What the model hands its cached decoder (its buffers stay the model's). */
export interface DecodeSource {
  c: BlockCtx; // c.B is the number of inputs
  V: number;
  L: number;
  S: number;
  D: number;
  pe: View; // (≥ D, d) sinusoidal positions
  memory: View; // (S·B, d) the encoder's final-norm output, time-major
  lengths: View; // (B) i32 source lengths
}

/** Greedy (argmax into `decoded`) or beam search (beam_step into `result`). */
export type Selection = { kind: 'greedy'; decoded: View /* (D, B) i32 */; first: View /* (B) i32 EOS */ } | { kind: 'beam'; result: View; first: View /* (B·K) i32 EOS */ };

/** The decoder's working buffers for R rows. */
interface Work {
  m: DecodeSource;
  c: BlockCtx; // B = R
  K: number;
  R: number;
  slots: number;
  x: [View, View]; // (R, d) residual stream, ping-pong
  n: View; // (R, d) each sublayer's LN output
  stats: View; // (R, 2)
  q: View; // (R, d)
  att: View; // (R, d)
  branch: View; // (R, d)
  h: View; // (R, F)
  keys: View; // (D, L, slots, R, d)
  values: View; // (D, L, slots, R, d)
  selfFull: View; // (R) i32 D: every cached key is visible (the softmax clamps to the keys passed)
  selfW: View; // (R, heads, D)
  crossKV: View[]; // L × (S·B, 2d)
  crossW: View; // (D, B, heads, K, S)
  ones: View; // (heads) 1/heads
  out: View; // (R, d) final norm
  logits: View; // (R, V)
}

export interface CachedDecoder {
  /** Every dispatch of the decoding (the encoder must have filled the memory first). */
  dispatches: Dispatch[];
  /** (D, B·K, S) the last layer's cross-attention weights averaged over heads. */
  attention: View;
  /** (D, B, heads, K, S) the same per head. */
  attentionHeads: View;
}

function allocWork(m: DecodeSource, K: number, slots: number, alloc: (label: string, n: number) => View): Work {
  const { d, heads, F, B } = m.c;
  const R = B * K;
  const w: Work = {
    m, c: { ...m.c, B: R }, K, R, slots,
    x: [alloc('x0', R * d), alloc('x1', R * d)], n: alloc('n', R * d), stats: alloc('stats', R * 2), q: alloc('q', R * d), att: alloc('att', R * d), branch: alloc('branch', R * d), h: alloc('h', R * F),
    keys: alloc('keys', m.D * m.L * slots * R * d), values: alloc('values', m.D * m.L * slots * R * d),
    selfFull: alloc('selfFull', R), selfW: alloc('selfW', R * heads * m.D),
    crossKV: Array.from({ length: m.L }, (_, l) => alloc(`crossKV${l}`, m.S * B * 2 * d)),
    crossW: alloc('crossW', m.D * B * heads * K * m.S), ones: alloc('ones', heads),
    out: alloc('out', R * d), logits: alloc('logits', R * m.V),
  };
  m.c.gpu.upload(w.selfFull, new Int32Array(R).fill(m.D));
  m.c.gpu.upload(w.ones, new Float32Array(heads).fill(1 / heads));
  return w;
}

/** A Sub naming layer l's sublayer `norm`/`site`, over the shared buffers. */
const subOf = (w: Work, l: number, norm: string, site: string): Sub => ({ layer: decLayer(l), norm, site, n: w.n, stats: w.stats, branch: w.branch, h: w.h });

const P = (c: BlockCtx, name: string) => c.arena.layout.viewOf(c.arena.params, name);

/** Layer l's cached rows (R, d) of position n in `slot`, and the Rows the attention reads over positions. */
function cacheAt(w: Work, v: View, l: number, slot: number, n: number): View {
  const R = w.R * w.c.d;
  return slice(v, ((n * w.m.L + l) * w.slots + slot) * R, R);
}
const cacheRows = (w: Work, v: View, l: number, slot: number) => ({ v: slice(v, (l * w.slots + slot) * w.R * w.c.d, v.length - (l * w.slots + slot) * w.R * w.c.d), row: w.m.L * w.slots * w.R * w.c.d, sample: w.c.d });

/** Self-attention of step t's rows over positions 0..t of layer l's cache: x -> out. */
function selfStep(w: Work, l: number, t: number, x: View, out: View): Dispatch[] {
  const { c, R } = w;
  const { d, heads } = c;
  const s = subOf(w, l, 'norm1', 'dropout1');
  const prefix = `${s.layer}.self_attn`;
  const slot = t % w.slots;
  const [Wq, Wk, Wv] = [0, 1, 2].map((k) => inProj(c, prefix, k * d, d));
  const args: MultiheadArgs = {
    B: R, T: 1, S: t + 1, d, heads, causal: false, lengths: w.selfFull, label: `decode.t${t}.${prefix}`,
    q: { v: w.q, row: d, sample: d }, k: cacheRows(w, w.keys, l, slot), val: cacheRows(w, w.values, l, slot),
    weights: slice(w.selfW, 0, R * heads * (t + 1)), out: { v: w.att, row: d, sample: d },
  };
  return [
    normForward(c, s, x, R),
    project(c, Wq.w, Wq.b, w.n, w.q, R, d, d, `decode.t${t}.${prefix}.q_proj`),
    project(c, Wk.w, Wk.b, w.n, cacheAt(w, w.keys, l, slot, t), R, d, d, `decode.t${t}.${prefix}.k_proj`),
    project(c, Wv.w, Wv.b, w.n, cacheAt(w, w.values, l, slot, t), R, d, d, `decode.t${t}.${prefix}.v_proj`),
    ...multiheadForward(c.gpu, args),
    project(c, P(c, `${prefix}.out_proj.weight`), P(c, `${prefix}.out_proj.bias`), w.att, w.branch, R, d, d, `decode.t${t}.${prefix}.out_proj`),
    join(c, s, x, out, R, false),
  ];
}

/** Cross-attention of step t's rows over the memory: input b's K rows are its T = K queries. */
function crossStep(w: Work, l: number, t: number, x: View, out: View): Dispatch[] {
  const { c, R, K, m } = w;
  const { d, heads } = c;
  const B = m.c.B;
  const s = subOf(w, l, 'norm2', 'dropout2');
  const prefix = `${s.layer}.multihead_attn`;
  const Wq = inProj(c, prefix, 0, d);
  const kv = w.crossKV[l];
  const n = B * heads * K * m.S;
  const args: MultiheadArgs = {
    B, T: K, S: m.S, d, heads, causal: false, lengths: m.lengths, label: `decode.t${t}.${prefix}`,
    q: { v: w.q, row: d, sample: K * d }, k: { v: kv, row: B * 2 * d, sample: 2 * d }, val: { v: slice(kv, d, kv.length - d), row: B * 2 * d, sample: 2 * d },
    weights: slice(w.crossW, t * n, n), out: { v: w.att, row: d, sample: K * d },
  };
  return [
    normForward(c, s, x, R),
    project(c, Wq.w, Wq.b, w.n, w.q, R, d, d, `decode.t${t}.${prefix}.q_proj`),
    ...multiheadForward(c.gpu, args),
    project(c, P(c, `${prefix}.out_proj.weight`), P(c, `${prefix}.out_proj.bias`), w.att, w.branch, R, d, d, `decode.t${t}.${prefix}.out_proj`),
    join(c, s, x, out, R, false),
  ];
}

/** Step t up to the logits (R, V): ids (R) are the previous tokens. */
function stepLogits(w: Work, t: number, ids: View): Dispatch[] {
  const { c, R, m } = w;
  const { d } = c;
  const x0 = w.x[0];
  const out: Dispatch[] = [
    embeddingForward(c.gpu, { weight: P(c, 'tgt_embedding.weight'), ids, out: x0, vocab: m.V, dim: d, label: `decode.t${t}.embedding` }),
    positionsForward(c.gpu, { R, d, P: 1, div: R, scale: Math.sqrt(d), x: x0, table: slice(m.pe, t * d, d), label: `decode.t${t}.positions` }),
  ];
  let k = 0;
  const next = () => [w.x[k], w.x[(k = 1 - k)]] as const;
  for (let l = 0; l < m.L; l++) {
    out.push(...selfStep(w, l, t, ...next()), ...crossStep(w, l, t, ...next()));
    const [x, y] = next();
    out.push(...feedForwardForward(c, subOf(w, l, 'norm3', 'dropout3'), x, y, { N: 1, train: false }));
  }
  const norm = 'transformer.decoder.norm';
  out.push(
    layerNormForward(c.gpu, { R, D: d, x: w.x[k], gamma: P(c, `${norm}.weight`), beta: P(c, `${norm}.bias`), y: w.out, stats: w.stats, label: `decode.t${t}.${norm}` }),
    matmul(c.gpu, { a: w.out, b: P(c, 'output.weight'), bias: P(c, 'output.bias'), c: w.logits, M: R, N: m.V, K: d, transB: true, label: `decode.t${t}.output` }),
  );
  return out;
}

/** Step t's selection, and for beams the caches of positions 0..t gathered into the next slot by parent. */
function select(w: Work, t: number, sel: Selection, lay: BeamResultLayout): Dispatch[] {
  const { c, R, K, m } = w;
  const B = m.c.B;
  if (sel.kind === 'greedy') return [argmax(c.gpu, { x: w.logits, out: slice(sel.decoded, t * B, B), rows: B, cols: m.V, label: `decode.t${t}.argmax` })];
  const out = [beamStep(c.gpu, { logits: w.logits, strideB: K * m.V, strideK: m.V, vocab: m.V, batch: B, beam: K, eos: m.V - 1, step: t, result: sel.result, steps: m.D, label: `beam.t${t}.select` })];
  if (t + 1 < m.D) {
    const rowsd = R * c.d;
    out.push(beamReorder(c.gpu, { result: sel.result, layout: lay, step: t, h: w.keys, c: w.values, H: c.d, layers: (t + 1) * m.L, layerStride: w.slots * rowsd, dst: ((t + 1) % 2) * rowsd, src: (t % 2) * rowsd, label: `beam.t${t}.reorder` }));
  }
  return out;
}

/** The previous tokens step t reads: EOS first, then greedy's argmax row or the beams' tokens. */
function idsOf(w: Work, t: number, sel: Selection, lay: BeamResultLayout): View {
  if (t === 0) return sel.first;
  const B = w.m.c.B;
  return sel.kind === 'greedy' ? slice(sel.decoded, (t - 1) * B, B) : beamTokensOf(sel.result, lay, t - 1);
}

/** Records the cached decoding of K beams (K = 1 for greedy) over the memory the encoder fills. */
export function recordCachedDecode(m: DecodeSource, K: number, sel: Selection, alloc: (label: string, n: number) => View): CachedDecoder {
  const w = allocWork(m, K, sel.kind === 'beam' ? 2 : 1, alloc);
  const { d, heads, B } = m.c;
  const lay = beamResultLayout(m.D, B, K);
  const dispatches: Dispatch[] = [];
  for (let l = 0; l < m.L; l++) {
    const Wkv = inProj(m.c, `${decLayer(l)}.multihead_attn`, d, 2 * d);
    dispatches.push(project(m.c, Wkv.w, Wkv.b, m.memory, w.crossKV[l], m.S * B, d, 2 * d, `decode.${decLayer(l)}.multihead_attn.kv_proj`));
  }
  for (let t = 0; t < m.D; t++) dispatches.push(...stepLogits(w, t, idsOf(w, t, sel, lay)), ...select(w, t, sel, lay));
  const KS = K * m.S;
  const attention = alloc('attention', m.D * B * KS);
  // (1, KS) per (t, b) = (1/heads)·1ᵀ (1, heads) · W_tb (heads, KS)
  dispatches.push(matmul(m.c.gpu, { a: w.ones, b: w.crossW, c: attention, M: 1, N: KS, K: heads, batch: m.D * B, strideA: 0, strideB: heads * KS, strideC: KS, label: 'decode.attention.mean' }));
  return { dispatches, attention, attentionHeads: w.crossW };
}
