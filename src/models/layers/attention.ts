// Recorders of Luong global attention (docs/contract.md §3 `attn`) over an LSTM stack: the keys once per
// batch, the attention of the decoder's top outputs (all T steps in training, one step per
// greedy step, B·K beam rows), and its backward. Kernels: ops/attention.ts and ops/matmul.ts;
// float64 reference: reference/attn_model.ts.
//
// The LSTM stack is time-major; attention contracts per sample, so it works on batch-major
// copies, where the scores, the context and their gradients are batched matmuls (batch = B):
//   Hb (B, S, H) = h̄ transposed;  Kb (B, S, H) = Hb W_aᵀ                 once per batch
//   scores (B, n, S) = Qb Kbᵀ;  A = masked softmax;  C (B, n, H) = A Hb     n query rows per sample
//   cat (n, B, 2H) = [C ; q] time-major;  h̃ = tanh(cat W_cᵀ)              then `output` reads h̃
import { slice, view, type View } from '../../gpu/buffers.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { activationBackward, activationForward } from '../../ops/activation.ts';
import { attentionConcat, attentionQueryGather, maskedSoftmax, maskedSoftmaxBackward, transposeRows } from '../../ops/attention.ts';
import { matmul } from '../../ops/matmul.ts';
import { decoderTop, encoderTop, grad, param, type Allocate, type LstmStack } from './lstm_stack.ts';

export interface AttentionLayer {
  s: LstmStack;
  /** (B, S, H) encoder top states and keys, batch-major. */
  Hb: View;
  Kb: View;
  /** (B, T, H) training queries, batch-major. */
  Qb: View;
  /** Training: weights (B, T, S), context (B, T, H); greedy step t: rows [t·B, (t+1)·B). */
  weights: View;
  context: View;
  /** (Tm, B, 2H), (Tm, B, H) time-major: rows t·B + b of decoder step t. */
  cat: View;
  hTilde: View;
  /** Backward scratch. */
  dHTilde: View; // (T, B, H)
  dCat: View; // (T, B, 2H)
  dC: View; // (B, T, H)
  dScores: View; // (B, T, S)
  dQb: View; // (B, T, H)
  dKb: View; // (B, S, H)
  dHb: View; // (B, S, H)
  /** (S, B, H): the encoder top's gradient, time-major (the stack's backward reads it). */
  dHbar: View;
}

export function createAttentionLayer(s: LstmStack, buf: Allocate): AttentionLayer {
  const { S, T, Tm, B, H } = s.dims;
  const v = (label: string, n: number) => view(buf(`attention.${label}`, n));
  const [SBH, TBH] = [S * B * H, T * B * H];
  return {
    s,
    ...{ Hb: v('Hb', SBH), Kb: v('Kb', SBH), Qb: v('Qb', TBH) },
    ...{ weights: v('weights', Tm * B * S), context: v('context', Tm * B * H), cat: v('cat', Tm * B * 2 * H), hTilde: v('hTilde', Tm * B * H) },
    ...{ dHTilde: v('dHTilde', TBH), dCat: v('dCat', 2 * TBH), dC: v('dC', TBH), dScores: v('dScores', T * B * S), dQb: v('dQb', TBH) },
    ...{ dKb: v('dKb', SBH), dHb: v('dHb', SBH), dHbar: v('dHbar', SBH) },
  };
}

/** Hb = h̄ batch-major, Kb = Hb W_aᵀ: once per batch, after the encoder. */
export function attentionKeys(a: AttentionLayer): Dispatch[] {
  const { S, B, H } = a.s.dims;
  return [
    transposeRows(a.s.gpu, { input: encoderTop(a.s), out: a.Hb, N1: S, N2: B, W: H, label: 'attention.Hb' }),
    matmul(a.s.gpu, { a: a.Hb, b: param(a.s, 'attention.weight'), c: a.Kb, M: B * S, N: H, K: H, transB: true, label: 'attention.keys' }),
  ];
}

/** One attention run: n query rows per sample, rows b·n + i of qb (B·n, H). */
export interface AttendRows {
  qb: View;
  n: number;
  /** (B·n, S) and (B·n, H) out. */
  weights: View;
  context: View;
  /** The concat's time-major view of the same queries: cat[t, b] = [context[b, t] ; q[t, b]] over (T', B'). */
  concat: { T: number; B: number; q: View };
  /** (B·n, 2H) and (B·n, H) out. */
  cat: View;
  hTilde: View;
  label: string;
}

/** Scores, masked softmax and context (batched over samples), then [c ; h], the combine and tanh. */
export function attendRows(a: AttentionLayer, x: AttendRows): Dispatch[] {
  const { gpu } = a.s;
  const { S, B, H } = a.s.dims;
  const n = x.n;
  const batched = { batch: B, strideB: S * H };
  return [
    matmul(gpu, { a: x.qb, b: a.Kb, c: x.weights, M: n, N: S, K: H, transB: true, ...batched, strideA: n * H, strideC: n * S, label: `${x.label}.scores` }),
    maskedSoftmax(gpu, { R: B * n, S, B, group: n, lengths: a.s.lengths, x: x.weights, label: `${x.label}.softmax` }),
    matmul(gpu, { a: x.weights, b: a.Hb, c: x.context, M: n, N: H, K: S, ...batched, strideA: n * S, strideC: n * H, label: `${x.label}.context` }),
    attentionConcat(gpu, { T: x.concat.T, B: x.concat.B, H, context: x.context, q: x.concat.q, cat: x.cat, label: `${x.label}.concat` }),
    matmul(gpu, { a: x.cat, b: param(a.s, 'attention_combine.weight'), c: x.hTilde, M: B * n, N: H, K: 2 * H, transB: true, label: `${x.label}.combine` }),
    activationForward(gpu, { act: 'tanh', x: x.hTilde, label: `${x.label}.tanh` }),
  ];
}

/** Rows [t0·B, (t0+n)·B) of a (Tm·B, width) buffer. */
const stepRows = (a: AttentionLayer, x: View, width: number, t0: number, n: number) => slice(x, t0 * a.s.dims.B * width, n * a.s.dims.B * width);

/** Attention of every training step (their top outputs already computed): h̃ rows t·B + b. */
export function attendTraining(a: AttentionLayer): Dispatch[] {
  const { T, B, H, S } = a.s.dims;
  const q = decoderTop(a.s, 0, T);
  return [
    transposeRows(a.s.gpu, { input: q, out: a.Qb, N1: T, N2: B, W: H, label: 'attention.Qb' }),
    ...attendRows(a, { qb: a.Qb, n: T, weights: stepRows(a, a.weights, S, 0, T), context: stepRows(a, a.context, H, 0, T), concat: { T, B, q }, cat: stepRows(a, a.cat, 2 * H, 0, T), hTilde: trainHTilde(a), label: 'attention' }),
  ];
}

/** Attention of greedy step t (its top output already computed): h̃ rows [t·B, (t+1)·B). */
export function attendStep(a: AttentionLayer, t: number): Dispatch[] {
  const { B, H, S } = a.s.dims;
  const q = decoderTop(a.s, t);
  const label = `decode.t${t}.attention`;
  return attendRows(a, { qb: q, n: 1, weights: stepRows(a, a.weights, S, t, 1), context: stepRows(a, a.context, H, t, 1), concat: { T: 1, B, q }, cat: stepRows(a, a.cat, 2 * H, t, 1), hTilde: stepRows(a, a.hTilde, H, t, 1), label });
}

/** (T·B, H) h̃ of every training step, what `output` reads. */
export const trainHTilde = (a: AttentionLayer) => stepRows(a, a.hTilde, a.s.dims.H, 0, a.s.dims.T);

/**
 * Backward of attendTraining and attentionKeys from dHTilde (filled by the output layer): the
 * combine's and W_a's gradients, the decoder top's gradient into s.dHtop and the encoder top's
 * into dHbar (the stack's backward reads both).
 */
export function attendBackward(a: AttentionLayer): Dispatch[] {
  const { s } = a;
  const { gpu } = s;
  const { S, T, B, H } = s.dims;
  const [weights, cat] = [stepRows(a, a.weights, S, 0, T), stepRows(a, a.cat, 2 * H, 0, T)];
  const perSample = { batch: B, strideA: T * S };
  return [
    activationBackward(gpu, { act: 'tanh', y: trainHTilde(a), dy: a.dHTilde, label: 'attention.tanh_backward' }),
    matmul(gpu, { a: a.dHTilde, b: cat, c: grad(s, 'attention_combine.weight'), M: H, N: 2 * H, K: T * B, transA: true, label: 'attention.dW_combine' }),
    matmul(gpu, { a: a.dHTilde, b: param(s, 'attention_combine.weight'), c: a.dCat, M: T * B, N: 2 * H, K: H, label: 'attention.dCat' }),
    transposeRows(gpu, { input: a.dCat, out: a.dC, N1: T, N2: B, W: H, inStride: 2 * H, col: 0, label: 'attention.dC' }),
    matmul(gpu, { a: a.dC, b: a.Hb, c: a.dScores, M: T, N: S, K: H, transB: true, batch: B, strideA: T * H, strideB: S * H, strideC: T * S, label: 'attention.dWeights' }),
    maskedSoftmaxBackward(gpu, { R: B * T, S, B, group: T, lengths: s.lengths, A: weights, d: a.dScores, label: 'attention.softmax_backward' }),
    matmul(gpu, { a: a.dScores, b: a.Kb, c: a.dQb, M: T, N: H, K: S, ...perSample, strideB: S * H, strideC: T * H, label: 'attention.dQ' }),
    matmul(gpu, { a: a.dScores, b: a.Qb, c: a.dKb, M: S, N: H, K: T, transA: true, ...perSample, strideB: T * H, strideC: S * H, label: 'attention.dK' }),
    matmul(gpu, { a: weights, b: a.dC, c: a.dHb, M: S, N: H, K: T, transA: true, ...perSample, strideB: T * H, strideC: S * H, label: 'attention.dHb' }),
    matmul(gpu, { a: a.dKb, b: param(s, 'attention.weight'), c: a.dHb, M: B * S, N: H, K: H, accumulate: true, label: 'attention.dHb_keys' }),
    matmul(gpu, { a: a.dKb, b: a.Hb, c: grad(s, 'attention.weight'), M: H, N: H, K: B * S, transA: true, label: 'attention.dW' }),
    attentionQueryGather(gpu, { T, B, H, dCat: a.dCat, dQ: a.dQb, dq: s.dHtop, label: 'attention.dq' }),
    transposeRows(gpu, { input: a.dHb, out: a.dHbar, N1: B, N2: S, W: H, label: 'attention.dHbar' }),
  ];
}
