// Multi-head scaled dot-product attention recorded as strided batched matmuls around the
// masked softmax (ops/attention.ts), forward and backward. Float64 reference:
// src/reference/multihead.ts. Heads are column ranges [h·d_h, (h+1)·d_h) of the projected
// rows, read in place through row and sample strides: no transposes, no copies, so Q, K and V
// can sit side by side in one in-projection output (rows of 3d), batch-major or time-major.
// One matmul per head, batched over the B samples; the scores of every head and sample go
// through one softmax dispatch.
// Letters: B samples, T query positions, S key positions, d width, d_h = d / heads.
import { slice, type View } from '../../gpu/buffers.ts';
import type { Gpu } from '../../gpu/context.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { maskedSoftmax, maskedSoftmaxBackward } from '../../ops/attention.ts';
import { matmul } from '../../ops/matmul.ts';
import { dropout, type DropoutArgs } from '../../ops/dropout.ts';
import { checkHeads, scoreRows, type MultiheadShape } from '../../reference/multihead.ts';

/**
 * B·N vectors of width d starting at `v`'s first element: position n of sample b at
 * b·sample + n·row. Batch-major rows b·N + n of width ld: row ld, sample N·ld; time-major rows
 * n·B + b: row B·ld, sample ld.
 */
export interface Rows {
  v: View;
  row: number;
  sample: number;
}

/** Rows of width `ld` (B, N) batch-major or (N, B) time-major. */
export function rowsOf(v: View, ld: number, order: 'batch' | 'time', B: number, N: number): Rows {
  return order === 'batch' ? { v, row: ld, sample: N * ld } : { v, row: B * ld, sample: ld };
}

export interface MultiheadArgs extends MultiheadShape {
  q: Rows; // (B·T, d) queries
  k: Rows; // (B·S, d) keys
  val: Rows; // (B·S, d) values
  lengths: View; // (B) i32 keys s < len(b) are visible
  /** (B, heads, T, S): the attention weights, kept for the backward. */
  weights: View;
  /** (B·T, d): the heads' outputs side by side, as nn.MultiheadAttention before out_proj. */
  out: Rows;
  /** Dropout on the weights (nn.MultiheadAttention's): the mask's key and (B, heads, T, S) for the dropped weights. */
  dropout?: { key: Omit<DropoutArgs, 'x' | 'y' | 'label'>; dropped: View };
  label?: string;
}

/** The weights the context reads: dropped when the attention has dropout. */
const used = (a: MultiheadArgs) => a.dropout?.dropped ?? a.weights;

/** Head h's columns of `r`: a view starting d_h·h elements in. */
const head = (r: Rows, h: number, dh: number): View => slice(r.v, h * dh, r.v.length - h * dh);

export function multiheadForward(gpu: Gpu, a: MultiheadArgs): Dispatch[] {
  const { B, T, S, heads } = a;
  const dh = checkHeads(a);
  const label = a.label ?? 'multihead';
  const TS = T * S;
  const rows = scoreRows(a);
  const out: Dispatch[] = [];
  for (let h = 0; h < heads; h++) {
    // scores_bh (T, S) = Q_bh · K_bhᵀ
    out.push(matmul(gpu, { a: head(a.q, h, dh), b: head(a.k, h, dh), c: slice(a.weights, h * TS, a.weights.length - h * TS), M: T, N: S, K: dh, transB: true, lda: a.q.row, ldb: a.k.row, batch: B, strideA: a.q.sample, strideB: a.k.sample, strideC: heads * TS, label: `${label}.h${h}.scores` }));
  }
  out.push(maskedSoftmax(gpu, { ...rows, lengths: a.lengths, x: a.weights, label: `${label}.softmax` }));
  if (a.dropout) out.push(dropout(gpu, { ...a.dropout.key, x: a.weights, y: a.dropout.dropped, label: `${label}.dropout` }));
  const w = used(a);
  for (let h = 0; h < heads; h++) {
    // out_bh (T, d_h) = drop(A_bh) · V_bh
    out.push(matmul(gpu, { a: slice(w, h * TS, w.length - h * TS), b: head(a.val, h, dh), c: head(a.out, h, dh), M: T, N: dh, K: S, lda: S, ldb: a.val.row, ldc: a.out.row, batch: B, strideA: heads * TS, strideB: a.val.sample, strideC: a.out.sample, label: `${label}.h${h}.context` }));
  }
  return out;
}

export interface MultiheadBackwardArgs extends MultiheadArgs {
  dOut: Rows; // (B·T, d)
  /** (B, heads, T, S) scratch: dA, then the score gradients in place. */
  dScores: View;
  dq: Rows; // (B·T, d) written
  dk: Rows; // (B·S, d) written
  dv: Rows; // (B·S, d) written
}

export function multiheadBackward(gpu: Gpu, a: MultiheadBackwardArgs): Dispatch[] {
  const { B, T, S, heads } = a;
  const dh = checkHeads(a);
  const label = `${a.label ?? 'multihead'}.backward`;
  const TS = T * S;
  const w = used(a);
  const weights = (h: number) => slice(w, h * TS, w.length - h * TS);
  const dScores = (h: number) => slice(a.dScores, h * TS, a.dScores.length - h * TS);
  const dOut = (h: number) => head(a.dOut, h, dh);
  const perSample = { batch: B, strideA: heads * TS };
  const out: Dispatch[] = [];
  for (let h = 0; h < heads; h++) {
    // dA_bh (T, S) = dOut_bh · V_bhᵀ;  dV_bh (S, d_h) = A_bhᵀ · dOut_bh
    out.push(matmul(gpu, { a: dOut(h), b: head(a.val, h, dh), c: dScores(h), M: T, N: S, K: dh, transB: true, lda: a.dOut.row, ldb: a.val.row, batch: B, strideA: a.dOut.sample, strideB: a.val.sample, strideC: heads * TS, label: `${label}.h${h}.dA` }));
    out.push(matmul(gpu, { a: weights(h), b: dOut(h), c: head(a.dv, h, dh), M: S, N: dh, K: T, transA: true, lda: S, ldb: a.dOut.row, ldc: a.dv.row, ...perSample, strideB: a.dOut.sample, strideC: a.dv.sample, label: `${label}.h${h}.dV` }));
  }
  if (a.dropout) out.push(dropout(gpu, { ...a.dropout.key, x: a.dScores, label: `${label}.dropout` }));
  out.push(maskedSoftmaxBackward(gpu, { ...scoreRows(a), lengths: a.lengths, A: a.weights, d: a.dScores, label: `${label}.softmax` }));
  for (let h = 0; h < heads; h++) {
    // dQ_bh (T, d_h) = dScores_bh · K_bh;  dK_bh (S, d_h) = dScores_bhᵀ · Q_bh
    out.push(matmul(gpu, { a: dScores(h), b: head(a.k, h, dh), c: head(a.dq, h, dh), M: T, N: dh, K: S, lda: S, ldb: a.k.row, ldc: a.dq.row, ...perSample, strideB: a.k.sample, strideC: a.dq.sample, label: `${label}.h${h}.dQ` }));
    out.push(matmul(gpu, { a: dScores(h), b: head(a.q, h, dh), c: head(a.dk, h, dh), M: S, N: dh, K: T, transA: true, lda: S, ldb: a.q.row, ldc: a.dk.row, ...perSample, strideB: a.q.sample, strideC: a.dk.sample, label: `${label}.h${h}.dK` }));
  }
  return out;
}
