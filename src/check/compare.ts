// The one tolerance rule of every GPU check (tests, bench, GPU check): element by element
// |got − want| <= atol + rtol·|want|; the worst element is reported, so a failure names the
// tensor, the index and both values. A NaN always fails, and so does an infinity, except
// where the reference holds that same infinity (a dead beam's score is -inf by definition).

export interface Tolerance {
  atol: number;
  rtol: number;
}

/** float32 arithmetic against a float64 reference, a few roundings deep. */
export const F32_TOL: Tolerance = { atol: 1e-5, rtol: 1e-4 };
/** Exact: small integers, copies and gathers. */
export const EXACT: Tolerance = { atol: 0, rtol: 0 };

export interface CheckResult {
  name: string;
  ok: boolean;
  elements: number;
  max_abs_err: number;
  /** The tolerance the check ran under, and the worst error over it (<= 1 passed, 0 exact). */
  atol: number;
  rtol: number;
  over_tolerance: number;
  /** The worst element (largest excess over the tolerance) and its two values, when it failed. */
  worst?: { index: number; got: number; want: number };
}

export function compare(name: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance = F32_TOL): CheckResult {
  const { atol, rtol } = tol;
  if (got.length !== want.length) return { name, ok: false, elements: want.length, max_abs_err: Infinity, atol, rtol, over_tolerance: Infinity, worst: { index: -1, got: got.length, want: want.length } };
  let maxAbs = 0;
  let worst = -1;
  let worstExcess = -Infinity;
  let over = 0;
  for (let i = 0; i < want.length; i++) {
    const raw = got[i] === want[i] ? 0 : Number.isFinite(got[i]) ? Math.abs(got[i] - want[i]) : Infinity;
    const err = Number.isNaN(raw) ? Infinity : raw;
    // An infinite reference allows nothing but itself (its relative allowance would be infinite).
    const allowed = Number.isFinite(want[i]) ? atol + rtol * Math.abs(want[i]) : 0;
    maxAbs = Math.max(maxAbs, err);
    over = Math.max(over, err === 0 ? 0 : err / allowed);
    if (err - allowed > worstExcess) [worstExcess, worst] = [err - allowed, i];
  }
  const result: CheckResult = { name, ok: worstExcess <= 0, elements: want.length, max_abs_err: maxAbs, atol, rtol, over_tolerance: over };
  if (worst >= 0 && worstExcess > 0) result.worst = { index: worst, got: got[worst], want: want[worst] };
  return result;
}

/** One sentence for a failed check; null when it passed. */
export function failure(r: CheckResult): string | null {
  if (r.ok) return null;
  const w = r.worst;
  if (!w) return `${r.name} failed.`;
  if (w.index < 0) return `${r.name}: length ${w.got}, expected ${w.want}.`;
  return `${r.name}[${w.index}] = ${w.got}, expected ${w.want} (|diff| ${Math.abs(w.got - w.want).toExponential(3)} > ${r.atol} + ${r.rtol}·|ref|).`;
}

/** The largest |x|: gradient tolerances scale with it. */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}
