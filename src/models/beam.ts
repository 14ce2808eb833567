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

export function createLstmBeam(gpu: Gpu, m: LstmBeamSource, K: number): BeamProgram {
  checkBeamWidth('lstm beam search', K);
  const { V, H, L, B, D } = m.dims;
  const G = 4 * H;
  const R = B * K;
  const EOS = V - 1;
  const own: GPUBuffer[] = [];
  const buf = (label: string, n: number) => {
    const b = gpu.createBuffer(`lstm.beam${K}.${label}`, n);
    own.push(b);
    return b;
  };
  const P = (name: string) => m.layout.viewOf(m.params, name);
  const w = (what: string, k: number) => `decoder.${what}_l${k}`;

  const lay = beamResultLayout(D, B, K);
  const result = view(buf('result', lay.size));
  const eos = view(buf('eos', R));
  gpu.upload(eos, new Int32Array(R).fill(EOS));
  // (L, 2, R, H): per layer slot A (the step's input state) then slot B (its output).
  const layerStride = 2 * R * H;
  const hs = view(buf('h', L * layerStride));
  const cs = view(buf('c', L * layerStride));
  const gates = view(buf('gates', R * G)); // (R, G), reused by every layer
  const logits = view(buf('logits', R * V)); // (R, V)
  const slotA = (s: View, k: number) => slice(s, k * layerStride, R * H);
  const slotB = (s: View, k: number) => slice(s, k * layerStride + R * H, R * H);

  const program = new Program(`lstm.beam${K}`);
  program.add(m.encoder());
  for (let k = 0; k < L; k++) {
    const f = m.final(k);
    program.add(
      beamExpand(gpu, { src: f.h, dst: slotA(hs, k), B, K, H, label: `beam.l${k}.expand_h` }),
      beamExpand(gpu, { src: f.c, dst: slotA(cs, k), B, K, H, label: `beam.l${k}.expand_c` }),
    );
  }
  for (let t = 0; t < D; t++) {
    const ids = t === 0 ? eos : beamTokensOf(result, lay, t - 1);
    program.add(embeddingForward(gpu, { weight: m.decoderTable, ids, out: gates, vocab: V, dim: G, label: `beam.l0.t${t}.xproj` }));
    for (let k = 0; k < L; k++) {
      if (k > 0) {
        program.add(matmul(gpu, { a: slotB(hs, k - 1), b: P(w('weight_ih', k)), bias: P(w('bias_ih', k)), c: gates, M: R, N: G, K: H, transB: true, label: `beam.l${k}.t${t}.xproj` }));
      }
      const cell = { B: R, H, gates, hPrev: slotA(hs, k), hOut: slotB(hs, k), cPrev: slotA(cs, k), cOut: slotB(cs, k) };
      const wHh = P(w('weight_hh', k));
      const bHh = P(w('bias_hh', k));
      if (m.recurrence === 'fused') program.add(lstmStepForward(gpu, { ...cell, wHh, bHh, label: `beam.l${k}.t${t}.step` }));
      else {
        program.add(
          matmul(gpu, { a: slotA(hs, k), b: wHh, bias: bHh, c: gates, M: R, N: G, K: H, transB: true, accumulate: true, label: `beam.l${k}.t${t}.hproj` }),
          lstmCellForward(gpu, { ...cell, label: `beam.l${k}.t${t}.cell` }),
        );
      }
    }
    const attended = m.attend?.(slotB(hs, L - 1), K, t);
    if (attended) program.add(attended.dispatches);
    program.add(
      matmul(gpu, { a: attended?.out ?? slotB(hs, L - 1), b: P('output.weight'), bias: P('output.bias'), c: logits, M: R, N: V, K: H, transB: true, label: `beam.t${t}.output` }),
      beamStep(gpu, { logits, strideB: K * V, strideK: V, vocab: V, batch: B, beam: K, eos: EOS, step: t, result, steps: D, label: `beam.t${t}.select` }),
    );
    if (t + 1 < D) {
      program.add(beamReorder(gpu, { result, layout: lay, step: t, h: hs, c: cs, H, layers: L, layerStride, dst: 0, src: R * H, label: `beam.t${t}.reorder` }));
    }
  }
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
