// One check of GPU output against its float64 reference: |got − want| <= atol + rtol·|want|
// element by element; the worst element is reported, pass or fail.

export interface CheckResult {
  name: string;
  ok: boolean;
  elements: number;
  max_abs_err: number;
  /** The worst element (largest excess over the tolerance) and its two values. */
  worst?: { index: number; got: number; want: number };
}

export function compare(name: string, got: ArrayLike<number>, want: ArrayLike<number>, atol = 0, rtol = 0): CheckResult {
  if (got.length !== want.length) return { name, ok: false, elements: want.length, max_abs_err: Infinity };
  let maxAbs = 0;
  let worst = -1;
  let worstExcess = -Infinity;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    const excess = (Number.isNaN(err) ? Infinity : err) - (atol + rtol * Math.abs(want[i]));
    if (err > maxAbs || Number.isNaN(err)) maxAbs = Number.isNaN(err) ? Infinity : err;
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  const result: CheckResult = { name, ok: worstExcess <= 0, elements: want.length, max_abs_err: maxAbs };
  if (worst >= 0 && worstExcess > 0) result.worst = { index: worst, got: got[worst], want: want[worst] };
  return result;
}

/** The largest |x|: gradient tolerances scale with it. */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}
