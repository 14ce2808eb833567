// The matmul family's kit entries: the shapes a training step runs, derived from the dims
// (R = B·T rows, encoder length S = T − 1), each run by every kernel that fits it on this
// device (matmul_shape.ts). Each entry runs the shapes twice: at the dims as given (odd in
// the tests and the GPU check, so most shapes take the generic kernel and no size divides a
// block or tile), and with H, E, V and S rounded up to multiples of 4, where the vec4, quad
// and tiled kernels apply. T and so R = B·T stay as given: the layouts that need them
// aligned have them as K, and an odd M leaves the vec4 kernels a partial block of rows.
import type { Gpu } from '../../gpu/context.ts';
import { CaseBuffers, caseOf, type OpCase, type OpDims } from '../case.ts';
import { addMatmulShape, emptyWork, everyKernel, type MatmulShape } from './matmul_shape.ts';

/** The sizes the shapes are derived from. */
interface StepSizes {
  B: number;
  T: number;
  S: number;
  H: number;
  E: number;
  V: number;
  R: number;
}

function stepSizes(d: OpDims, aligned: boolean): StepSizes {
  const up = (x: number) => (aligned ? Math.ceil(x / 4) * 4 : x);
  return { B: d.B, T: d.T, S: up(Math.max(1, d.T - 1)), H: up(d.H), E: up(d.E), V: up(d.V), R: d.B * d.T };
}

/** The input projection of an LSTM layer (small integers) and the output projection (floats), forward and both gradients. */
function projections({ R, H, E, V }: StepSizes): MatmulShape[] {
  return [
    { name: 'G = X·W_ihᵀ', layout: 'NT', M: R, N: 4 * H, K: E, integers: true },
    { name: 'dX = dG·W_ih', layout: 'NN', M: R, N: E, K: 4 * H, integers: true },
    { name: 'dW_ih = dGᵀ·X', layout: 'TN', M: 4 * H, N: E, K: R, integers: true },
    { name: 'logits = H·W_outᵀ', layout: 'NT', M: R, N: V, K: H },
    { name: 'dH = dLogits·W_out', layout: 'NN', M: R, N: H, K: V },
    { name: 'dW_out = dLogitsᵀ·H', layout: 'TN', M: V, N: H, K: R },
  ];
}

/** Every epilogue a model's step uses: bias, bias + activation, accumulation from a nonzero start, the tanh gradient. */
function epilogues({ R, H, E, V }: StepSizes): MatmulShape[] {
  return [
    { name: 'G = X·W_ihᵀ + b', layout: 'NT', M: R, N: 4 * H, K: E, epilogue: 'bias', integers: true },
    { name: 'F = relu(X·W_1ᵀ + b_1)', layout: 'NT', M: R, N: 4 * E, K: E, epilogue: 'bias+relu', integers: true },
    { name: 'h̃ = tanh(cat·W_cᵀ + b)', layout: 'NT', M: R, N: H, K: 2 * H, epilogue: 'bias+tanh' },
    { name: 'dW_ih += dGᵀ·X', layout: 'TN', M: 4 * H, N: E, K: R, epilogue: 'accumulate', integers: true },
    { name: 'dX += dF·W_1', layout: 'NN', M: R, N: E, K: 4 * E, epilogue: 'accumulate' },
    { name: 'dPre = dLogits·W_out ⊙ (1 − h̃²)', layout: 'NN', M: R, N: H, K: V, epilogue: 'tanh-grad' },
  ];
}

/**
 * Attention, one batch item per sample: its rows of a time-major (T, B, H) tensor read and
 * written in place (offset b·H, rows B·H apart), its (T, S) weights packed; the context goes
 * into one half of each row of (T, B, 2H) cat, so the other half must stay unwritten.
 */
function attention({ B, T, S, H }: StepSizes): MatmulShape[] {
  const rowsOf = (width: number) => ({ stride: width, ld: B * width });
  const timeMajor = rowsOf(H);
  return [
    { name: 'scores = Q·Kᵀ', layout: 'NT', M: T, N: S, K: H, batch: B, a: timeMajor, b: timeMajor, integers: true },
    { name: 'context = P·V', layout: 'NN', M: T, N: H, K: S, batch: B, b: timeMajor, c: { stride: 2 * H, ld: B * 2 * H }, integers: true },
    { name: 'dK = dScoresᵀ·Q', layout: 'TN', M: S, N: H, K: T, batch: B, b: timeMajor, c: timeMajor },
    { name: 'dQ += dScores·K', layout: 'NN', M: T, N: H, K: S, batch: B, b: timeMajor, c: timeMajor, epilogue: 'accumulate', integers: true },
  ];
}

/** A kit entry's case: its shapes at the dims and at the aligned sizes (once where they come out the same). */
function familyCase(op: string, shapes: (z: StepSizes) => MatmulShape[]) {
  return (gpu: Gpu, d: OpDims): OpCase => {
    const bufs = new CaseBuffers(gpu);
    const work = emptyWork();
    const [odd, aligned] = [shapes(stepSizes(d, false)), shapes(stepSizes(d, true))];
    const runs = JSON.stringify(odd) === JSON.stringify(aligned) ? [odd] : [odd, aligned];
    for (const [k, run] of runs.entries()) {
      for (const [i, s] of run.entries()) addMatmulShape(gpu, bufs, { ...s, name: k ? `${s.name} aligned` : s.name, seed: 1 + i }, everyKernel, work);
    }
    return caseOf(bufs, { op, shape: `B=${d.B} H=${d.H} E=${d.E} V=${d.V} T=${d.T}`, ...work });
  };
}

export const matmulCase = familyCase('matmul', projections);
export const matmulEpiloguesCase = familyCase('matmul_epilogues', epilogues);
export const matmulAttentionCase = familyCase('matmul_attention', attention);
