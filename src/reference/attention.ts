// Float64 CPU reference of Luong 2015 global attention with the "general" score (docs/contract.md §3
// `attn`): the math of a whole attention run per query row, forward and backward (used by the
// model reference, reference/attn_model.ts), and at the end the kernels between the GPU's
// matmuls (shaders/attention.wgsl, same names: copy_rows, masked_softmax and its backward):
//   K_s = W_a h̄_s                     keys, one matmul over the encoder states (ops/matmul)
//   score_rs = q_r · K_s              for s < len(b(r))
//   A_r = softmax over s < len(b(r))  padding s >= len gets weight 0
//   cat_r = [c_r ; q_r],  c_r = Σ_s A_rs h̄_s   (context first, as W_c reads it)
//
// Letters: R query rows, S source positions (max_length), B samples, H hidden.
// Queries are rows (R, H); encoder states and keys are time-major (S, B, H). Row r belongs
// to sample b(r) = floor(r / group) mod B: group 1 for time-major rows t·B + b (training,
// greedy steps), group K for beam rows b·K + i.

export interface AttentionShape {
  R: number;
  S: number;
  B: number;
  H: number;
  /** Rows per sample in a run (1: rows t·B + b; K: beam rows b·K + i). */
  group: number;
}

export const sampleOf = (x: AttentionShape, r: number) => Math.floor(r / x.group) % x.B;

/** A (R, S): masked softmax of q_r · K_s over s < lengths[b(r)], zero past the length. */
export function attentionWeightsForward(x: AttentionShape, q: ArrayLike<number>, keys: ArrayLike<number>, lengths: ArrayLike<number>): Float64Array {
  const { R, S, B, H } = x;
  const A = new Float64Array(R * S);
  for (let r = 0; r < R; r++) {
    const b = sampleOf(x, r);
    const len = lengths[b];
    let mx = -Infinity;
    for (let s = 0; s < len; s++) {
      let dot = 0;
      for (let j = 0; j < H; j++) dot += q[r * H + j] * keys[(s * B + b) * H + j];
      A[r * S + s] = dot;
      mx = Math.max(mx, dot);
    }
    let z = 0;
    for (let s = 0; s < len; s++) z += Math.exp(A[r * S + s] - mx);
    for (let s = 0; s < len; s++) A[r * S + s] = Math.exp(A[r * S + s] - mx) / z;
  }
  return A;
}

/** cat (R, 2H) = [Σ_s A_rs h̄_s ; q_r]. */
export function attentionContextForward(x: AttentionShape, A: ArrayLike<number>, hbar: ArrayLike<number>, q: ArrayLike<number>): Float64Array {
  const { R, S, B, H } = x;
  const cat = new Float64Array(R * 2 * H);
  for (let r = 0; r < R; r++) {
    const b = sampleOf(x, r);
    for (let j = 0; j < H; j++) {
      let c = 0;
      for (let s = 0; s < S; s++) c += A[r * S + s] * hbar[(s * B + b) * H + j];
      cat[r * 2 * H + j] = c;
      cat[r * 2 * H + H + j] = q[r * H + j];
    }
  }
  return cat;
}

/**
 * dScores (R, S): the softmax backward of dA_rs = dc_r · h̄_s (dc = dCat[:, :H]):
 * dScore_rs = A_rs (dA_rs − Σ_s' A_rs' dA_rs'); zero past the length (A is zero there).
 */
export function attentionWeightsBackward(x: AttentionShape, A: ArrayLike<number>, dCat: ArrayLike<number>, hbar: ArrayLike<number>): Float64Array {
  const { R, S, B, H } = x;
  const dS = new Float64Array(R * S);
  for (let r = 0; r < R; r++) {
    const b = sampleOf(x, r);
    let sum = 0;
    for (let s = 0; s < S; s++) {
      let da = 0;
      for (let j = 0; j < H; j++) da += dCat[r * 2 * H + j] * hbar[(s * B + b) * H + j];
      dS[r * S + s] = da;
      sum += A[r * S + s] * da;
    }
    for (let s = 0; s < S; s++) dS[r * S + s] = A[r * S + s] * (dS[r * S + s] - sum);
  }
  return dS;
}

/** dq (R, H) = dCat[:, H:] + Σ_s dScore_rs K_s. */
export function attentionQueryBackward(x: AttentionShape, dScores: ArrayLike<number>, keys: ArrayLike<number>, dCat: ArrayLike<number>): Float64Array {
  const { R, S, B, H } = x;
  const dq = new Float64Array(R * H);
  for (let r = 0; r < R; r++) {
    const b = sampleOf(x, r);
    for (let j = 0; j < H; j++) {
      let v = dCat[r * 2 * H + H + j];
      for (let s = 0; s < S; s++) v += dScores[r * S + s] * keys[(s * B + b) * H + j];
      dq[r * H + j] = v;
    }
  }
  return dq;
}

/**
 * Gradients of the keys and of the encoder states through the context, both (S, B, H),
 * for time-major rows r = t·B + b (group 1):
 *   dK_sb = Σ_t dScore_(tB+b)s q_(tB+b),   dh̄_sb = Σ_t A_(tB+b)s dc_(tB+b).
 */
export function attentionKeysBackward(x: AttentionShape, dScores: ArrayLike<number>, A: ArrayLike<number>, q: ArrayLike<number>, dCat: ArrayLike<number>): { dKeys: Float64Array; dHbar: Float64Array } {
  const { R, S, B, H } = x;
  if (x.group !== 1 || R % B !== 0) throw new RangeError('attentionKeysBackward: rows must be time-major t·B + b (group 1, R a multiple of B).');
  const dKeys = new Float64Array(S * B * H);
  const dHbar = new Float64Array(S * B * H);
  for (let s = 0; s < S; s++) {
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        let dk = 0;
        let dh = 0;
        for (let r = b; r < R; r += B) {
          dk += dScores[r * S + s] * q[r * H + j];
          dh += A[r * S + s] * dCat[r * 2 * H + j];
        }
        dKeys[(s * B + b) * H + j] = dk;
        dHbar[(s * B + b) * H + j] = dh;
      }
    }
  }
  return { dKeys, dHbar };
}

// ---- the kernels between the GPU's matmuls (shaders/attention.wgsl) ----

export interface CopyRows {
  rows: number;
  W: number;
  /** Elements per row (default W) and the first column (default 0). */
  inStride?: number;
  inCol?: number;
  outStride?: number;
  outCol?: number;
}

/** out[r, outCol : outCol + W] = input[r, inCol : inCol + W]; the rest of `out` kept. Returns out. */
export function copyRows<T extends Float64Array | number[]>(input: ArrayLike<number>, out: T, x: CopyRows): T {
  const [inStride, outStride, inCol, outCol] = [x.inStride ?? x.W, x.outStride ?? x.W, x.inCol ?? 0, x.outCol ?? 0];
  for (let r = 0; r < x.rows; r++) for (let j = 0; j < x.W; j++) out[r * outStride + outCol + j] = input[r * inStride + inCol + j];
  return out;
}

/** Rows r of S scores, sample (r / group) % B. */
export interface SoftmaxRows {
  R: number;
  S: number;
  B: number;
  group: number;
  /** Scores are multiplied by it before the softmax (default 1), e.g. 1/√d_head. */
  scale?: number;
  /**
   * Causal mask (default 0: none): row r is query position t = r mod causal, which sees only
   * s <= t (the decoder's self-attention over T = causal positions).
   */
  causal?: number;
}

/** The row's visible prefix: s < len(b(r)), and s <= t under a causal mask. */
export function rowLength(x: SoftmaxRows, lengths: ArrayLike<number>, r: number): number {
  const len = Math.max(0, Math.min(x.S, lengths[Math.floor(r / x.group) % x.B]));
  return x.causal ? Math.min(len, (r % x.causal) + 1) : len;
}

/** Softmax of scale·score over the visible prefix of each row of scores (R, S); exactly 0 past it. */
export function maskedSoftmax(x: SoftmaxRows, scores: ArrayLike<number>, lengths: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.R * x.S);
  const k = x.scale ?? 1;
  for (let r = 0; r < x.R; r++) {
    const len = rowLength(x, lengths, r);
    let mx = -Infinity;
    for (let s = 0; s < len; s++) mx = Math.max(mx, k * scores[r * x.S + s]);
    let z = 0;
    for (let s = 0; s < len; s++) z += Math.exp(k * scores[r * x.S + s] - mx);
    for (let s = 0; s < len; s++) out[r * x.S + s] = Math.exp(k * scores[r * x.S + s] - mx) / z;
  }
  return out;
}

/** dScores (R, S) = scale·A ⊙ (dA − Σ_s A dA) per row, 0 past the visible prefix. */
export function maskedSoftmaxBackward(x: SoftmaxRows, A: ArrayLike<number>, dA: ArrayLike<number>, lengths: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.R * x.S);
  const k = x.scale ?? 1;
  for (let r = 0; r < x.R; r++) {
    const len = rowLength(x, lengths, r);
    let sum = 0;
    for (let s = 0; s < len; s++) sum += A[r * x.S + s] * dA[r * x.S + s];
    for (let s = 0; s < len; s++) out[r * x.S + s] = k * A[r * x.S + s] * (dA[r * x.S + s] - sum);
  }
  return out;
}
