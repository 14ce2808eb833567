// Beam search recorded on the GPU for a model's batch shape: B inputs, K beams each
// (B·K rows, input-major: beam i of input b is row b·K + i), D = decode_length steps, all in
// one Program (one submit). The result buffer (ops/beam.ts beamResultLayout) holds the
// tokens and parent beams of every step and the final scores; src/train/beam.ts reads it
// back once and backtracks on the CPU.
//
// Scores are sums of log-probabilities up to and including the EOS (no length
// normalisation): a finished beam keeps its score, and an unfinished beam at the limit
// competes with its partial sum. Per step the beams come out best first.
//
// lstm (createLstmBeam): the encoder runs once over the B inputs; each layer's final (h, c)
// is expanded to K rows; then per step: previous tokens (EOS first) through the decoder's
// layer-0 input table → per layer the recurrent step (the model's own recurrence: hproj
// matmul + cell, or the fused step) → output logits (B·K, V) → beam_step (log-softmax,
// candidates, per-input top K) → reorder every layer's (h, c) by parent beam. The state
// buffers hold two slots per layer (A: the step's input state, B: its output), so the
// reorder gathers B into A. With K = 1 every dispatch has the greedy decodeStep's shapes,
// and beam_step picks the argmax, so the tokens equal greedy decoding exactly when the
// matmuls choose the same kernels as the greedy rows (always when H and B·H are multiples
// of 4, as in the default configs; otherwise up to float rounding between kernels).
//
// attn: the same, with the step's attention (models/layers/attention.ts attendRows, rows
// b·K + i attending over input b's encoder states) between the LSTM and the output layer.
//
// transformer: models/layers/transformer_decode.ts records its beam search on the greedy
// decoder's cached step (rows b·K + i); every layer's key/value cache is reordered by parent.
//
// blog (createFactorisedBeam): its decoder never reads its outputs, so the step logits do
// not depend on the chosen tokens and the sequence score factorises over steps. The per-step
// argmax is then the best sequence EXCEPT for the EOS: greedy stops at the first step whose
// argmax is EOS, while a beam can keep the better non-EOS continuation alive and stop later
// (or the reverse). So beam search does change blog's predictions, and is run for real: the
// recorded greedy program computes all D steps' logits (D·B, V) at once, then D beam_step
// dispatches read them with one logits row shared by an input's K beams (strideK = 0).
import type { Config } from '../config/config.ts';
import { slice, view, type View } from '../gpu/buffers.ts';
import type { Gpu } from '../gpu/context.ts';
import { Program, type Dispatch } from '../gpu/program.ts';
import { beamExpand, beamReorder, beamResultLayout, beamStep, beamTokensOf, checkBeamWidth, type BeamResultLayout } from '../ops/beam.ts';
import { embeddingForward } from '../ops/embedding.ts';
import { lstmCellForward, lstmStepForward } from '../ops/lstm.ts';
import { matmul } from '../ops/matmul.ts';
import type { ArenaLayout } from '../gpu/buffers.ts';

/** A recorded beam search of width K over the batch last set on its model. */
export interface BeamProgram {
  readonly K: number;
  readonly B: number;
  readonly D: number;
  /** The whole search: run it after model.setBatch, one submit. */
  readonly program: Program;
  /** i32: tokens (D, B, K) | parents (D, B, K) | scores (B, K) f32 bits | status (B, K). */
  readonly result: View;
  readonly layout: BeamResultLayout;
  /**
   * (D, B·K, S) f32 attention weights of every step and beam row, when asked for (attn, transformer):
   * row b·K + i of step t is where the state of beam i (as the step found it) looked.
   */
  readonly attention?: View;
  /** (D, B, heads, K, S) the same per head (transformer), when attention is kept. */
  readonly attentionHeads?: View;
  destroy(): void;
}

/** What the lstm model hands its beam search (its internals stay private to models/lstm.ts). */
export interface LstmBeamSource {
  config: Config;
  dims: { V: number; E: number; H: number; L: number; B: number; D: number };
  layout: ArenaLayout;
  params: GPUBuffer;
  recurrence: 'matmul' | 'fused';
  /** Records the encoder over the batch last set (reversal included) and the decoder's layer-0 table. */
  encoder(): Dispatch[];
  /** (B, H) final encoder state of layer k, filled by encoder(). */
  final(k: number): { h: View; c: View };
  /** (V, 4H) decoder layer-0 input projection table, filled by encoder(). */
  decoderTable: View;
  /**
   * Models with attention (attn): records step t's attention over the top outputs q (B·K, H)
   * of beam rows b·K + i; `out` (B·K, H) is what the output layer reads instead of q.
   */
  attend?(q: View, K: number, t: number): { dispatches: Dispatch[]; out: View };
}

/** The buffers of an lstm beam search and what its recorders read. */
interface LstmBeam {
  gpu: Gpu;
  m: LstmBeamSource;
  K: number;
  /** B·K rows. */
  R: number;
  lay: BeamResultLayout;
  result: View;
  /** (R) i32 EOS, the first step's input. */
  eos: View;
  /** (L, 2, R, H) each: per layer slot A (the step's input state) then slot B (its output). */
  hs: View;
  cs: View;
  layerStride: number;
  gates: View; // (R, 4H), reused by every layer
  logits: View; // (R, V)
}

export function createLstmBeam(gpu: Gpu, m: LstmBeamSource, K: number): BeamProgram {
  checkBeamWidth('lstm beam search', K);
  const { V, H, L, B, D } = m.dims;
  const R = B * K;
  const own: GPUBuffer[] = [];
  const tensor = (label: string, n: number) => {
    const b = gpu.createBuffer(`lstm.beam${K}.${label}`, n);
    own.push(b);
    return view(b);
  };
  const lay = beamResultLayout(D, B, K);
  const result = tensor('result', lay.size);
  const eos = tensor('eos', R);
  gpu.upload(eos, new Int32Array(R).fill(V - 1));
  const layerStride = 2 * R * H;
  const hs = tensor('h', L * layerStride);
  const cs = tensor('c', L * layerStride);
  const s: LstmBeam = { gpu, m, K, R, lay, result, eos, hs, cs, layerStride, gates: tensor('gates', R * 4 * H), logits: tensor('logits', R * V) };

  const program = new Program(`lstm.beam${K}`);
  program.add(m.encoder());
  for (let k = 0; k < L; k++) {
    const f = m.final(k);
    program.add(
      beamExpand(gpu, { src: f.h, dst: slotA(s, hs, k), B, K, H, label: `beam.l${k}.expand_h` }),
      beamExpand(gpu, { src: f.c, dst: slotA(s, cs, k), B, K, H, label: `beam.l${k}.expand_c` }),
    );
  }
  for (let t = 0; t < D; t++) program.add(beamTimeStep(s, t));
  return {
    K,
    B,
    D,
    program,
    result,
    layout: lay,
    destroy() {
      for (const b of own) gpu.destroyBuffer(b);
      own.length = 0;
    },
  };
}

const slotA = (s: LstmBeam, v: View, k: number) => slice(v, k * s.layerStride, s.R * s.m.dims.H);
const slotB = (s: LstmBeam, v: View, k: number) => slice(v, k * s.layerStride + s.R * s.m.dims.H, s.R * s.m.dims.H);
const param = (s: LstmBeam, name: string) => s.m.layout.viewOf(s.m.params, name);

/** Step t: the previous tokens into the decoder, every layer, attention, output, selection, reorder. */
function beamTimeStep(s: LstmBeam, t: number): Dispatch[] {
  const { gpu, m, K, R, lay, result, logits } = s;
  const { V, H, L, B, D } = m.dims;
  const ids = t === 0 ? s.eos : beamTokensOf(result, lay, t - 1);
  const out: Dispatch[] = [embeddingForward(gpu, { weight: m.decoderTable, ids, out: s.gates, vocab: V, dim: 4 * H, label: `beam.l0.t${t}.xproj` })];
  for (let k = 0; k < L; k++) out.push(...beamLayerStep(s, k, t));
  const attended = m.attend?.(slotB(s, s.hs, L - 1), K, t);
  if (attended) out.push(...attended.dispatches);
  out.push(
    matmul(gpu, { a: attended?.out ?? slotB(s, s.hs, L - 1), b: param(s, 'output.weight'), bias: param(s, 'output.bias'), c: logits, M: R, N: V, K: H, transB: true, label: `beam.t${t}.output` }),
    beamStep(gpu, { logits, strideB: K * V, strideK: V, vocab: V, batch: B, beam: K, eos: V - 1, step: t, result, steps: D, label: `beam.t${t}.select` }),
  );
  if (t + 1 < D) {
    out.push(beamReorder(gpu, { result, layout: lay, step: t, h: s.hs, c: s.cs, H, layers: L, layerStride: s.layerStride, dst: 0, src: R * H, label: `beam.t${t}.reorder` }));
  }
  return out;
}

/** Layer k at step t: its input projection (k > 0; layer 0's came from the table), then the model's own recurrence. */
function beamLayerStep(s: LstmBeam, k: number, t: number): Dispatch[] {
  const { gpu, R, gates } = s;
  const H = s.m.dims.H;
  const G = 4 * H;
  const w = (what: string) => param(s, `decoder.${what}_l${k}`);
  const out: Dispatch[] = [];
  if (k > 0) {
    out.push(matmul(gpu, { a: slotB(s, s.hs, k - 1), b: w('weight_ih'), bias: w('bias_ih'), c: gates, M: R, N: G, K: H, transB: true, label: `beam.l${k}.t${t}.xproj` }));
  }
  const cell = { B: R, H, gates, hPrev: slotA(s, s.hs, k), hOut: slotB(s, s.hs, k), cPrev: slotA(s, s.cs, k), cOut: slotB(s, s.cs, k) };
  const [wHh, bHh] = [w('weight_hh'), w('bias_hh')];
  if (s.m.recurrence === 'fused') return [...out, lstmStepForward(gpu, { ...cell, wHh, bHh, label: `beam.l${k}.t${t}.step` })];
  return [
    ...out,
    matmul(gpu, { a: slotA(s, s.hs, k), b: wHh, bias: bHh, c: gates, M: R, N: G, K: H, transB: true, accumulate: true, label: `beam.l${k}.t${t}.hproj` }),
    lstmCellForward(gpu, { ...cell, label: `beam.l${k}.t${t}.cell` }),
  ];
}

/** A model whose decoder never reads its outputs: all D steps' logits come from one program. */
export interface FactorisedBeamSource {
  B: number;
  D: number;
  V: number;
  /** Fills `logits` for the batch last set. */
  logitsProgram: Program;
  /** (D, B, V) step logits, time-major. */
  logits: View;
  label: string;
}

export function createFactorisedBeam(gpu: Gpu, m: FactorisedBeamSource, K: number): BeamProgram {
  checkBeamWidth(`${m.label} beam search`, K);
  const { B, D, V } = m;
  const lay = beamResultLayout(D, B, K);
  const resultBuffer = gpu.createBuffer(`${m.label}.beam${K}.result`, lay.size);
  const result = view(resultBuffer);
  const program = new Program(`${m.label}.beam${K}`).add(m.logitsProgram);
  for (let t = 0; t < D; t++) {
    program.add(
      beamStep(gpu, { logits: slice(m.logits, t * B * V, B * V), strideB: V, strideK: 0, vocab: V, batch: B, beam: K, eos: V - 1, step: t, result, steps: D, label: `beam.t${t}.select` }),
    );
  }
  return {
    K,
    B,
    D,
    program,
    result,
    layout: lay,
    destroy() {
      gpu.destroyBuffer(resultBuffer);
    },
  };
}
