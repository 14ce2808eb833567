// The float64 reference of one LSTM layer over all its steps (src/reference/lstm_sequence.ts,
// what the sequence kernels compute) checked by central finite differences, with mixed
// lengths (1 and the maximum) and a gradient from outside at every step.
import { describe, it } from 'vitest';
import { lstmRecurrenceBackward, lstmRecurrenceForward } from '../src/reference/lstm_sequence.ts';
import { expectClose, randomArray } from './helpers/close.ts';
import { numericGradOf } from './helpers/finite_diff.ts';

describe('LSTM recurrence reference', () => {
  const [B, H, steps] = [3, 4, 4];
  const G = 4 * H;
  const d = { B, H, steps, lengths: [4, 1, 3] };
  const gx = randomArray(steps * B * G, 21, -1.5, 1.5);
  const whh = randomArray(G * H, 22, -0.6, 0.6);
  const bhh = randomArray(G, 23, -0.5, 0.5);
  const h0 = randomArray(B * H, 24, -0.5, 0.5);
  const c0 = randomArray(B * H, 25);
  const above = randomArray(steps * B * H, 26);
  const dh = randomArray(B * H, 27);
  const dc = randomArray(B * H, 28);
  // A scalar of the outputs: Σ_t above_t ⊙ h_t + dh ⊙ h_last + dc ⊙ c_last.
  const objective = (g: number[], h: number[], c: number[]) => {
    const r = lstmRecurrenceForward(g, whh, bhh, h, c, d);
    let s = 0;
    for (let i = 0; i < steps * B * H; i++) s += above[i] * r.h[B * H + i];
    for (let i = 0; i < B * H; i++) s += dh[i] * r.h[steps * B * H + i] + dc[i] * r.c[steps * B * H + i];
    return s;
  };

  it('backward through time matches finite differences for the input projections and the initial state', () => {
    const g = lstmRecurrenceBackward(lstmRecurrenceForward(gx, whh, bhh, h0, c0, d), whh, above, dh, dc, d);
    const tol = { atol: 1e-7, rtol: 1e-5 };
    // pre_t = gx_t + …, so the gradient of gx is that of the pre-activations.
    expectClose('dGates', g.dGates, numericGradOf(gx, () => objective(gx, h0, c0)), tol);
    expectClose('dh0', g.dh0, numericGradOf(h0, () => objective(gx, h0, c0)), tol);
    expectClose('dc0', g.dc0, numericGradOf(c0, () => objective(gx, h0, c0)), tol);
  });
});
