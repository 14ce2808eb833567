// Float64 CPU reference of shaders/activation.wgsl (entry points activation_forward /
// activation_backward). The backward takes the forward OUTPUT y, so a forward done in
// place (y over x) still has what its backward needs.

/** An elementwise nonlinearity; 'none' is the identity, a matmul epilogue without one. */
export type Activation = 'none' | 'relu' | 'tanh' | 'sigmoid';
/** The ones the activation kernel applies (it has no identity). */
export type Nonlinearity = Exclude<Activation, 'none'>;

export const ACTIVATIONS: readonly Nonlinearity[] = ['relu', 'tanh', 'sigmoid'];

export function activate(act: Activation, x: number): number {
  if (act === 'none') return x;
  if (act === 'relu') return x > 0 ? x : 0;
  if (act === 'tanh') return Math.tanh(x);
  return 1 / (1 + Math.exp(-x));
}

/** act'(x) written in terms of y = act(x). */
export function activationGradFromOutput(act: Activation, y: number): number {
  if (act === 'none') return 1;
  if (act === 'relu') return y > 0 ? 1 : 0;
  if (act === 'tanh') return 1 - y * y;
  return y * (1 - y);
}

/** y = act(x).  x, y: (n) */
export function activationForward(act: Activation, x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v) => activate(act, v));
}

/** dx = dy * act'(y), plus `dxPrev` when accumulating.  y, dy, dx: (n) */
export function activationBackward(act: Activation, y: ArrayLike<number>, dy: ArrayLike<number>, dxPrev?: ArrayLike<number>): Float64Array {
  if (y.length !== dy.length) throw new Error(`activationBackward: y has ${y.length} elements, dy ${dy.length}.`);
  const dx = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) dx[i] = (dxPrev ? dxPrev[i] : 0) + dy[i] * activationGradFromOutput(act, y[i]);
  return dx;
}
