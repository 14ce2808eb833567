// Recorders of Luong global attention (SPEC §3 `attn`) over an LSTM stack: the keys once per
// batch, the attention of a run of decoder steps (all T in training, one per greedy step),
// and its backward. Kernels: ops/attention.ts; float64 reference: reference/attn_model.ts.
//
//   keys (S·B, H) = h̄ W_aᵀ            h̄ = the encoder's top outputs, time-major
//   weights (R, S), cat (R, 2H) = [c ; h]   R = n·B rows of decoder steps t0 .. t0+n-1
//   h̃ (R, H) = tanh(cat W_cᵀ)        then `output` reads h̃ instead of h
import { slice, view, type View } from '../../gpu/buffers.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { activationBackward, activationForward } from '../../ops/activation.ts';
import { attentionBackward, attentionContext, attentionWeights } from '../../ops/attention.ts';
import { matmul } from '../../ops/matmul.ts';
import { decoderTop, encoderTop, grad, param, type Allocate, type LstmStack } from './lstm_stack.ts';

export interface AttentionLayer {
  s: LstmStack;
  /** (S·B, H) */
  keys: View;
  /** (Tm·B, S), (Tm·B, 2H), (Tm·B, H): rows t·B + b of decoder step t. */
  weights: View;
  cat: View;
  hTilde: View;
  /** Backward scratch: (T·B, H), (T·B, 2H), (T·B, S), (S·B, H), (S·B, H). */
  dHTilde: View;
  dCat: View;
  dScores: View;
  dKeys: View;
  dHbar: View;
}

export function createAttentionLayer(s: LstmStack, buf: Allocate): AttentionLayer {
  const { S, T, Tm, B, H } = s.dims;
  const v = (label: string, n: number) => view(buf(label, n));
  return {
    s,
    keys: v('attention.keys', S * B * H),
    weights: v('attention.weights', Tm * B * S),
    cat: v('attention.cat', Tm * B * 2 * H),
    hTilde: v('attention.hTilde', Tm * B * H),
    dHTilde: v('attention.dHTilde', T * B * H),
    dCat: v('attention.dCat', T * B * 2 * H),
    dScores: v('attention.dScores', T * B * S),
    dKeys: v('attention.dKeys', S * B * H),
    dHbar: v('attention.dHbar', S * B * H),
  };
}

/** Rows of decoder steps t0 .. t0+n-1 in a (Tm·B, width) buffer. */
const rows = (a: AttentionLayer, x: View, width: number, t0: number, n: number) => slice(x, t0 * a.s.dims.B * width, n * a.s.dims.B * width);

/** keys = h̄ W_aᵀ, once per batch after the encoder. */
export function attentionKeys(a: AttentionLayer): Dispatch {
  const { S, B, H } = a.s.dims;
  return matmul(a.s.gpu, { a: encoderTop(a.s), b: param(a.s, 'attention.weight'), c: a.keys, M: S * B, N: H, K: H, transB: true, label: 'attention.keys' });
}

/** Where one attention run reads and writes: R query rows of samples (r / group) % B. */
export interface AttendRows {
  /** (R, H) queries: the decoder's top outputs. */
  q: View;
  R: number;
  group: number;
  /** (R, S), (R, 2H), (R, H) outputs. */
  weights: View;
  cat: View;
  hTilde: View;
  label: string;
}

/** weights, cat = [c ; q] and h̃ = tanh(cat W_cᵀ) of R query rows over the batch's keys. */
export function attendRows(a: AttentionLayer, x: AttendRows): Dispatch[] {
  const { s } = a;
  const { S, B, H } = s.dims;
  const shape = { R: x.R, S, B, H, group: x.group };
  return [
    attentionWeights(s.gpu, { ...shape, q: x.q, keys: a.keys, lengths: s.lengths, weights: x.weights, label: `${x.label}.weights` }),
    attentionContext(s.gpu, { ...shape, weights: x.weights, hbar: encoderTop(s), q: x.q, lengths: s.lengths, cat: x.cat, label: `${x.label}.context` }),
    matmul(s.gpu, { a: x.cat, b: param(s, 'attention_combine.weight'), c: x.hTilde, M: x.R, N: H, K: 2 * H, transB: true, label: `${x.label}.combine` }),
    activationForward(s.gpu, { act: 'tanh', x: x.hTilde, label: `${x.label}.tanh` }),
  ];
}

/** Weights, context and h̃ of decoder steps t0 .. t0+n-1 (their top outputs already computed). */
export function attendForward(a: AttentionLayer, t0: number, n: number, label = 'attention'): Dispatch[] {
  const { S, B, H } = a.s.dims;
  const [weights, cat, hTilde] = [rows(a, a.weights, S, t0, n), rows(a, a.cat, 2 * H, t0, n), rows(a, a.hTilde, H, t0, n)];
  return attendRows(a, { q: decoderTop(a.s, t0, n), R: n * B, group: 1, weights, cat, hTilde, label });
}

/** (T·B, H) h̃ of every training step, what `output` reads. */
export const trainHTilde = (a: AttentionLayer) => rows(a, a.hTilde, a.s.dims.H, 0, a.s.dims.T);

/**
 * Backward of attendForward over all T steps from dHTilde (filled by the output layer):
 * the combine's and W_a's gradients, the decoder top's gradient into s.dHtop, and the encoder
 * top's into dHbar (the stack's backward reads both).
 */
export function attendBackward(a: AttentionLayer): Dispatch[] {
  const { s } = a;
  const { gpu } = s;
  const { S, T, B, H } = s.dims;
  const R = T * B;
  const cat = rows(a, a.cat, 2 * H, 0, T);
  const weights = rows(a, a.weights, S, 0, T);
  return [
    activationBackward(gpu, { act: 'tanh', y: trainHTilde(a), dy: a.dHTilde, label: 'attention.tanh_backward' }),
    matmul(gpu, { a: a.dHTilde, b: cat, c: grad(s, 'attention_combine.weight'), M: H, N: 2 * H, K: R, transA: true, label: 'attention.dW_combine' }),
    matmul(gpu, { a: a.dHTilde, b: param(s, 'attention_combine.weight'), c: a.dCat, M: R, N: 2 * H, K: H, label: 'attention.dCat' }),
    ...attentionBackward(gpu, { R, S, B, H, weights, dCat: a.dCat, q: decoderTop(s, 0, T), keys: a.keys, hbar: encoderTop(s), lengths: s.lengths, dScores: a.dScores, dq: s.dHtop, dKeys: a.dKeys, dHbar: a.dHbar, label: 'attention.backward' }),
    matmul(gpu, { a: a.dKeys, b: param(s, 'attention.weight'), c: a.dHbar, M: S * B, N: H, K: H, accumulate: true, label: 'attention.dHbar_keys' }),
    matmul(gpu, { a: a.dKeys, b: encoderTop(s), c: grad(s, 'attention.weight'), M: H, N: H, K: S * B, transA: true, label: 'attention.dW' }),
  ];
}
