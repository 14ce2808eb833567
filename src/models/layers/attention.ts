// Recorders of Luong global attention (docs/contract.md §3 `attn`) over an LSTM stack: the keys once per
// batch, the attention of the decoder's top outputs (all T steps in training, one step per
// greedy step, B·K beam rows), and its backward. Kernels: ops/attention.ts and ops/matmul.ts;
// float64 reference: reference/attn_model.ts.
//
// Everything stays time-major, as the stack has it: attention contracts per sample, and the
// batched matmuls (batch = B) read and write each sample's rows in place through row strides
// (sample b's rows of a time-major (n, B, W) tensor: offset b·W, rows B·W apart), so no
// transposes:
//   K (S, B, H) = h̄ W_aᵀ                                        once per batch
//   scores_b (n, S) = Q_b K_bᵀ;  A = masked softmax (B, n, S);  c_b (n, H) = A_b h̄_b
//   cat (rows, 2H) = [c ; q];  h̃ = tanh(cat W_cᵀ) (tanh in the matmul's epilogue)
// (the softmax's invocations copy q into cat's q half: no dispatch of its own).
// Backward: d[c ; q] = dh̃ W_c in one matmul; its q half is copied (by the softmax backward's
// invocations) to the (T, B, H) rows the stack's backward reads, and dQ = dScores K added there.
import { slice, view, type View } from '../../gpu/buffers.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { maskedSoftmax, maskedSoftmaxBackward } from '../../ops/attention.ts';
import { matmul } from '../../ops/matmul.ts';
import { decoderTop, encoderTop, grad, param, type Allocate, type LstmStack } from './lstm_stack.ts';

export interface AttentionLayer {
  s: LstmStack;
  /** (S, B, H) keys, time-major like h̄. */
  keys: View;
  /** Training: weights (B, T, S) batch-major; greedy step t: rows [t·B, (t+1)·B) of (B, 1, S). */
  weights: View;
  /** (Tm, B, 2H) [c ; q] and (Tm, B, H) h̃, time-major: rows t·B + b of decoder step t. */
  cat: View;
  hTilde: View;
  /** Backward scratch. (T, B, H): the gradient at the combine's output, before its tanh (the output layer's backward takes it through). */
  dHTilde: View;
  dCat: View; // (T, B, 2H): d[c ; q]
  dScores: View; // (B, T, S)
  dKeys: View; // (S, B, H)
  /** (S, B, H): the encoder top's gradient (the stack's backward reads it). */
  dHbar: View;
}

export function createAttentionLayer(s: LstmStack, buf: Allocate): AttentionLayer {
  const { S, T, Tm, B, H } = s.dims;
  const v = (label: string, n: number) => view(buf(`attention.${label}`, n));
  const [SBH, TBH] = [S * B * H, T * B * H];
  return {
    s,
    ...{ keys: v('keys', SBH), weights: v('weights', Tm * B * S), cat: v('cat', Tm * B * 2 * H), hTilde: v('hTilde', Tm * B * H) },
    ...{ dHTilde: v('dHTilde', TBH), dCat: v('dCat', 2 * TBH), dScores: v('dScores', T * B * S), dKeys: v('dKeys', SBH), dHbar: v('dHbar', SBH) },
  };
}

/**
 * Where the rows of one sample lie in a matrix of rows `width` wide: query i of sample b is
 * row b·sampleStep + i·rowStep (training: rows t·B + b, so rowStep B, sampleStep 1; beam rows
 * b·K + i: rowStep 1, sampleStep K). As matmul strides: item b at offset b·sampleStep·width.
 */
export interface RowLayout {
  rowStep: number;
  sampleStep: number;
}
const strides = (l: RowLayout, width: number) => ({ stride: l.sampleStep * width, ld: l.rowStep * width });
/** Sample b's S rows of a time-major (S, B, H) tensor. */
const timeMajor = (a: AttentionLayer) => strides({ rowStep: a.s.dims.B, sampleStep: 1 }, a.s.dims.H);

/** K = h̄ W_aᵀ: once per batch, after the encoder. */
export function attentionKeys(a: AttentionLayer): Dispatch[] {
  const { S, B, H } = a.s.dims;
  return [matmul(a.s.gpu, { a: encoderTop(a.s), b: param(a.s, 'attention.weight'), c: a.keys, M: S * B, N: H, K: H, transB: true, label: 'attention.keys' })];
}

/** One attention run: n query rows per sample, laid out in q, cat and hTilde as `layout` says. */
export interface AttendRows {
  /** (B·n, H) queries. */
  q: View;
  n: number;
  layout: RowLayout;
  /** (B, n, S) out, batch-major. */
  weights: View;
  /** (B·n, 2H) and (B·n, H) out, rows as in q. */
  cat: View;
  hTilde: View;
  label: string;
}

/** Scores, masked softmax and context (batched over samples) into [c ; q], then h̃ = tanh(cat W_cᵀ). */
export function attendRows(a: AttentionLayer, x: AttendRows): Dispatch[] {
  const { gpu } = a.s;
  const { S, B, H } = a.s.dims;
  const { n } = x;
  const [q, cat, states] = [strides(x.layout, H), strides(x.layout, 2 * H), timeMajor(a)];
  const perSample = { batch: B, strideB: states.stride, ldb: states.ld };
  return [
    matmul(gpu, { a: x.q, b: a.keys, c: x.weights, M: n, N: S, K: H, transB: true, ...perSample, strideA: q.stride, lda: q.ld, strideC: n * S, label: `${x.label}.scores` }),
    // The softmax's B·n invocations also copy the B·n query rows into cat's q half.
    maskedSoftmax(gpu, { R: B * n, S, B, group: n, lengths: a.s.lengths, x: x.weights, copy: { input: x.q, out: x.cat, W: H, outStride: 2 * H, outCol: H }, label: `${x.label}.softmax_concat` }),
    matmul(gpu, { a: x.weights, b: encoderTop(a.s), c: x.cat, M: n, N: H, K: S, ...perSample, strideA: n * S, strideC: cat.stride, ldc: cat.ld, label: `${x.label}.context` }),
    matmul(gpu, { a: x.cat, b: param(a.s, 'attention_combine.weight'), c: x.hTilde, M: B * n, N: H, K: 2 * H, transB: true, activation: 'tanh', label: `${x.label}.combine` }),
  ];
}

/** Rows [t0·B, (t0+n)·B) of a (Tm·B, width) buffer. */
const stepRows = (a: AttentionLayer, x: View, width: number, t0: number, n: number) => slice(x, t0 * a.s.dims.B * width, n * a.s.dims.B * width);

/** Attention of every training step (their top outputs already computed): h̃ rows t·B + b. */
export function attendTraining(a: AttentionLayer): Dispatch[] {
  const { T, B, H, S } = a.s.dims;
  const layout = { rowStep: B, sampleStep: 1 };
  return attendRows(a, { q: decoderTop(a.s, 0, T), n: T, layout, weights: stepRows(a, a.weights, S, 0, T), cat: stepRows(a, a.cat, 2 * H, 0, T), hTilde: trainHTilde(a), label: 'attention' });
}

/** Attention of greedy step t (its top output already computed): h̃ rows [t·B, (t+1)·B). */
export function attendStep(a: AttentionLayer, t: number): Dispatch[] {
  const { H, S } = a.s.dims;
  const layout = { rowStep: 1, sampleStep: 1 };
  return attendRows(a, { q: decoderTop(a.s, t), n: 1, layout, weights: stepRows(a, a.weights, S, t, 1), cat: stepRows(a, a.cat, 2 * H, t, 1), hTilde: stepRows(a, a.hTilde, H, t, 1), label: `decode.t${t}.attention` });
}

/** (T·B, H) h̃ of every training step, what `output` reads. */
export const trainHTilde = (a: AttentionLayer) => stepRows(a, a.hTilde, a.s.dims.H, 0, a.s.dims.T);

/**
 * Backward of attendTraining and attentionKeys from dHTilde (the output layer's backward fills
 * it, through h̃'s tanh): the
 * combine's and W_a's gradients, the decoder top's gradient into s.dHtop and the encoder top's
 * into dHbar (the stack's backward reads both).
 */
export function attendBackward(a: AttentionLayer): Dispatch[] {
  const { s } = a;
  const { gpu } = s;
  const { S, T, B, H } = s.dims;
  const [weights, cat, q, hbar] = [stepRows(a, a.weights, S, 0, T), stepRows(a, a.cat, 2 * H, 0, T), decoderTop(s, 0, T), encoderTop(s)];
  const tm = timeMajor(a); // sample b's rows of a time-major (·, B, H) tensor
  const dC = strides({ rowStep: B, sampleStep: 1 }, 2 * H); // sample b's rows of dc = dCat[:, :H]
  const perSample = { batch: B, strideA: T * S };
  const timeMajorOut = { strideC: tm.stride, ldc: tm.ld };
  return [
    matmul(gpu, { a: a.dHTilde, b: cat, c: grad(s, 'attention_combine.weight'), M: H, N: 2 * H, K: T * B, transA: true, label: 'attention.dW_combine' }),
    matmul(gpu, { a: a.dHTilde, b: param(s, 'attention_combine.weight'), c: a.dCat, M: T * B, N: 2 * H, K: H, label: 'attention.dCat' }),
    matmul(gpu, { a: a.dCat, b: hbar, c: a.dScores, M: T, N: S, K: H, transB: true, batch: B, strideA: dC.stride, lda: dC.ld, strideB: tm.stride, ldb: tm.ld, strideC: T * S, label: 'attention.dWeights' }),
    // dq = dCat[:, H:] + dScores K: the softmax backward's T·B invocations copy dCat's q half
    // where the stack's backward reads dq, and the matmul adds dScores K there.
    maskedSoftmaxBackward(gpu, { R: B * T, S, B, group: T, lengths: s.lengths, A: weights, d: a.dScores, copy: { input: a.dCat, out: s.dHtop, W: H, inStride: 2 * H, inCol: H }, label: 'attention.softmax_backward_dq' }),
    matmul(gpu, { a: a.dScores, b: a.keys, c: s.dHtop, M: T, N: H, K: S, ...perSample, strideB: tm.stride, ldb: tm.ld, ...timeMajorOut, accumulate: true, label: 'attention.dQ' }),
    matmul(gpu, { a: a.dScores, b: q, c: a.dKeys, M: S, N: H, K: T, transA: true, ...perSample, strideB: tm.stride, ldb: tm.ld, ...timeMajorOut, label: 'attention.dK' }),
    matmul(gpu, { a: weights, b: a.dCat, c: a.dHbar, M: S, N: H, K: T, transA: true, ...perSample, strideB: dC.stride, ldb: dC.ld, ...timeMajorOut, label: 'attention.dHbar' }),
    matmul(gpu, { a: a.dKeys, b: param(s, 'attention.weight'), c: a.dHbar, M: S * B, N: H, K: H, accumulate: true, label: 'attention.dHbar_keys' }),
    matmul(gpu, { a: a.dKeys, b: hbar, c: grad(s, 'attention.weight'), M: H, N: H, K: S * B, transA: true, label: 'attention.dW' }),
  ];
}
