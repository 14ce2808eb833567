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
// trainStep, per time step and layer: forward = matmul (G_t += h_{t-1}·W_hhᵀ + b_hh) and the
// fused cell; backward = fused cell backward and matmul (dh += dG_t·W_hh). Everything else is
// a whole-sequence op: input projections, output layer, cross-entropy, weight gradients.
import type { Config } from '../config/config.ts';
import { decodeLength } from '../config/config.ts';
import { ArenaLayout, slice, view, type View } from '../gpu/buffers.ts';
import type { Gpu } from '../gpu/context.ts';
import { Program, type Dispatch } from '../gpu/program.ts';
import { argmax, crossEntropy } from '../ops/cross_entropy.ts';
import { embeddingBackward, embeddingForward } from '../ops/embedding.ts';
import { fill } from '../ops/fill.ts';
import { lstmCellBackward, lstmCellForward } from '../ops/lstm.ts';
import { matmul } from '../ops/matmul.ts';
import { columnSum } from '../ops/reduce.ts';
import { reverseSequences } from '../ops/sequence.ts';
import { lstmParamShapes, type LstmDims } from '../reference/lstm_model.ts';
import type { Batch } from '../task/batch.ts';
import type { GpuModel } from './model.ts';
import { uniformInit } from './init.ts';

/** Dispatches the recorded trainStep spends per time step and layer. */
export const LSTM_DISPATCHES_PER_STEP_LAYER = { forward: 2, backward: 2 } as const;

export interface LstmGpuModel extends GpuModel {
  readonly name: 'lstm';
  readonly dims: LstmDims & { B: number; S: number; T: number; D: number };
  /** Overwrites every parameter (layout.size floats, e.g. from uniformInit or a checkpoint). */
  uploadParams(data: Float32Array): void;
  /** Dispatch counts of the recorded programs. */
  readonly counts: { trainStep: number; decodeStep: number; perStepLayer: { forward: number; backward: number } };
}

export function lstmLayout(d: LstmDims): ArenaLayout {
  const layout = new ArenaLayout();
  for (const [name, shape] of lstmParamShapes(d)) layout.add(name, shape);
  return layout;
}

export function createLstmModel(gpu: Gpu, config: Config): LstmGpuModel {
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
  gpu.upload(params, uniformInit(layout, config.seed, config.init_scale));
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
  const X0 = view(buf('X0', (S + T) * B * E)); // (S + T, B, E) embedded inputs of layer 0
  const Hs = Array.from({ length: L }, (_, k) => view(buf(`H${k}`, (1 + S + Tm) * B * H))); // (1+S+Tm, B, H)
  const Cs = Array.from({ length: L }, (_, k) => view(buf(`C${k}`, (1 + S + Tm) * B * H))); // (1+S+Tm, B, H)
  const Gs = Array.from({ length: L }, (_, k) => view(buf(`G${k}`, (S + Tm) * B * G))); // (S+Tm, B, G)
  const dGs = Array.from({ length: L }, (_, k) => view(buf(`dG${k}`, (S + T) * B * G))); // (S+T, B, G)
  const inWidth = (k: number) => (k === 0 ? E : H);
  const dIns = Array.from({ length: L }, (_, k) => view(buf(`dIn${k}`, (S + T) * B * inWidth(k)))); // (S+T, B, I)
  const dS = view(buf('dState', L * 2 * B * H)); // (L, 2, B, H): dh, dc per layer
  const logits = view(buf('logits', T * B * V)); // (T, B, V)
  const dLogits = view(buf('dLogits', T * B * V)); // (T, B, V)
  const dHtop = view(buf('dHtop', T * B * H)); // (T, B, H)
  const loss = view(buf('loss', 1)); // (1)
  const decoded = view(buf('decoded', D * B)); // (D, B) i32
  const Xd = view(buf('Xdecode', B * E)); // (B, E)

  const hRow = (k: number, r: number, n = 1) => slice(Hs[k], r * B * H, n * B * H);
  const cRow = (k: number, r: number, n = 1) => slice(Cs[k], r * B * H, n * B * H);
  const gRow = (k: number, r: number, n = 1) => slice(Gs[k], r * B * G, n * B * G);
  const dgRow = (k: number, r: number, n = 1) => slice(dGs[k], r * B * G, n * B * G);
  const dInRow = (k: number, r: number, n = 1) => slice(dIns[k], r * B * inWidth(k), n * B * inWidth(k));
  const dh = (k: number) => slice(dS, (2 * k) * B * H, B * H);
  const dc = (k: number) => slice(dS, (2 * k + 1) * B * H, B * H);
  const w = (m: string, what: string, k: number) => `${m}.${what}_l${k}`;

  // Module m's rows: encoder steps start at row 0 of G, decoder steps at row S.
  const base = (m: 'encoder' | 'decoder') => (m === 'encoder' ? 0 : S);
  /** Layer k's input over `steps` steps of module m: (steps·B, I). */
  const layerInput = (m: 'encoder' | 'decoder', k: number, steps: number): View =>
    k === 0 ? slice(X0, base(m) * B * E, steps * B * E) : hRow(k - 1, 1 + base(m), steps);

  /** Input projection of all steps, then the recurrence of layer k of module m. */
  const layerForward = (m: 'encoder' | 'decoder', k: number, steps: number): Dispatch[] => {
    const I = inWidth(k);
    const r0 = base(m);
    const out: Dispatch[] = [
      matmul(gpu, { a: layerInput(m, k, steps), b: P(w(m, 'weight_ih', k)), bias: P(w(m, 'bias_ih', k)), c: gRow(k, r0, steps), M: steps * B, N: G, K: I, transB: true, label: `${m}.l${k}.xproj` }),
    ];
    for (let t = 0; t < steps; t++) out.push(...stepForward(m, k, t));
    return out;
  };

  /** One recurrent step of layer k (G rows already hold the input projection). */
  const stepForward = (m: 'encoder' | 'decoder', k: number, t: number): Dispatch[] => {
    const r = base(m) + t;
    return [
      matmul(gpu, { a: hRow(k, r), b: P(w(m, 'weight_hh', k)), bias: P(w(m, 'bias_hh', k)), c: gRow(k, r), M: B, N: G, K: H, transB: true, accumulate: true, label: `${m}.l${k}.t${t}.hproj` }),
      lstmCellForward(gpu, {
        B,
        H,
        gates: gRow(k, r),
        hPrev: hRow(k, r),
        hOut: hRow(k, r + 1),
        cPrev: cRow(k, r),
        cOut: cRow(k, r + 1),
        mask: m === 'encoder' ? { lengths, t } : undefined,
        label: `${m}.l${k}.t${t}.cell`,
      }),
    ];
  };

  /** Backward of layer k of module m over all its steps, then its weight and input gradients. */
  const layerBackward = (m: 'encoder' | 'decoder', k: number, steps: number): Dispatch[] => {
    const r0 = base(m);
    const I = inWidth(k);
    const out: Dispatch[] = [];
    for (let t = steps - 1; t >= 0; t--) {
      const r = r0 + t;
      const above = k === L - 1 ? (m === 'decoder' ? slice(dHtop, t * B * H, B * H) : undefined) : dInRow(k + 1, r);
      out.push(
        lstmCellBackward(gpu, {
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
          label: `${m}.l${k}.t${t}.cell_backward`,
        }),
      );
      // The encoder's h_0 is a constant zero: nothing to propagate into it.
      if (!(m === 'encoder' && t === 0)) {
        out.push(matmul(gpu, { a: dgRow(k, r), b: P(w(m, 'weight_hh', k)), c: dh(k), M: B, N: H, K: G, accumulate: true, label: `${m}.l${k}.t${t}.dh` }));
      }
    }
    const dG = dgRow(k, r0, steps); // (steps·B, G)
    out.push(
      matmul(gpu, { a: dG, b: hRow(k, r0, steps), c: Gr(w(m, 'weight_hh', k)), M: G, N: H, K: steps * B, transA: true, label: `${m}.l${k}.dW_hh` }),
      matmul(gpu, { a: dG, b: layerInput(m, k, steps), c: Gr(w(m, 'weight_ih', k)), M: G, N: I, K: steps * B, transA: true, label: `${m}.l${k}.dW_ih` }),
      columnSum(gpu, { dy: dG, db: Gr(w(m, 'bias_ih', k)), rows: steps * B, cols: G, label: `${m}.l${k}.db_ih` }),
      columnSum(gpu, { dy: dG, db: Gr(w(m, 'bias_hh', k)), rows: steps * B, cols: G, label: `${m}.l${k}.db_hh` }),
      matmul(gpu, { a: dG, b: P(w(m, 'weight_ih', k)), c: dInRow(k, r0, steps), M: steps * B, N: I, K: G, label: `${m}.l${k}.dX` }),
    );
    return out;
  };

  const embedSource = (): Dispatch[] => [
    ...(config.reverse_source ? [reverseSequences(gpu, { tokens: src, lengths, out: srcRev, steps: S, batch: B, label: 'encoder.reverse' })] : []),
    embeddingForward(gpu, { weight: P('src_embedding.weight'), ids: encIds, out: slice(X0, 0, S * B * E), vocab: V, dim: E, label: 'src_embedding' }),
  ];

  // ---- trainStep: forward, loss, backward (gradients overwritten) ----
  const trainStep = new Program('lstm.trainStep');
  trainStep.add(embedSource());
  trainStep.add(embeddingForward(gpu, { weight: P('tgt_embedding.weight'), ids: decIn, out: slice(X0, S * B * E, T * B * E), vocab: V, dim: E, label: 'tgt_embedding' }));
  for (let k = 0; k < L; k++) trainStep.add(layerForward('encoder', k, S));
  for (let k = 0; k < L; k++) trainStep.add(layerForward('decoder', k, T));
  const hTop = hRow(L - 1, S + 1, T); // (T·B, H)
  trainStep.add(
    matmul(gpu, { a: hTop, b: P('output.weight'), bias: P('output.bias'), c: logits, M: T * B, N: V, K: H, transB: true, label: 'output' }),
    crossEntropy(gpu, { logits, targets: tgt, dLogits, loss, rows: T * B, vocab: V, label: 'cross_entropy' }),
    matmul(gpu, { a: dLogits, b: P('output.weight'), c: dHtop, M: T * B, N: H, K: V, label: 'output.dH' }),
    matmul(gpu, { a: dLogits, b: hTop, c: Gr('output.weight'), M: V, N: H, K: T * B, transA: true, label: 'output.dW' }),
    columnSum(gpu, { dy: dLogits, db: Gr('output.bias'), rows: T * B, cols: V, label: 'output.db' }),
    fill(gpu, dS, 0, 'dState.clear'),
  );
  for (let k = L - 1; k >= 0; k--) trainStep.add(layerBackward('decoder', k, T));
  for (let k = L - 1; k >= 0; k--) trainStep.add(layerBackward('encoder', k, S));
  trainStep.add(
    embeddingBackward(gpu, { dOut: dInRow(0, 0, S), ids: encIds, dWeight: Gr('src_embedding.weight'), vocab: V, dim: E, label: 'src_embedding.backward' }),
    embeddingBackward(gpu, { dOut: dInRow(0, S, T), ids: decIn, dWeight: Gr('tgt_embedding.weight'), vocab: V, dim: E, label: 'tgt_embedding.backward' }),
  );

  // ---- decodeStep: encoder, then D greedy steps fed their own argmax (EOS first) ----
  const decodeStep = new Program('lstm.decodeStep');
  decodeStep.add(embedSource());
  for (let k = 0; k < L; k++) decodeStep.add(layerForward('encoder', k, S));
  const stepLogits = slice(logits, 0, B * V); // (B, V)
  for (let t = 0; t < D; t++) {
    const ids = t === 0 ? eos : slice(decoded, (t - 1) * B, B);
    decodeStep.add(embeddingForward(gpu, { weight: P('tgt_embedding.weight'), ids, out: Xd, vocab: V, dim: E, label: `decode.t${t}.embed` }));
    for (let k = 0; k < L; k++) {
      const r = S + t;
      const x = k === 0 ? Xd : hRow(k - 1, r + 1);
      decodeStep.add(
        matmul(gpu, { a: x, b: P(w('decoder', 'weight_ih', k)), bias: P(w('decoder', 'bias_ih', k)), c: gRow(k, r), M: B, N: G, K: inWidth(k), transB: true, label: `decode.l${k}.t${t}.xproj` }),
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
    layout,
    params,
    grads,
    trainStep,
    loss,
    decodeStep,
    decoded,
    counts: { trainStep: trainStep.length, decodeStep: decodeStep.length, perStepLayer: { ...LSTM_DISPATCHES_PER_STEP_LAYER } },
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
