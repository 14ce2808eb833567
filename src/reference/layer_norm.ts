// Float64 reference of shaders/layer_norm.wgsl: LayerNorm over the last dimension, as
// PyTorch's nn.LayerNorm(D, eps=1e-5) (biased variance), forward saving each row's mean and
// reciprocal standard deviation, and its backward:
//   x̂ = (x − μ)·rstd,  y = x̂ ⊙ γ + β,  rstd = 1/√(var + eps)
//   g = dy ⊙ γ,  dx = rstd·(g − mean(g) − x̂·mean(g ⊙ x̂)),  dγ = Σ_r dy ⊙ x̂,  dβ = Σ_r dy
// Letters: R rows, D features.

export const LAYER_NORM_EPS = 1e-5;

export interface LayerNormForward {
  y: Float64Array; // (R, D)
  mean: Float64Array; // (R)
  rstd: Float64Array; // (R)
}

/** x (R, D), gamma and beta (D). */
export function layerNormForward(x: ArrayLike<number>, gamma: ArrayLike<number>, beta: ArrayLike<number>, R: number, D: number, eps = LAYER_NORM_EPS): LayerNormForward {
  if (x.length !== R * D || gamma.length !== D || beta.length !== D) throw new Error(`layerNormForward: x must be (${R}, ${D}) and gamma, beta (${D}).`);
  const y = new Float64Array(R * D);
  const mean = new Float64Array(R);
  const rstd = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    let m = 0;
    for (let j = 0; j < D; j++) m += x[r * D + j];
    m /= D;
    let v = 0;
    for (let j = 0; j < D; j++) v += (x[r * D + j] - m) ** 2;
    const s = 1 / Math.sqrt(v / D + eps);
    for (let j = 0; j < D; j++) y[r * D + j] = (x[r * D + j] - m) * s * gamma[j] + beta[j];
    mean[r] = m;
    rstd[r] = s;
  }
  return { y, mean, rstd };
}

export interface LayerNormGrads {
  dx: Float64Array; // (R, D)
  dGamma: Float64Array; // (D)
  dBeta: Float64Array; // (D)
}

/** The gradients of Σ dy ⊙ y; mean and rstd as saved by the forward. */
export function layerNormBackward(x: ArrayLike<number>, gamma: ArrayLike<number>, mean: ArrayLike<number>, rstd: ArrayLike<number>, dy: ArrayLike<number>, R: number, D: number): LayerNormGrads {
  const dx = new Float64Array(R * D);
  const dGamma = new Float64Array(D);
  const dBeta = new Float64Array(D);
  for (let r = 0; r < R; r++) {
    let mg = 0;
    let mgx = 0;
    for (let j = 0; j < D; j++) {
      const xhat = (x[r * D + j] - mean[r]) * rstd[r];
      const g = dy[r * D + j] * gamma[j];
      mg += g;
      mgx += g * xhat;
      dGamma[j] += dy[r * D + j] * xhat;
      dBeta[j] += dy[r * D + j];
    }
    [mg, mgx] = [mg / D, mgx / D];
    for (let j = 0; j < D; j++) {
      const xhat = (x[r * D + j] - mean[r]) * rstd[r];
      dx[r * D + j] = rstd[r] * (dy[r * D + j] * gamma[j] - mg - xhat * mgx);
    }
  }
  return { dx, dGamma, dBeta };
}
