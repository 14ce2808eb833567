// Float64 CPU reference of shaders/optimizer.wgsl: global gradient norm with its clip
// scale, Adam (PyTorch semantics, bias-corrected) and SGD, all updating in place.

/** norm = sqrt(Σ g²); scale = min(1, clipNorm / (norm + 1e-6)), or 1 when clipNorm is 0. */
export function gradNorm(grads: ArrayLike<number>, clipNorm: number): { norm: number; scale: number } {
  let s = 0;
  for (let i = 0; i < grads.length; i++) s += grads[i] * grads[i];
  const norm = Math.sqrt(s);
  return { norm, scale: clipNorm > 0 ? Math.min(1, clipNorm / (norm + 1e-6)) : 1 };
}

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/**
 * One Adam step number `step` (1-based) with g = grads * scale:
 * m = β1 m + (1-β1) g;  v = β2 v + (1-β2) g²;  p -= lr · m̂ / (sqrt(v̂) + ε).
 * params, grads, m, v: (n); params, m and v are updated in place.
 */
export function adamStep(params: Float64Array, grads: ArrayLike<number>, m: Float64Array, v: Float64Array, step: number, scale: number, h: AdamHyper): void {
  const bc1 = 1 - h.beta1 ** step;
  const bc2 = 1 - h.beta2 ** step;
  for (let i = 0; i < params.length; i++) {
    const g = grads[i] * scale;
    m[i] = h.beta1 * m[i] + (1 - h.beta1) * g;
    v[i] = h.beta2 * v[i] + (1 - h.beta2) * g * g;
    params[i] -= (h.lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + h.eps);
  }
}

/** p -= lr · grads · scale, in place.  params, grads: (n) */
export function sgdStep(params: Float64Array, grads: ArrayLike<number>, lr: number, scale: number): void {
  for (let i = 0; i < params.length; i++) params[i] -= lr * grads[i] * scale;
}
