// Float64 CPU reference of the LSTM cell (shaders/lstm.wgsl), PyTorch gate order i, f, g, o:
//   pre = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh          (B, 4H)
//   i, f, o = σ(pre_i, pre_f, pre_o), g = tanh(pre_g)
//   c' = f⊙c + i⊙g,  h' = o⊙tanh(c')
//   masked rows (mask[b] false) hold: c' = c, h' = h.
// Letters: B batch rows, H hidden, I input width. Activated gates are stored (B, 4H) as
// [i | f | g | o] blocks of H per row, exactly like the GPU's saved gates.

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export interface CellForwardOut {
  /** (B, 4H) activated gates i, f, g, o. */
  gates: Float64Array;
  /** (B, H) */
  c: Float64Array;
  /** (B, H) */
  h: Float64Array;
}

/**
 * The elementwise half of a step (what the GPU cell kernel does once `pre` is formed).
 * pre (B, 4H), hPrev (B, H), cPrev (B, H), mask (B) or undefined for all rows live.
 */
export function lstmCellForward(pre: ArrayLike<number>, hPrev: ArrayLike<number>, cPrev: ArrayLike<number>, B: number, H: number, mask?: ArrayLike<boolean>): CellForwardOut {
  const gates = new Float64Array(B * 4 * H);
  const c = new Float64Array(B * H);
  const h = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      const r = b * 4 * H;
      const i = sigmoid(pre[r + j]);
      const f = sigmoid(pre[r + H + j]);
      const g = Math.tanh(pre[r + 2 * H + j]);
      const o = sigmoid(pre[r + 3 * H + j]);
      gates[r + j] = i;
      gates[r + H + j] = f;
      gates[r + 2 * H + j] = g;
      gates[r + 3 * H + j] = o;
      const live = mask ? mask[b] : true;
      const cn = f * cPrev[b * H + j] + i * g;
      c[b * H + j] = live ? cn : cPrev[b * H + j];
      h[b * H + j] = live ? o * Math.tanh(cn) : hPrev[b * H + j];
    }
  }
  return { gates, c, h };
}

export interface CellBackwardOut {
  /** (B, 4H) gradient of the pre-activations (zero on masked rows). */
  dpre: Float64Array;
  /** (B, H) gradient reaching c. */
  dcPrev: Float64Array;
  /** (B, H) gradient reaching h directly (masked rows pass dh through; live rows 0: their h-gradient goes through dpre·W_hh). */
  dhPass: Float64Array;
}

/**
 * Backward of lstmCellForward. gates (B, 4H) activated, cPrev (B, H), c (B, H) = c' of the
 * step (only read on live rows), dh, dc (B, H) the gradients of h', c'.
 */
export function lstmCellBackward(gates: ArrayLike<number>, cPrev: ArrayLike<number>, c: ArrayLike<number>, dh: ArrayLike<number>, dc: ArrayLike<number>, B: number, H: number, mask?: ArrayLike<boolean>): CellBackwardOut {
  const dpre = new Float64Array(B * 4 * H);
  const dcPrev = new Float64Array(B * H);
  const dhPass = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    const live = mask ? mask[b] : true;
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      if (!live) {
        dcPrev[k] = dc[k];
        dhPass[k] = dh[k];
        continue;
      }
      const r = b * 4 * H;
      const i = gates[r + j];
      const f = gates[r + H + j];
      const g = gates[r + 2 * H + j];
      const o = gates[r + 3 * H + j];
      const tc = Math.tanh(c[k]);
      const dcTotal = dc[k] + dh[k] * o * (1 - tc * tc);
      dpre[r + j] = dcTotal * g * i * (1 - i);
      dpre[r + H + j] = dcTotal * cPrev[k] * f * (1 - f);
      dpre[r + 2 * H + j] = dcTotal * i * (1 - g * g);
      dpre[r + 3 * H + j] = dh[k] * tc * o * (1 - o);
      dcPrev[k] = dcTotal * f;
    }
  }
  return { dpre, dcPrev, dhPass };
}

/** The weights of one LSTM layer, PyTorch layout. */
export interface LstmLayerWeights {
  /** (4H, I) */
  wih: ArrayLike<number>;
  /** (4H, H) */
  whh: ArrayLike<number>;
  /** (4H) */
  bih: ArrayLike<number>;
  /** (4H) */
  bhh: ArrayLike<number>;
}

/** pre (B, 4H) = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh.  x (B, I), h (B, H). */
export function lstmPreactivation(x: ArrayLike<number>, h: ArrayLike<number>, w: LstmLayerWeights, B: number, I: number, H: number): Float64Array {
  const G = 4 * H;
  const pre = new Float64Array(B * G);
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < G; n++) {
      let s = w.bih[n] + w.bhh[n];
      for (let k = 0; k < I; k++) s += x[b * I + k] * w.wih[n * I + k];
      for (let k = 0; k < H; k++) s += h[b * H + k] * w.whh[n * H + k];
      pre[b * G + n] = s;
    }
  }
  return pre;
}

/** A whole step: pre-activation then the cell. */
export function lstmStepForward(x: ArrayLike<number>, hPrev: ArrayLike<number>, cPrev: ArrayLike<number>, w: LstmLayerWeights, B: number, I: number, H: number, mask?: ArrayLike<boolean>): CellForwardOut {
  return lstmCellForward(lstmPreactivation(x, hPrev, w, B, I, H), hPrev, cPrev, B, H, mask);
}

export interface StepGrads {
  /** (B, I) */
  dx: Float64Array;
  /** (B, H) */
  dhPrev: Float64Array;
  /** (B, H) */
  dcPrev: Float64Array;
}

/**
 * Backward of lstmStepForward; accumulates dW_ih, dW_hh, db_ih, db_hh into `dw` (same
 * shapes as the weights) and returns the input and state gradients.
 */
export function lstmStepBackward(
  x: ArrayLike<number>,
  hPrev: ArrayLike<number>,
  cPrev: ArrayLike<number>,
  out: CellForwardOut,
  dh: ArrayLike<number>,
  dc: ArrayLike<number>,
  w: LstmLayerWeights,
  dw: { wih: Float64Array; whh: Float64Array; bih: Float64Array; bhh: Float64Array },
  B: number,
  I: number,
  H: number,
  mask?: ArrayLike<boolean>,
): StepGrads {
  const G = 4 * H;
  const { dpre, dcPrev, dhPass } = lstmCellBackward(out.gates, cPrev, out.c, dh, dc, B, H, mask);
  const dx = new Float64Array(B * I);
  const dhPrev = Float64Array.from(dhPass);
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < G; n++) {
      const d = dpre[b * G + n];
      if (d === 0) continue;
      dw.bih[n] += d;
      dw.bhh[n] += d;
      for (let k = 0; k < I; k++) {
        dw.wih[n * I + k] += d * x[b * I + k];
        dx[b * I + k] += d * w.wih[n * I + k];
      }
      for (let k = 0; k < H; k++) {
        dw.whh[n * H + k] += d * hPrev[b * H + k];
        dhPrev[b * H + k] += d * w.whh[n * H + k];
      }
    }
  }
  return { dx, dhPrev, dcPrev };
}
