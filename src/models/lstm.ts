// The `lstm` model (Sutskever et al. 2014, SPEC §3) recorded on the GPU for one batch shape.
// Float64 reference: src/reference/lstm_model.ts.
//
// Letters: B batch, S source length (max_length), T target length (S + 1), D decode steps,
// E embedding, H hidden, V vocabulary, L layers, G = 4H gate width.
//
// Per layer k one state buffer holds the encoder and the decoder back to back, so the
// decoder's initial state is the encoder's final one with no copy, and every matmul over
// time reads contiguous rows:
//   Hs_k, Cs_k (1 + S + Tm, B, H): row 0 = zeros, rows 1..S encoder, rows S+1.. decoder
//   G_k, dG_k  (S + Tm, B, G):     rows 0..S-1 encoder steps, rows S.. decoder steps
// (Tm = max(T, D), so greedy decoding writes the same rows.)
//
// The recurrence per time step and layer has two recordings (LstmOptions.recurrence):
//  'matmul' (default): forward = matmul (G_t += h_{t-1}·W_hhᵀ + b_hh) then the fused cell;
//     backward = fused cell backward then matmul (dh += dG_t·W_hh): 4 dispatches.
//  'fused': ONE forward dispatch (recurrent matmul + cell) and ONE backward dispatch
//     (dG_{t+1}·W_hh + cell backward): 2 dispatches. Fewer launches, but on SwiftShader its
//     per-invocation loops measured slower than the tuned matmul, so it is not the default.
// Everything else is a whole-sequence op: input projections, output layer, cross-entropy,
// weight gradients.
//
// Layer 0 reads embeddings, so its input projection is a table: P (V, G) = emb·W_ihᵀ + b_ih,
// and G rows are gathered from P by token (V rows of matmul instead of S·B). Backward
// scatters dG into dP (V, G) by token (deterministic embedding backward), then
// dW_ih = dPᵀ·emb, d emb = dP·W_ih, db_ih = db_hh = column sums of dP.
import type { Config } from '../config/config.ts';
import { decodeLength } from '../config/config.ts';
import { ArenaLayout, slice, view } from '../gpu/buffers.ts';
import type { Gpu } from '../gpu/context.ts';
import { Program, type Dispatch } from '../gpu/program.ts';
import { argmax, crossEntropy } from '../ops/cross_entropy.ts';
import { embeddingBackward, embeddingBackwardScratch, embeddingForward } from '../ops/embedding.ts';
import { fill } from '../ops/fill.ts';
import { lstmCellBackward, lstmCellForward, lstmStepBackward, lstmStepForward } from '../ops/lstm.ts';
import { matmul } from '../ops/matmul.ts';
import { columnSum } from '../ops/reduce.ts';
import { reverseSequences } from '../ops/sequence.ts';
import { lstmParamShapes, type LstmDims } from '../reference/lstm_model.ts';
import type { Batch } from '../task/batch.ts';
import type { GpuModel } from './model.ts';
import { initialArena } from './init.ts';
import { createLstmBeam } from './beam.ts';

export type Recurrence = 'matmul' | 'fused';

export interface LstmOptions {
  /** How each time step is recorded; see the file comment. Default 'matmul'. */
  recurrence?: Recurrence;
}

/** Dispatches the recorded trainStep spends per time step and layer. */
export const LSTM_DISPATCHES_PER_STEP_LAYER: Record<Recurrence, { forward: number; backward: number }> = {
  matmul: { forward: 2, backward: 2 },
  fused: { forward: 1, backward: 1 },
};

export interface LstmGpuModel extends GpuModel {
  readonly name: 'lstm';
  readonly dims: LstmDims & { B: number; S: number; T: number; D: number };
  readonly recurrence: Recurrence;
  /** Overwrites every parameter (layout.size floats, e.g. from a checkpoint). */
  uploadParams(data: Float32Array): void;
  /** Dispatch counts of the recorded programs. */
  readonly counts: {
    trainStep: number;
    decodeStep: number;
    /** trainStep dispatches inside the time loops (labels `*.t<n>.*`): 'fused' 2·L·(S + T), 'matmul' L·(4(S + T) − 1) (the encoder's h_0 needs no gradient). */
    recurrent: number;
    perStepLayer: { forward: number; backward: number };
  };
}

export function lstmLayout(d: LstmDims): ArenaLayout {
  const layout = new ArenaLayout();
  for (const [name, shape] of lstmParamShapes(d)) layout.add(name, shape);
  return layout;
}

export function createLstmModel(gpu: Gpu, config: Config, options: LstmOptions = {}): LstmGpuModel {
  const recurrence = options.recurrence ?? 'matmul';
  const V = config.vocab_size;
  const E = config.embedding_size;
  const H = config.hidden_size;
  const L = config.layers;
  const B = config.batch_size;
  const S = config.max_length;
  const T = S + 1;
  const D = decodeLength(config);
  const Tm = Math.max(T, D);
  const G = 4 * H;
  const EOS = V - 1;
  const dims = { V, E, H, L, B, S, T, D };

  const layout = lstmLayout(dims);
  const own: GPUBuffer[] = [];
  const buf = (label: string, n: number) => {
    const b = gpu.createBuffer(`lstm.${label}`, n);
    own.push(b);
    return b;
  };
  const params = buf('params', layout.size);
  const grads = buf('grads', layout.size);
  gpu.upload(params, initialArena(layout, config));
  const P = (name: string) => layout.viewOf(params, name);
  const Gr = (name: string) => layout.viewOf(grads, name);

  // Tokens.
  const src = view(buf('src', S * B)); // (S, B) i32
  const lengths = view(buf('srcLengths', B)); // (B) i32
  const tgt = view(buf('tgt', T * B)); // (T, B) i32
  const decIn = view(buf('decIn', T * B)); // (T, B) i32
  const srcRev = view(buf('srcReversed', S * B)); // (S, B) i32
  const encIds = config.reverse_source ? srcRev : src;
  const eos = view(buf('eos', B)); // (B) i32
  gpu.upload(eos, new Int32Array(B).fill(EOS));

  // Activations.
  const Ptab = view(buf('P', 2 * V * G)); // (2, V, G) layer-0 input projection tables: encoder, decoder
  const dPtab = view(buf('dP', 2 * V * G)); // (2, V, G)
  const Hs = Array.from({ length: L }, (_, k) => view(buf(`H${k}`, (1 + S + Tm) * B * H))); // (1+S+Tm, B, H)
  const Cs = Array.from({ length: L }, (_, k) => view(buf(`C${k}`, (1 + S + Tm) * B * H))); // (1+S+Tm, B, H)
  const Gs = Array.from({ length: L }, (_, k) => view(buf(`G${k}`, (S + Tm) * B * G))); // (S+Tm, B, G)
  const dGs = Array.from({ length: L }, (_, k) => view(buf(`dG${k}`, (S + T) * B * G))); // (S+T, B, G)
  // dIn_k (S+T, B, H): gradient of layer k's input (k >= 1), from the layer above.
  const dIns = Array.from({ length: L }, (_, k) => (k === 0 ? null : view(buf(`dIn${k}`, (S + T) * B * H))));
  const dS = view(buf('dState', L * 2 * B * H)); // (L, 2, B, H): dh, dc per layer
  const logits = view(buf('logits', T * B * V)); // (T, B, V)
  const dLogits = view(buf('dLogits', T * B * V)); // (T, B, V)
  const dHtop = view(buf('dHtop', T * B * H)); // (T, B, H)
  const loss = view(buf('loss', 1)); // (1)
  const decoded = view(buf('decoded', D * B)); // (D, B) i32
  const ceScratch = view(buf('ceScratch', T * B + 1)); // (T·B + 1)
  const embScratch = [S, T].map((n, i) => view(buf(`embScratch${i}`, embeddingBackwardScratch(V, n * B))));

  const hRow = (k: number, r: number, n = 1) => slice(Hs[k], r * B * H, n * B * H);
  const cRow = (k: number, r: number, n = 1) => slice(Cs[k], r * B * H, n * B * H);
  const gRow = (k: number, r: number, n = 1) => slice(Gs[k], r * B * G, n * B * G);
  const dgRow = (k: number, r: number, n = 1) => slice(dGs[k], r * B * G, n * B * G);
  const dInRow = (k: number, r: number, n = 1) => slice(dIns[k]!, r * B * H, n * B * H);
  const dh = (k: number) => slice(dS, (2 * k) * B * H, B * H);
  const dc = (k: number) => slice(dS, (2 * k + 1) * B * H, B * H);
  const w = (m: string, what: string, k: number) => `${m}.${what}_l${k}`;

  // Module m's rows: encoder steps start at row 0 of G, decoder steps at row S.
  const base = (m: 'encoder' | 'decoder') => (m === 'encoder' ? 0 : S);
  const emb = (m: 'encoder' | 'decoder') => (m === 'encoder' ? 'src_embedding.weight' : 'tgt_embedding.weight');
  const ptab = (m: 'encoder' | 'decoder') => slice(Ptab, (m === 'encoder' ? 0 : 1) * V * G, V * G); // (V, G)
  const dptab = (m: 'encoder' | 'decoder') => slice(dPtab, (m === 'encoder' ? 0 : 1) * V * G, V * G); // (V, G)
  /** Token ids of module m's steps: (steps, B) i32. */
  const idsOf = (m: 'encoder' | 'decoder') => (m === 'encoder' ? encIds : decIn);

  /** P (V, G) = emb·W_ihᵀ + b_ih of layer 0 of module m. */
  const tableForward = (m: 'encoder' | 'decoder'): Dispatch =>
    matmul(gpu, { a: P(emb(m)), b: P(w(m, 'weight_ih', 0)), bias: P(w(m, 'bias_ih', 0)), c: ptab(m), M: V, N: G, K: E, transB: true, label: `${m}.l0.table` });

  /** Input projection of all steps, then the recurrence of layer k of module m. */
  const layerForward = (m: 'encoder' | 'decoder', k: number, steps: number): Dispatch[] => {
    const r0 = base(m);
    const out: Dispatch[] =
      k === 0
        ? [tableForward(m), embeddingForward(gpu, { weight: ptab(m), ids: idsOf(m), out: gRow(0, r0, steps), vocab: V, dim: G, label: `${m}.l0.xproj` })]
        : [matmul(gpu, { a: hRow(k - 1, 1 + r0, steps), b: P(w(m, 'weight_ih', k)), bias: P(w(m, 'bias_ih', k)), c: gRow(k, r0, steps), M: steps * B, N: G, K: H, transB: true, label: `${m}.l${k}.xproj` })];
    for (let t = 0; t < steps; t++) out.push(...stepForward(m, k, t));
    return out;
  };

  /** One recurrent step of layer k (G rows already hold the input projection). */
  const stepForward = (m: 'encoder' | 'decoder', k: number, t: number): Dispatch[] => {
    const r = base(m) + t;
    const cell = {
      B,
      H,
      gates: gRow(k, r),
      hPrev: hRow(k, r),
      hOut: hRow(k, r + 1),
      cPrev: cRow(k, r),
      cOut: cRow(k, r + 1),
      mask: m === 'encoder' ? { lengths, t } : undefined,
    };
    const wHh = P(w(m, 'weight_hh', k));
    const bHh = P(w(m, 'bias_hh', k));
    if (recurrence === 'fused') return [lstmStepForward(gpu, { ...cell, wHh, bHh, label: `${m}.l${k}.t${t}.step` })];
    return [
      matmul(gpu, { a: hRow(k, r), b: wHh, bias: bHh, c: gRow(k, r), M: B, N: G, K: H, transB: true, accumulate: true, label: `${m}.l${k}.t${t}.hproj` }),
      lstmCellForward(gpu, { ...cell, label: `${m}.l${k}.t${t}.cell` }),
    ];
  };

  /** Backward of layer k of module m over all its steps, then its weight and input gradients. */
  const layerBackward = (m: 'encoder' | 'decoder', k: number, steps: number): Dispatch[] => {
    const r0 = base(m);
    const out: Dispatch[] = [];
    for (let t = steps - 1; t >= 0; t--) {
      const r = r0 + t;
      const above = k === L - 1 ? (m === 'decoder' ? slice(dHtop, t * B * H, B * H) : undefined) : dInRow(k + 1, r);
      const cell = {
        B,
        H,
        gates: gRow(k, r),
        cPrev: cRow(k, r),
        cCur: cRow(k, r + 1),
        dGates: dgRow(k, r),
        dh: dh(k),
        dc: dc(k),
        above,
        mask: m === 'encoder' ? { lengths, t } : undefined,
      };
      if (recurrence === 'matmul') {
        out.push(lstmCellBackward(gpu, { ...cell, label: `${m}.l${k}.t${t}.cell_backward` }));
        // The encoder's h_0 is a constant zero: nothing to propagate into it.
        if (!(m === 'encoder' && t === 0)) {
          out.push(matmul(gpu, { a: dgRow(k, r), b: P(w(m, 'weight_hh', k)), c: dh(k), M: B, N: H, K: G, accumulate: true, label: `${m}.l${k}.t${t}.dh` }));
        }
        continue;
      }
      // The gradient of h_t through the step after it: within the module, or for the
      // encoder's last step, the decoder's first step (it starts from the encoder's state).
      const next =
        t + 1 < steps
          ? { dGates: dgRow(k, r + 1), wHh: P(w(m, 'weight_hh', k)) }
          : m === 'encoder'
            ? { dGates: dgRow(k, S), wHh: P(w('decoder', 'weight_hh', k)) }
            : undefined;
      out.push(lstmStepBackward(gpu, { ...cell, next, label: `${m}.l${k}.t${t}.step_backward` }));
    }
    const dG = dgRow(k, r0, steps); // (steps·B, G)
    out.push(matmul(gpu, { a: dG, b: hRow(k, r0, steps), c: Gr(w(m, 'weight_hh', k)), M: G, N: H, K: steps * B, transA: true, label: `${m}.l${k}.dW_hh` }));
    if (k === 0) {
      // Through the table: dP (V, G) = Σ of dG rows per token, then the table's own backward.
      const dP = dptab(m);
      out.push(
        ...embeddingBackward(gpu, { dOut: dG, ids: idsOf(m), dWeight: dP, vocab: V, dim: G, scratch: embScratch[m === 'encoder' ? 0 : 1], label: `${m}.l0.dP` }),
        matmul(gpu, { a: dP, b: P(emb(m)), c: Gr(w(m, 'weight_ih', 0)), M: G, N: E, K: V, transA: true, label: `${m}.l0.dW_ih` }),
        matmul(gpu, { a: dP, b: P(w(m, 'weight_ih', 0)), c: Gr(emb(m)), M: V, N: E, K: G, label: `${m}.l0.dEmbedding` }),
        columnSum(gpu, { dy: dP, db: Gr(w(m, 'bias_ih', 0)), rows: V, cols: G, label: `${m}.l0.db_ih` }),
        columnSum(gpu, { dy: dP, db: Gr(w(m, 'bias_hh', 0)), rows: V, cols: G, label: `${m}.l0.db_hh` }),
      );
    } else {
      out.push(
        matmul(gpu, { a: dG, b: hRow(k - 1, 1 + r0, steps), c: Gr(w(m, 'weight_ih', k)), M: G, N: H, K: steps * B, transA: true, label: `${m}.l${k}.dW_ih` }),
        columnSum(gpu, { dy: dG, db: Gr(w(m, 'bias_ih', k)), rows: steps * B, cols: G, label: `${m}.l${k}.db_ih` }),
        columnSum(gpu, { dy: dG, db: Gr(w(m, 'bias_hh', k)), rows: steps * B, cols: G, label: `${m}.l${k}.db_hh` }),
        matmul(gpu, { a: dG, b: P(w(m, 'weight_ih', k)), c: dInRow(k, r0, steps), M: steps * B, N: H, K: G, label: `${m}.l${k}.dX` }),
      );
    }
    return out;
  };

  const reverse = (): Dispatch[] => (config.reverse_source ? [reverseSequences(gpu, { tokens: src, lengths, out: srcRev, steps: S, batch: B, label: 'encoder.reverse' })] : []);

  // ---- trainStep: forward, loss, backward (gradients overwritten) ----
  const trainStep = new Program('lstm.trainStep');
  trainStep.add(reverse());
  for (let k = 0; k < L; k++) trainStep.add(layerForward('encoder', k, S));
  for (let k = 0; k < L; k++) trainStep.add(layerForward('decoder', k, T));
  const hTop = hRow(L - 1, S + 1, T); // (T·B, H)
  trainStep.add(
    matmul(gpu, { a: hTop, b: P('output.weight'), bias: P('output.bias'), c: logits, M: T * B, N: V, K: H, transB: true, label: 'output' }),
    crossEntropy(gpu, { logits, targets: tgt, dLogits, loss, rows: T * B, vocab: V, scratch: ceScratch, label: 'cross_entropy' }),
    matmul(gpu, { a: dLogits, b: P('output.weight'), c: dHtop, M: T * B, N: H, K: V, label: 'output.dH' }),
    matmul(gpu, { a: dLogits, b: hTop, c: Gr('output.weight'), M: V, N: H, K: T * B, transA: true, label: 'output.dW' }),
    columnSum(gpu, { dy: dLogits, db: Gr('output.bias'), rows: T * B, cols: V, label: 'output.db' }),
    fill(gpu, dS, 0, 'dState.clear'),
  );
  for (let k = L - 1; k >= 0; k--) trainStep.add(layerBackward('decoder', k, T));
  for (let k = L - 1; k >= 0; k--) trainStep.add(layerBackward('encoder', k, S));

  // ---- decodeStep: encoder, then D greedy steps fed their own argmax (EOS first) ----
  const decodeStep = new Program('lstm.decodeStep');
  decodeStep.add(reverse());
  for (let k = 0; k < L; k++) decodeStep.add(layerForward('encoder', k, S));
  decodeStep.add(tableForward('decoder'));
  const stepLogits = slice(logits, 0, B * V); // (B, V)
  for (let t = 0; t < D; t++) {
    const ids = t === 0 ? eos : slice(decoded, (t - 1) * B, B);
    const r = S + t;
    decodeStep.add(embeddingForward(gpu, { weight: ptab('decoder'), ids, out: gRow(0, r), vocab: V, dim: G, label: `decode.l0.t${t}.xproj` }), stepForward('decoder', 0, t));
    for (let k = 1; k < L; k++) {
      decodeStep.add(
        matmul(gpu, { a: hRow(k - 1, r + 1), b: P(w('decoder', 'weight_ih', k)), bias: P(w('decoder', 'bias_ih', k)), c: gRow(k, r), M: B, N: G, K: H, transB: true, label: `decode.l${k}.t${t}.xproj` }),
        stepForward('decoder', k, t),
      );
    }
    decodeStep.add(
      matmul(gpu, { a: hRow(L - 1, S + 1 + t), b: P('output.weight'), bias: P('output.bias'), c: stepLogits, M: B, N: V, K: H, transB: true, label: `decode.t${t}.output` }),
      argmax(gpu, { x: stepLogits, out: slice(decoded, t * B, B), rows: B, cols: V, label: `decode.t${t}.argmax` }),
    );
  }

  return {
    name: 'lstm',
    config,
    dims,
    recurrence,
    layout,
    params,
    grads,
    trainStep,
    loss,
    decodeStep,
    decoded,
    counts: {
      trainStep: trainStep.length,
      decodeStep: decodeStep.length,
      recurrent: trainStep.dispatches.filter((d) => /\.t\d+\./.test(d.label)).length,
      perStepLayer: { ...LSTM_DISPATCHES_PER_STEP_LAYER[recurrence] },
    },
    // Beam search (models/beam.ts) shares the parameters, the encoder and the decoder table.
    createBeam(K: number) {
      return createLstmBeam(
        gpu,
        {
          config,
          dims: { V, E, H, L, B, D },
          layout,
          params,
          recurrence,
          encoder: () => [...reverse(), ...Array.from({ length: L }, (_, k) => layerForward('encoder', k, S)).flat(), tableForward('decoder')],
          final: (k) => ({ h: hRow(k, S), c: cRow(k, S) }),
          decoderTable: ptab('decoder'),
        },
        K,
      );
    },
    uploadParams(data: Float32Array) {
      if (data.length !== layout.size) throw new RangeError(`lstm.uploadParams: got ${data.length} floats, the arena holds ${layout.size}.`);
      gpu.upload(params, data);
    },
    setBatch(batch: Batch) {
      if (batch.B !== B || batch.S !== S || batch.T !== T) {
        throw new RangeError(`lstm.setBatch: the model was recorded for B=${B}, S=${S}, T=${T}, but the batch is B=${batch.B}, S=${batch.S}, T=${batch.T}.`);
      }
      gpu.upload(src, batch.src);
      gpu.upload(lengths, batch.srcLengths);
      gpu.upload(tgt, batch.tgt);
      gpu.upload(decIn, batch.decIn);
    },
    destroy() {
      for (const b of own) gpu.destroyBuffer(b);
      own.length = 0;
    },
  };
}
