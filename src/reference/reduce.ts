// Float64 CPU reference of shaders/reduce.wgsl: column sums (bias gradients) and the
// sum of squares behind the global gradient norm.

/** db[n] = (dbPrev[n] +) Σ_m dY[m, n].  dY: (M, N), db: (N) */
export function columnSum(dY: ArrayLike<number>, rows: number, cols: number, dbPrev?: ArrayLike<number>): Float64Array {
  if (dY.length !== rows * cols) throw new Error(`columnSum: dY has ${dY.length} elements, expected ${rows}×${cols}.`);
  const db = new Float64Array(cols);
  for (let n = 0; n < cols; n++) {
    let s = 0;
    for (let m = 0; m < rows; m++) s += dY[m * cols + n];
    db[n] = (dbPrev ? dbPrev[n] : 0) + s;
  }
  return db;
}

/** Σ_i x[i]².  x: (n) */
export function sumOfSquares(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}
