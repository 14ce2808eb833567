// Central finite differences, the check of every float64 reference's backward.

export const FD_TOL = { atol: 1e-7, rtol: 1e-6 };
const H = 1e-6;

/** The gradient of the scalar f at x by central differences, one coordinate at a time. */
export function numericGrad(f: (x: Float64Array) => number, x: ArrayLike<number>): Float64Array {
  const p = Float64Array.from(x);
  return numericGradOf(p, () => f(p));
}

/**
 * The gradient of loss() with respect to w by central differences, moving w in place (and
 * back exactly): for model references that read their parameters from a shared table.
 */
export function numericGradOf(w: { readonly length: number; [i: number]: number }, loss: () => number, h = H): Float64Array {
  const g = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const keep = w[i];
    w[i] = keep + h;
    const up = loss();
    w[i] = keep - h;
    const down = loss();
    w[i] = keep;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
