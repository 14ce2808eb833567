// Float64 CPU reference of one LSTM layer's recurrence over all its steps (what
// shaders/lstm_sequence.wgsl computes in one dispatch), from input projections already formed:
//   pre_t = gx_t + b_hh + h_{t-1}·W_hhᵀ, then the cell (src/reference/lstm.ts).
// Letters: B batch rows, H hidden, steps time steps. Tensors are time-major: gx (steps, B, 4H).
import { lstmCellBackward, lstmCellForward } from './lstm.ts';

export interface RecurrenceForward {
  /** (steps, B, 4H) activated gates. */
  gates: Float64Array;
  /** (1 + steps, B, H): row 0 the initial state, row t+1 the state after step t. */
  h: Float64Array;
  c: Float64Array;
}

/** Row b is live at step t iff t < lengths[b]; without lengths every row is. */
const maskAt = (lengths: ArrayLike<number> | undefined, t: number, B: number) => (lengths ? Array.from({ length: B }, (_, b) => t < lengths[b]) : undefined);

/** rows (n, width) · Wᵀ with W (m, width): (n, m). */
function timesTransposed(x: ArrayLike<number>, w: ArrayLike<number>, n: number, m: number, width: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let r = 0; r < n; r++) {
    for (let q = 0; q < m; q++) {
      let s = 0;
      for (let k = 0; k < width; k++) s += x[r * width + k] * w[q * width + k];
      out[r * m + q] = s;
    }
  }
  return out;
}

/** The forward over `steps` steps.  gx (steps, B, 4H), whh (4H, H), bhh (4H), h0, c0 (B, H). */
export function lstmRecurrenceForward(
  gx: ArrayLike<number>,
  whh: ArrayLike<number>,
  bhh: ArrayLike<number>,
  h0: ArrayLike<number>,
  c0: ArrayLike<number>,
  d: { B: number; H: number; steps: number; lengths?: ArrayLike<number> },
): RecurrenceForward {
  const { B, H, steps } = d;
  const G = 4 * H;
  const out = { gates: new Float64Array(steps * B * G), h: new Float64Array((1 + steps) * B * H), c: new Float64Array((1 + steps) * B * H) };
  out.h.set(Array.from(h0));
  out.c.set(Array.from(c0));
  for (let t = 0; t < steps; t++) {
    const hPrev = out.h.subarray(t * B * H, (t + 1) * B * H);
    const rec = timesTransposed(hPrev, whh, B, G, H);
    const pre = rec.map((v, i) => v + gx[t * B * G + i] + bhh[i % G]);
    const step = lstmCellForward(pre, hPrev, out.c.subarray(t * B * H, (t + 1) * B * H), B, H, maskAt(d.lengths, t, B));
    out.gates.set(step.gates, t * B * G);
    out.h.set(step.h, (t + 1) * B * H);
    out.c.set(step.c, (t + 1) * B * H);
  }
  return out;
}

export interface RecurrenceBackward {
  /** (steps, B, 4H) gradient of the pre-activations. */
  dGates: Float64Array;
  /** (B, H) gradients of the initial state. */
  dh0: Float64Array;
  dc0: Float64Array;
}

/**
 * Backward through time of lstmRecurrenceForward: above (steps, B, H) the gradient of each
 * h_t from outside the recurrence (or none), dh, dc (B, H) those of the final state.
 */
export function lstmRecurrenceBackward(
  fwd: RecurrenceForward,
  whh: ArrayLike<number>,
  above: ArrayLike<number> | undefined,
  dhLast: ArrayLike<number>,
  dcLast: ArrayLike<number>,
  d: { B: number; H: number; steps: number; lengths?: ArrayLike<number> },
): RecurrenceBackward {
  const { B, H, steps } = d;
  const G = 4 * H;
  const n = B * H;
  const dGates = new Float64Array(steps * B * G);
  let dh: Float64Array = Float64Array.from(dhLast);
  let dc: Float64Array = Float64Array.from(dcLast);
  for (let t = steps - 1; t >= 0; t--) {
    if (above) dh = dh.map((v, i) => v + above[t * n + i]);
    const cell = lstmCellBackward(fwd.gates.subarray(t * B * G, (t + 1) * B * G), fwd.c.subarray(t * n, (t + 1) * n), fwd.c.subarray((t + 1) * n, (t + 2) * n), dh, dc, B, H, maskAt(d.lengths, t, B));
    dGates.set(cell.dpre, t * B * G);
    // dh_{t-1} = dhPass + dG_t·W_hh: W_hh (4H, H) is the transpose of what timesTransposed takes.
    const whhT = new Float64Array(H * G);
    for (let q = 0; q < G; q++) for (let k = 0; k < H; k++) whhT[k * G + q] = whh[q * H + k];
    const rec = timesTransposed(cell.dpre, whhT, B, H, G);
    dh = cell.dhPass.map((v, i) => v + rec[i]);
    dc = cell.dcPrev;
  }
  return { dGates, dh0: dh, dc0: dc };
}
