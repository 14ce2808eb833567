// Recorders of the LSTM stack (lstm_stack.ts): a layer over time forward and backward, one
// recurrent step, one greedy decoder step, the encoder. Shared by `lstm`, `attn` and beam search.
//
// The recurrence has three recordings (LstmStack.recurrence):
//  'sequence' (config recurrence=sequence, the default): ONE forward and ONE backward dispatch
//     per layer over all its steps (src/ops/lstm_sequence.ts), running only the batch's
//     longest length (liveSrc / liveTgt, uploaded by setBatch); later steps hold the state.
// and two per time step and layer:
//  'matmul' (default): forward = matmul (G_t += h_{t-1}·W_hhᵀ + b_hh) then the fused cell;
//     backward = fused cell backward then matmul (dh += dG_t·W_hh): 4 dispatches.
//  'fused': ONE forward dispatch (recurrent matmul + cell) and ONE backward dispatch
//     (dG_{t+1}·W_hh + cell backward): 2 dispatches. Fewer launches, but on SwiftShader its
//     per-invocation loops measured slower than the tuned matmul, so it is not the default.
//
// Layer 0 reads embeddings, so its input projection is a table: P (V, G) = emb·W_ihᵀ + b_ih,
// and G rows are gathered from P by token (V rows of matmul instead of S·B). Backward
// scatters dG into dP (V, G) by token (deterministic embedding backward), then, once both
// modules' dP are in (tablesBackward, each matmul for both modules at once),
// dW_ih = dPᵀ·emb, d emb = dP·W_ih, db_ih = db_hh = column sums of dP.
// Training with dropout (stack_dropout.ts) drops every layer's input first, so layer 0 then
// gathers and drops its embeddings and projects them like a layer k ≥ 1 (no table).
import { slice, type View } from '../../gpu/buffers.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { embeddingBucketSum, embeddingForward } from '../../ops/embedding.ts';
import { lstmCellBackward, lstmCellForward, lstmStepBackward, lstmStepForward } from '../../ops/lstm.ts';
import { lstmSequenceBackward, lstmSequenceForward, type SequenceArgs } from '../../ops/lstm_sequence.ts';
import { matmul } from '../../ops/matmul.ts';
import { columnSum } from '../../ops/reduce.ts';
import { inputSite } from '../../specs/lstm.ts';
import { baseRow, cRow, dcOf, dgRow, dhOf, dInRow, dptab, embName, gRow, grad, hRow, idsOf, param, ptab, wName as w, type LstmStack, type Module } from './lstm_stack.ts';
import { dropSite, droppedRows, dX0Rows } from './stack_dropout.ts';

/** P (V, G) = emb·W_ihᵀ + b_ih of layer 0 of module m. */
export function tableForward(s: LstmStack, m: Module): Dispatch {
  const { V, G, E } = s.dims;
  return matmul(s.gpu, { a: param(s, embName(m)), b: param(s, w(m, 'weight_ih', 0)), bias: param(s, w(m, 'bias_ih', 0)), c: ptab(s, m), M: V, N: G, K: E, transB: true, label: `${m}.l0.table` });
}

/** Input projection of all steps of layer k of module m into its G rows: through the table, or (dropout in training) of its dropped input. */
function inputForward(s: LstmStack, m: Module, k: number, steps: number, train: boolean): Dispatch[] {
  const { V, G, H, B, E } = s.dims;
  const r0 = baseRow(s, m);
  const drop = train && s.drop;
  if (k === 0 && !drop) return [tableForward(s, m), embeddingForward(s.gpu, { weight: ptab(s, m), ids: idsOf(s, m), out: gRow(s, 0, r0, steps), vocab: V, dim: G, label: `${m}.l0.xproj` })];
  const out: Dispatch[] = [];
  let x = k === 0 ? droppedRows(s, 0, r0, steps) : hRow(s, k - 1, 1 + r0, steps); // (steps·B, I)
  if (drop) {
    const y = droppedRows(s, k, r0, steps);
    if (k === 0) out.push(embeddingForward(s.gpu, { weight: param(s, embName(m)), ids: idsOf(s, m), out: y, vocab: V, dim: E, label: `${m}.l0.embed` }));
    out.push(dropSite(s, inputSite(m, k), x, k === 0 ? undefined : y, `${m}.l${k}.dropout`));
    x = y;
  }
  const I = k === 0 ? E : H;
  return [...out, matmul(s.gpu, { a: x, b: param(s, w(m, 'weight_ih', k)), bias: param(s, w(m, 'bias_ih', k)), c: gRow(s, k, r0, steps), M: steps * B, N: G, K: I, transB: true, label: `${m}.l${k}.xproj` })];
}

/** Input projection of all steps, then the recurrence of layer k of module m; `train`: with the training step's dropout. */
export function layerForward(s: LstmStack, m: Module, k: number, steps: number, train = false): Dispatch[] {
  const r0 = baseRow(s, m);
  const out = inputForward(s, m, k, steps, train);
  if (s.recurrence === 'sequence') {
    const r = sequenceRows(s, m, k, steps);
    return [...out, lstmSequenceForward(s.gpu, { ...r, gates: gRow(s, k, r0, steps), h: hRow(s, k, r0, steps + 1), c: cRow(s, k, r0, steps + 1), bHh: param(s, w(m, 'bias_hh', k)), label: `${m}.l${k}.sequence` })];
  }
  for (let t = 0; t < steps; t++) out.push(...stepForward(s, m, k, t));
  return out;
}

/** What both sequence kernels of layer k of module m read: the encoder masks by length, and each runs the batch's longest length. */
function sequenceRows(s: LstmStack, m: Module, k: number, steps: number): SequenceArgs {
  const { B, H } = s.dims;
  const enc = m === 'encoder';
  return { B, H, steps, lengths: enc ? s.lengths : undefined, live: enc ? s.liveSrc : s.liveTgt, wHh: param(s, w(m, 'weight_hh', k)) };
}

/** One recurrent step of layer k (G rows already hold the input projection). */
export function stepForward(s: LstmStack, m: Module, k: number, t: number): Dispatch[] {
  const { B, H, G } = s.dims;
  const r = baseRow(s, m) + t;
  const cell = { B, H, gates: gRow(s, k, r), hPrev: hRow(s, k, r), hOut: hRow(s, k, r + 1), cPrev: cRow(s, k, r), cOut: cRow(s, k, r + 1), mask: m === 'encoder' ? { lengths: s.lengths, t } : undefined };
  const wHh = param(s, w(m, 'weight_hh', k));
  const bHh = param(s, w(m, 'bias_hh', k));
  if (s.recurrence === 'fused') return [lstmStepForward(s.gpu, { ...cell, wHh, bHh, label: `${m}.l${k}.t${t}.step` })];
  return [
    matmul(s.gpu, { a: hRow(s, k, r), b: wHh, bias: bHh, c: gRow(s, k, r), M: B, N: G, K: H, transB: true, accumulate: true, label: `${m}.l${k}.t${t}.hproj` }),
    lstmCellForward(s.gpu, { ...cell, label: `${m}.l${k}.t${t}.cell` }),
  ];
}

/** The encoder over the batch last set (its ids reversed by setBatch when reverse_source), then the decoder's layer-0 table. */
export function encoderForward(s: LstmStack): Dispatch[] {
  const layers = Array.from({ length: s.dims.L }, (_, k) => layerForward(s, 'encoder', k, s.dims.S)).flat();
  return [...layers, tableForward(s, 'decoder')];
}

/** Greedy decoder step t through every layer, fed `ids` (B) i32; the top output lands in decoderTop(s, t). */
export function decoderStep(s: LstmStack, t: number, ids: View): Dispatch[] {
  const { V, G, H, B, L, S } = s.dims;
  const r = S + t;
  const out = [embeddingForward(s.gpu, { weight: ptab(s, 'decoder'), ids, out: gRow(s, 0, r), vocab: V, dim: G, label: `decode.l0.t${t}.xproj` }), ...stepForward(s, 'decoder', 0, t)];
  for (let k = 1; k < L; k++) {
    out.push(
      matmul(s.gpu, { a: hRow(s, k - 1, r + 1), b: param(s, w('decoder', 'weight_ih', k)), bias: param(s, w('decoder', 'bias_ih', k)), c: gRow(s, k, r), M: B, N: G, K: H, transB: true, label: `decode.l${k}.t${t}.xproj` }),
      ...stepForward(s, 'decoder', k, t),
    );
  }
  return out;
}

/**
 * Backward of layer k of module m over all its steps, then its weight and input gradients.
 * `top` (steps·B, H): the gradient reaching the top layer's outputs from above (none: zero).
 */
export function layerBackward(s: LstmStack, m: Module, k: number, steps: number, top?: View): Dispatch[] {
  const out: Dispatch[] = [];
  if (s.recurrence === 'sequence') out.push(sequenceBackward(s, m, k, steps, top));
  else for (let t = steps - 1; t >= 0; t--) out.push(...stepBackward(s, m, k, t, steps, top));
  return [...out, ...layerWeightsBackward(s, m, k, steps)];
}

/**
 * Backward through time of layer k in one dispatch: dh, dc of its last state are zero (the
 * decoder's) or come in through dS (the encoder's: what the decoder's backward left there,
 * since the decoder starts from the encoder's final state); those of its initial state leave
 * through dS.
 */
function sequenceBackward(s: LstmStack, m: Module, k: number, steps: number, top?: View): Dispatch {
  const r0 = baseRow(s, m);
  const above = k === s.dims.L - 1 ? top : dInRow(s, k + 1, r0, steps); // (steps·B, H)
  const r = sequenceRows(s, m, k, steps);
  return lstmSequenceBackward(s.gpu, { ...r, gates: gRow(s, k, r0, steps), c: cRow(s, k, r0, steps + 1), above, dGates: dgRow(s, k, r0, steps), dh: dhOf(s, k), dc: dcOf(s, k), zeroIn: m === 'decoder', label: `${m}.l${k}.sequence_backward` });
}

function stepBackward(s: LstmStack, m: Module, k: number, t: number, steps: number, top?: View): Dispatch[] {
  const { B, H, G, S } = s.dims;
  const r = baseRow(s, m) + t;
  const above = k === s.dims.L - 1 ? (top ? slice(top, t * B * H, B * H) : undefined) : dInRow(s, k + 1, r);
  const cell = { B, H, gates: gRow(s, k, r), cPrev: cRow(s, k, r), cCur: cRow(s, k, r + 1), dGates: dgRow(s, k, r), dh: dhOf(s, k), dc: dcOf(s, k), above, mask: m === 'encoder' ? { lengths: s.lengths, t } : undefined };
  if (s.recurrence === 'matmul') {
    const out = [lstmCellBackward(s.gpu, { ...cell, label: `${m}.l${k}.t${t}.cell_backward` })];
    // The encoder's h_0 is a constant zero: nothing to propagate into it.
    if (!(m === 'encoder' && t === 0)) {
      out.push(matmul(s.gpu, { a: dgRow(s, k, r), b: param(s, w(m, 'weight_hh', k)), c: dhOf(s, k), M: B, N: H, K: G, accumulate: true, label: `${m}.l${k}.t${t}.dh` }));
    }
    return out;
  }
  // The gradient of h_t through the step after it: within the module, or for the
  // encoder's last step, the decoder's first step (it starts from the encoder's state).
  const next =
    t + 1 < steps
      ? { dGates: dgRow(s, k, r + 1), wHh: param(s, w(m, 'weight_hh', k)) }
      : m === 'encoder'
        ? { dGates: dgRow(s, k, S), wHh: param(s, w('decoder', 'weight_hh', k)) }
        : undefined;
  return [lstmStepBackward(s.gpu, { ...cell, next, label: `${m}.l${k}.t${t}.step_backward` })];
}

/**
 * W_ih, b_ih, b_hh and input gradients of layer k of module m from its dG rows, when the layer
 * read an input (k ≥ 1, or any k with dropout): dW_ih = dGᵀ·X, dX = dG·W_ih, then back through
 * the dropout mask, and for k = 0 into the embedding rows by token.
 */
function inputBackward(s: LstmStack, m: Module, k: number, steps: number): Dispatch[] {
  const { gpu } = s;
  const { V, E, H, G, B } = s.dims;
  const [r0, I] = [baseRow(s, m), k === 0 ? E : H];
  const dG = dgRow(s, k, r0, steps); // (steps·B, G)
  const x = s.drop ? droppedRows(s, k, r0, steps) : hRow(s, k - 1, 1 + r0, steps); // (steps·B, I)
  const dX = k === 0 ? dX0Rows(s, r0, steps) : dInRow(s, k, r0, steps); // (steps·B, I)
  const out = [
    matmul(gpu, { a: dG, b: x, c: grad(s, w(m, 'weight_ih', k)), M: G, N: I, K: steps * B, transA: true, label: `${m}.l${k}.dW_ih` }),
    // b_ih and b_hh enter the pre-activations alike: equal gradients, one column sum.
    columnSum(gpu, { dy: dG, db: grad(s, w(m, 'bias_ih', k)), copy: grad(s, w(m, 'bias_hh', k)), rows: steps * B, cols: G, label: `${m}.l${k}.db` }),
    matmul(gpu, { a: dG, b: param(s, w(m, 'weight_ih', k)), c: dX, M: steps * B, N: I, K: G, label: `${m}.l${k}.dX` }),
  ];
  if (s.drop) out.push(dropSite(s, inputSite(m, k), dX, undefined, `${m}.l${k}.dropout.backward`));
  if (k === 0) out.push(embeddingBucketSum(gpu, { dOut: dX, dWeight: grad(s, embName(m)), vocab: V, dim: E, scratch: s.embScratch[m === 'encoder' ? 0 : 1], label: `${m}.l0.dEmbedding` }));
  return out;
}

/** Weight and input gradients of layer k of module m from its dG rows. */
function layerWeightsBackward(s: LstmStack, m: Module, k: number, steps: number): Dispatch[] {
  const { gpu } = s;
  const { V, H, G, B } = s.dims;
  const r0 = baseRow(s, m);
  const dG = dgRow(s, k, r0, steps); // (steps·B, G)
  const out = [matmul(gpu, { a: dG, b: hRow(s, k, r0, steps), c: grad(s, w(m, 'weight_hh', k)), M: G, N: H, K: steps * B, transA: true, label: `${m}.l${k}.dW_hh` })];
  if (k > 0 || s.drop) return [...out, ...inputBackward(s, m, k, steps)];
  // Through the table: dP (V, G) = Σ of dG rows per token (buckets of the ids made by setBatch);
  // the table's own backward comes after both modules' (tablesBackward).
  return [...out, embeddingBucketSum(gpu, { dOut: dG, dWeight: dptab(s, m), vocab: V, dim: G, scratch: s.embScratch[m === 'encoder' ? 0 : 1], label: `${m}.l0.dP` })];
}

/**
 * One tensor of both modules as a batch of two matmul items, the encoder's first: a view from
 * the encoder's to the end of the decoder's, and the distance between them.
 */
function bothModules(s: LstmStack, of: (s: LstmStack, name: string) => View, name: (m: Module) => string): { view: View; stride: number } {
  const [enc, dec] = [of(s, name('encoder')), of(s, name('decoder'))];
  const stride = dec.offset - enc.offset;
  if (stride < enc.length) throw new Error(`The arena must hold ${name('encoder')} before ${name('decoder')}, apart.`);
  return { view: { buffer: enc.buffer, offset: enc.offset, length: stride + dec.length }, stride };
}

/**
 * The layer-0 tables' backward of both modules at once, after both modules' dP (V, G) (encoder's
 * then decoder's, one buffer): each matmul batches the two (the same arithmetic per module as two
 * matmuls), dW_ih = dPᵀ·emb, d emb = dP·W_ih; then db_ih = db_hh = column sums of dP. Nothing
 * when the tables are not used (dropout in training).
 */
export function tablesBackward(s: LstmStack): Dispatch[] {
  if (s.drop) return [];
  const { gpu } = s;
  const { V, E, G } = s.dims;
  const dP = { a: s.dPtab, strideA: V * G };
  const [emb, dEmb] = [bothModules(s, param, embName), bothModules(s, grad, embName)];
  const [wIh, dWIh] = [bothModules(s, param, (m) => w(m, 'weight_ih', 0)), bothModules(s, grad, (m) => w(m, 'weight_ih', 0))];
  const biases = (['encoder', 'decoder'] as const).map((m) =>
    columnSum(gpu, { dy: dptab(s, m), db: grad(s, w(m, 'bias_ih', 0)), copy: grad(s, w(m, 'bias_hh', 0)), rows: V, cols: G, label: `${m}.l0.db` }),
  );
  return [
    matmul(gpu, { ...dP, b: emb.view, strideB: emb.stride, c: dWIh.view, strideC: dWIh.stride, M: G, N: E, K: V, transA: true, batch: 2, label: 'tables.l0.dW_ih' }),
    matmul(gpu, { ...dP, b: wIh.view, strideB: wIh.stride, c: dEmb.view, strideC: dEmb.stride, M: V, N: E, K: G, batch: 2, label: 'tables.l0.dEmbedding' }),
    ...biases,
  ];
}
