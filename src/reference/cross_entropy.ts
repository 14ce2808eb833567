// Float64 CPU reference of shaders/cross_entropy.wgsl: mean softmax cross-entropy over
// the rows whose target is not PAD (0), its gradient, and greedy argmax. With label smoothing ε
// (PyTorch's CrossEntropyLoss(label_smoothing=ε, ignore_index=PAD)) a counted row's target
// distribution is q = (1 − ε)·onehot(t) + ε/V, so
//   loss_r = (1 − ε)·(−log p_t) + ε·(−Σ_j log p_j)/V,   dlogits_r = (p − q) / count.
import { PAD } from '../task/sample.ts';

function check(logits: ArrayLike<number>, targets: ArrayLike<number>, rows: number, vocab: number, fn: string): void {
  if (logits.length !== rows * vocab) throw new Error(`${fn}: logits have ${logits.length} elements, expected ${rows}×${vocab}.`);
  if (targets.length !== rows) throw new Error(`${fn}: ${targets.length} targets for ${rows} rows.`);
  for (let r = 0; r < rows; r++) {
    if (!Number.isInteger(targets[r]) || targets[r] < 0 || targets[r] >= vocab) throw new Error(`${fn}: targets[${r}] = ${targets[r]} is outside [0, ${vocab}).`);
  }
}

function checkSmoothing(eps: number, fn: string): void {
  if (!(eps >= 0 && eps <= 1)) throw new Error(`${fn}: label smoothing must be in [0, 1], got ${eps}.`);
}

/** (1 − ε)·(−log softmax(row)[t]) + ε·mean_j(−log softmax(row)[j]) for one row.  row: (V) */
function rowLoss(logits: ArrayLike<number>, base: number, vocab: number, t: number, eps: number): number {
  let mx = -Infinity;
  for (let j = 0; j < vocab; j++) mx = Math.max(mx, logits[base + j]);
  let s = 0;
  let centred = 0;
  for (let j = 0; j < vocab; j++) {
    s += Math.exp(logits[base + j] - mx);
    centred += logits[base + j] - mx;
  }
  const nll = Math.log(s) - (logits[base + t] - mx);
  return eps === 0 ? nll : (1 - eps) * nll + eps * (Math.log(s) - centred / vocab);
}

export interface CrossEntropyResult {
  /** Mean over counted rows; 0 when no row counts. */
  loss: number;
  /** Rows whose target is not PAD. */
  count: number;
  /** Per-row loss, 0 for ignored rows.  (R) */
  rowLoss: Float64Array;
}

/** logits: (R, V), targets: (R); eps the label smoothing. */
export function crossEntropyForward(logits: ArrayLike<number>, targets: ArrayLike<number>, rows: number, vocab: number, eps = 0): CrossEntropyResult {
  check(logits, targets, rows, vocab, 'crossEntropyForward');
  checkSmoothing(eps, 'crossEntropyForward');
  const losses = new Float64Array(rows);
  let count = 0;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    if (targets[r] === PAD) continue;
    losses[r] = rowLoss(logits, r * vocab, vocab, targets[r], eps);
    total += losses[r];
    count++;
  }
  return { loss: count > 0 ? total / count : 0, count, rowLoss: losses };
}

/** dLogits = (softmax − q) / count on counted rows (q the smoothed target), 0 on ignored rows.  (R, V) */
export function crossEntropyBackward(logits: ArrayLike<number>, targets: ArrayLike<number>, rows: number, vocab: number, eps = 0): Float64Array {
  check(logits, targets, rows, vocab, 'crossEntropyBackward');
  checkSmoothing(eps, 'crossEntropyBackward');
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
    for (let j = 0; j < vocab; j++) d[base + j] = (Math.exp(logits[base + j] - mx) / s - ((j === targets[r] ? 1 - eps : 0) + eps / vocab)) / count;
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
