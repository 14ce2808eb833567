// Central finite differences, the check of every float64 reference's backward.

export const FD_TOL = { atol: 1e-7, rtol: 1e-6 };
const H = 1e-6;

/** The gradient of the scalar f at x by central differences, one coordinate at a time. */
export function numericGrad(f: (x: Float64Array) => number, x: ArrayLike<number>): Float64Array {
  const p = Float64Array.from(x);
  const g = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const keep = p[i];
    p[i] = keep + H;
    const up = f(p);
    p[i] = keep - H;
    const down = f(p);
    p[i] = keep;
    g[i] = (up - down) / (2 * H);
  }
  return g;
}

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
