// Float64 reference of shaders/positions.wgsl: the Transformer's input, embeddings scaled by
// √d plus sinusoidal positions (Vaswani et al. 2017 §3.5), p counted from 0:
//   PE[p, 2i] = sin(p / 10000^(2i/d)),  PE[p, 2i+1] = cos(p / 10000^(2i/d))
//   y[r] = x[r]·scale + PE[pos(r)],  pos(r) = floor(r / div) mod P
// (batch-major rows b·S + s: div 1, P = S; time-major rows s·B + b: div B). The backward is
// the scale alone: dx = dy·scale.

/** PE (P, d) in float64; an odd d ends with a sine column. */
export function positionTable(P: number, d: number): Float64Array {
  const pe = new Float64Array(P * d);
  for (let p = 0; p < P; p++) {
    for (let j = 0; j < d; j++) {
      const angle = p / 10000 ** ((2 * Math.floor(j / 2)) / d);
      pe[p * d + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return pe;
}

export interface PositionRows {
  R: number;
  d: number;
  P: number;
  div: number;
  scale: number;
}

export const positionOf = (x: PositionRows, r: number) => Math.floor(r / x.div) % x.P;

/** y (R, d) = x·scale + table[pos(r)].  table (P, d) */
export function positionsForward(x: PositionRows, input: ArrayLike<number>, table: ArrayLike<number>): Float64Array {
  const y = new Float64Array(x.R * x.d);
  for (let r = 0; r < x.R; r++) {
    const p = positionOf(x, r);
    for (let j = 0; j < x.d; j++) y[r * x.d + j] = input[r * x.d + j] * x.scale + table[p * x.d + j];
  }
  return y;
}

/** dx = dy·scale.  (R, d) */
export function positionsBackward(x: PositionRows, dy: ArrayLike<number>): Float64Array {
  return Float64Array.from(dy, (v) => v * x.scale);
}
