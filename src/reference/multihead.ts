// Float64 reference of multi-head scaled dot-product attention (Vaswani et al. 2017 §3.2.2),
// the math the GPU records as strided batched matmuls around the masked softmax
// (models/layers/multihead.ts). Per sample b and head h, with d_h = d / heads columns
// [h·d_h, (h+1)·d_h) of the projected queries, keys and values:
//   A_bh = softmax(Q_bh K_bhᵀ / √d_h) over keys s < len(b) (and s <= t under the causal mask)
//   O_bh = drop(A_bh) V_bh   (dropout on the weights, as nn.MultiheadAttention, when a key is given)
// Letters: B samples, T query positions, S key positions, d model width, heads.
// Q, O (B, T, d); K, V (B, S, d); A (B, heads, T, S); lengths (B). Fully masked rows give 0.
import { maskedSoftmax, maskedSoftmaxBackward, type SoftmaxRows } from './attention.ts';
import { dropoutBackward, dropoutForward, type DropoutKey } from './dropout.ts';

export interface MultiheadShape {
  B: number;
  T: number;
  S: number;
  d: number;
  heads: number;
  causal: boolean;
}

export function checkHeads(x: MultiheadShape): number {
  if (!Number.isInteger(x.heads) || x.heads < 1 || x.d % x.heads !== 0) throw new RangeError(`multihead: heads (${x.heads}) must divide d (${x.d}).`);
  return x.d / x.heads;
}

/** The softmax rows of the scores (B, heads, T, S): sample of row r = r / (heads·T). */
export function scoreRows(x: MultiheadShape): SoftmaxRows {
  const dh = checkHeads(x);
  return { R: x.B * x.heads * x.T, S: x.S, B: x.B, group: x.heads * x.T, scale: 1 / Math.sqrt(dh), causal: x.causal ? x.T : 0 };
}

/** Σ_j a[ia + j]·b[ib + j] over j < n. */
function dot(a: ArrayLike<number>, ia: number, b: ArrayLike<number>, ib: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += a[ia + j] * b[ib + j];
  return s;
}

/** Raw scores (B, heads, T, S) = Q_bh K_bhᵀ (the scale is the softmax's). */
function scores(x: MultiheadShape, q: ArrayLike<number>, k: ArrayLike<number>): Float64Array {
  const { B, T, S, d, heads } = x;
  const dh = d / heads;
  const sc = new Float64Array(B * heads * T * S);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < heads; h++)
      for (let t = 0; t < T; t++)
        for (let s = 0; s < S; s++) sc[((b * heads + h) * T + t) * S + s] = dot(q, (b * T + t) * d + h * dh, k, (b * S + s) * d + h * dh, dh);
  return sc;
}

/** A (B, heads, T, S) the softmax weights; `drop` the key of their dropout mask (index = position in A). */
export function multiheadForward(x: MultiheadShape, q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, lengths: ArrayLike<number>, drop?: DropoutKey): { out: Float64Array; A: Float64Array } {
  const { B, T, S, d, heads } = x;
  const dh = checkHeads(x);
  const A = maskedSoftmax(scoreRows(x), scores(x, q, k), lengths);
  const Ad = drop ? dropoutForward(drop, A) : A;
  const out = new Float64Array(B * T * d);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < heads; h++)
      for (let t = 0; t < T; t++)
        for (let j = 0; j < dh; j++) {
          let o = 0;
          for (let s = 0; s < S; s++) o += Ad[((b * heads + h) * T + t) * S + s] * v[(b * S + s) * d + h * dh + j];
          out[(b * T + t) * d + h * dh + j] = o;
        }
  return { out, A };
}

export interface MultiheadGrads {
  dq: Float64Array; // (B, T, d)
  dk: Float64Array; // (B, S, d)
  dv: Float64Array; // (B, S, d)
}

/** The gradients of Σ dOut ⊙ out; A as the forward returned it. */
export function multiheadBackward(x: MultiheadShape, q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, A: ArrayLike<number>, lengths: ArrayLike<number>, dOut: ArrayLike<number>, drop?: DropoutKey): MultiheadGrads {
  const { B, T, S, d, heads } = x;
  const dh = checkHeads(x);
  const Ad = drop ? dropoutForward(drop, A) : A;
  let dA: Float64Array = new Float64Array(B * heads * T * S);
  const [dq, dk, dv] = [new Float64Array(B * T * d), new Float64Array(B * S * d), new Float64Array(B * S * d)];
  for (let b = 0; b < B; b++)
    for (let h = 0; h < heads; h++)
      for (let t = 0; t < T; t++)
        for (let s = 0; s < S; s++) {
          const a = Ad[((b * heads + h) * T + t) * S + s];
          dA[((b * heads + h) * T + t) * S + s] = dot(dOut, (b * T + t) * d + h * dh, v, (b * S + s) * d + h * dh, dh);
          for (let j = 0; j < dh; j++) dv[(b * S + s) * d + h * dh + j] += a * dOut[(b * T + t) * d + h * dh + j];
        }
  if (drop) dA = dropoutBackward(drop, dA);
  const dS = maskedSoftmaxBackward(scoreRows(x), A, dA, lengths);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < heads; h++)
      for (let t = 0; t < T; t++)
        for (let s = 0; s < S; s++) {
          const g = dS[((b * heads + h) * T + t) * S + s];
          for (let j = 0; j < dh; j++) {
            dq[(b * T + t) * d + h * dh + j] += g * k[(b * S + s) * d + h * dh + j];
            dk[(b * S + s) * d + h * dh + j] += g * q[(b * T + t) * d + h * dh + j];
          }
        }
  return { dq, dk, dv };
}
