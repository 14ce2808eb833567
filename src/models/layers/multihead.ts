// Multi-head scaled dot-product attention recorded as strided batched matmuls around the
// masked softmax (ops/attention.ts), forward and backward. Float64 reference:
// src/reference/multihead.ts. Heads are column ranges [h·d_h, (h+1)·d_h) of the projected
// rows, read in place through row strides (ld): no transposes, no copies, so Q, K and V can
// sit side by side in one in-projection output (B·T, 3d) with ld = 3d. One matmul per head,
// batched over the B samples (item b starts T·ld rows further); the scores of every head and
// sample go through one softmax dispatch.
// Letters: B samples, T query positions, S key positions, d width, d_h = d / heads.
import { slice, type View } from '../../gpu/buffers.ts';
import type { Gpu } from '../../gpu/context.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { maskedSoftmax, maskedSoftmaxBackward } from '../../ops/attention.ts';
import { matmul } from '../../ops/matmul.ts';
import { checkHeads, scoreRows, type MultiheadShape } from '../../reference/multihead.ts';

/** Rows of B·N vectors of width d starting at `v`'s first element, `ld` elements apart. */
export interface Rows {
  v: View;
  ld: number;
}

export interface MultiheadArgs extends MultiheadShape {
  q: Rows; // (B·T, d) queries
  k: Rows; // (B·S, d) keys
  val: Rows; // (B·S, d) values
  lengths: View; // (B) i32 keys s < len(b) are visible
  /** (B, heads, T, S): the attention weights, kept for the backward. */
  weights: View;
  /** (B·T, d) packed: the heads' outputs side by side, as nn.MultiheadAttention before out_proj. */
  out: View;
  label?: string;
}

/** Head h's columns of `r`: a view starting d_h·h elements in. */
const head = (r: Rows, h: number, dh: number): View => slice(r.v, h * dh, r.v.length - h * dh);

export function multiheadForward(gpu: Gpu, a: MultiheadArgs): Dispatch[] {
  const { B, T, S, d, heads } = a;
  const dh = checkHeads(a);
  const label = a.label ?? 'multihead';
  const TS = T * S;
  const rows = scoreRows(a);
  const out: Dispatch[] = [];
  for (let h = 0; h < heads; h++) {
    // scores_bh (T, S) = Q_bh · K_bhᵀ
    out.push(matmul(gpu, { a: head(a.q, h, dh), b: head(a.k, h, dh), c: slice(a.weights, h * TS, a.weights.length - h * TS), M: T, N: S, K: dh, transB: true, lda: a.q.ld, ldb: a.k.ld, batch: B, strideA: T * a.q.ld, strideB: S * a.k.ld, strideC: heads * TS, label: `${label}.h${h}.scores` }));
  }
  out.push(maskedSoftmax(gpu, { ...rows, lengths: a.lengths, x: a.weights, label: `${label}.softmax` }));
  for (let h = 0; h < heads; h++) {
    // out_bh (T, d_h) = A_bh · V_bh
    out.push(matmul(gpu, { a: slice(a.weights, h * TS, a.weights.length - h * TS), b: head(a.val, h, dh), c: slice(a.out, h * dh, a.out.length - h * dh), M: T, N: dh, K: S, lda: S, ldb: a.val.ld, ldc: d, batch: B, strideA: heads * TS, strideB: S * a.val.ld, strideC: T * d, label: `${label}.h${h}.context` }));
  }
  return out;
}

export interface MultiheadBackwardArgs extends MultiheadArgs {
  dOut: View; // (B·T, d) packed
  /** (B, heads, T, S) scratch: dA, then the score gradients in place. */
  dScores: View;
  dq: Rows; // (B·T, d) written
  dk: Rows; // (B·S, d) written
  dv: Rows; // (B·S, d) written
}

export function multiheadBackward(gpu: Gpu, a: MultiheadBackwardArgs): Dispatch[] {
  const { B, T, S, d, heads } = a;
  const dh = checkHeads(a);
  const label = `${a.label ?? 'multihead'}.backward`;
  const TS = T * S;
  const weights = (h: number) => slice(a.weights, h * TS, a.weights.length - h * TS);
  const dScores = (h: number) => slice(a.dScores, h * TS, a.dScores.length - h * TS);
  const dOut = (h: number) => slice(a.dOut, h * dh, a.dOut.length - h * dh);
  const perSample = { batch: B, strideA: heads * TS };
  const out: Dispatch[] = [];
  for (let h = 0; h < heads; h++) {
    // dA_bh (T, S) = dOut_bh · V_bhᵀ;  dV_bh (S, d_h) = A_bhᵀ · dOut_bh
    out.push(matmul(gpu, { a: dOut(h), b: head(a.val, h, dh), c: dScores(h), M: T, N: S, K: dh, transB: true, lda: d, ldb: a.val.ld, batch: B, strideA: T * d, strideB: S * a.val.ld, strideC: heads * TS, label: `${label}.h${h}.dA` }));
    out.push(matmul(gpu, { a: weights(h), b: dOut(h), c: head(a.dv, h, dh), M: S, N: dh, K: T, transA: true, lda: S, ldb: d, ldc: a.dv.ld, ...perSample, strideB: T * d, strideC: S * a.dv.ld, label: `${label}.h${h}.dV` }));
  }
  out.push(maskedSoftmaxBackward(gpu, { ...scoreRows(a), lengths: a.lengths, A: a.weights, d: a.dScores, label: `${label}.softmax` }));
  for (let h = 0; h < heads; h++) {
    // dQ_bh (T, d_h) = dScores_bh · K_bh;  dK_bh (S, d_h) = dScores_bhᵀ · Q_bh
    out.push(matmul(gpu, { a: dScores(h), b: head(a.k, h, dh), c: head(a.dq, h, dh), M: T, N: dh, K: S, lda: S, ldb: a.k.ld, ldc: a.dq.ld, ...perSample, strideB: S * a.k.ld, strideC: T * a.dq.ld, label: `${label}.h${h}.dQ` }));
    out.push(matmul(gpu, { a: dScores(h), b: head(a.q, h, dh), c: head(a.dk, h, dh), M: S, N: dh, K: T, transA: true, lda: S, ldb: a.q.ld, ldc: a.dk.ld, ...perSample, strideB: T * a.q.ld, strideC: S * a.dk.ld, label: `${label}.h${h}.dK` }));
  }
  return out;
}
