// Float64 CPU reference of shaders/cross_entropy.wgsl: mean softmax cross-entropy over
// the rows whose target is not PAD (0), its gradient, and greedy argmax.
import { PAD } from '../task/sample.ts';

function check(logits: ArrayLike<number>, targets: ArrayLike<number>, rows: number, vocab: number, fn: string): void {
  if (logits.length !== rows * vocab) throw new Error(`${fn}: logits have ${logits.length} elements, expected ${rows}×${vocab}.`);
  if (targets.length !== rows) throw new Error(`${fn}: ${targets.length} targets for ${rows} rows.`);
  for (let r = 0; r < rows; r++) {
    if (!Number.isInteger(targets[r]) || targets[r] < 0 || targets[r] >= vocab) throw new Error(`${fn}: targets[${r}] = ${targets[r]} is outside [0, ${vocab}).`);
  }
}

/** -log softmax(logits[r])[t] for one row.  row: (V) */
function rowLoss(logits: ArrayLike<number>, base: number, vocab: number, t: number): number {
  let mx = -Infinity;
  for (let j = 0; j < vocab; j++) mx = Math.max(mx, logits[base + j]);
  let s = 0;
  for (let j = 0; j < vocab; j++) s += Math.exp(logits[base + j] - mx);
  return Math.log(s) - (logits[base + t] - mx);
}

export interface CrossEntropyResult {
  /** Mean over counted rows; 0 when no row counts. */
  loss: number;
  /** Rows whose target is not PAD. */
  count: number;
  /** Per-row loss, 0 for ignored rows.  (R) */
  rowLoss: Float64Array;
}

/** logits: (R, V), targets: (R) */
export function crossEntropyForward(logits: ArrayLike<number>, targets: ArrayLike<number>, rows: number, vocab: number): CrossEntropyResult {
  check(logits, targets, rows, vocab, 'crossEntropyForward');
  const losses = new Float64Array(rows);
  let count = 0;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    if (targets[r] === PAD) continue;
    losses[r] = rowLoss(logits, r * vocab, vocab, targets[r]);
    total += losses[r];
    count++;
  }
  return { loss: count > 0 ? total / count : 0, count, rowLoss: losses };
}

/** dLogits = (softmax - onehot) / count on counted rows, 0 on ignored rows.  (R, V) */
export function crossEntropyBackward(logits: ArrayLike<number>, targets: ArrayLike<number>, rows: number, vocab: number): Float64Array {
  check(logits, targets, rows, vocab, 'crossEntropyBackward');
  let count = 0;
  for (let r = 0; r < rows; r++) if (targets[r] !== PAD) count++;
  const d = new Float64Array(rows * vocab);
  for (let r = 0; r < rows; r++) {
    if (targets[r] === PAD) continue;
    const base = r * vocab;
    let mx = -Infinity;
    for (let j = 0; j < vocab; j++) mx = Math.max(mx, logits[base + j]);
    let s = 0;
    for (let j = 0; j < vocab; j++) s += Math.exp(logits[base + j] - mx);
    for (let j = 0; j < vocab; j++) d[base + j] = (Math.exp(logits[base + j] - mx) / s - (j === targets[r] ? 1 : 0)) / count;
  }
  return d;
}

/** Index of each row's maximum, the lowest index on ties.  x: (R, V) -> (R) */
export function argmax(x: ArrayLike<number>, rows: number, cols: number): Int32Array {
  if (x.length !== rows * cols) throw new Error(`argmax: x has ${x.length} elements, expected ${rows}×${cols}.`);
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = x[r * cols];
    let idx = 0;
    for (let j = 1; j < cols; j++) {
      if (x[r * cols + j] > best) {
        best = x[r * cols + j];
        idx = j;
      }
    }
    out[r] = idx;
  }
  return out;
}
