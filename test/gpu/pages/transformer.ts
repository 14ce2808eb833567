// Page side of the Transformer kernel tests: every tensor at an odd offset inside a buffer of
// sentinels (pages/kernels.ts); each case recorded once and run twice.
import { layerNormBackward, layerNormForward } from '../../../src/ops/layer_norm.ts';
import { dropout, dropoutResidual } from '../../../src/ops/dropout.ts';
import { positionsBackward, positionsForward } from '../../../src/ops/positions.ts';
import { multiheadBackward, multiheadForward, rowsOf } from '../../../src/models/layers/multihead.ts';
import type { MultiheadShape } from '../../../src/reference/multihead.ts';
import { Tensor, twice, withGpu, type Outputs } from './kernels.ts';

export interface LayerNormCase {
  R: number;
  D: number;
  x: number[]; // (R, D)
  gamma: number[]; // (D)
  beta: number[]; // (D)
  dy: number[]; // (R, D)
  dxPrev: number[]; // (R, D): dx before an accumulating backward
}

/** Forward, then the backward twice: writing dx and accumulating into dxPrev. */
export async function layerNorm(c: LayerNormCase): Promise<Outputs[]> {
  return withGpu(async (gpu) => {
    const { R, D } = c;
    const t = (label: string, n: number) => new Tensor(gpu, label, n);
    const [x, gamma, beta, y, stats, dy, dx, dxAcc, dGamma, dBeta] = [t('x', R * D), t('gamma', D), t('beta', D), t('y', R * D), t('stats', R * 2), t('dy', R * D), t('dx', R * D), t('dxAcc', R * D), t('dGamma', D), t('dBeta', D)];
    const common = { R, D, x: x.view, gamma: gamma.view, stats: stats.view, dy: dy.view, dGamma: dGamma.view, dBeta: dBeta.view };
    const work = [
      layerNormForward(gpu, { R, D, x: x.view, gamma: gamma.view, beta: beta.view, y: y.view, stats: stats.view }),
      ...layerNormBackward(gpu, { ...common, dx: dx.view }),
      ...layerNormBackward(gpu, { ...common, dx: dxAcc.view, accumulate: true }),
    ];
    const reset = () => {
      [x, gamma, beta, dy, dxAcc].forEach((tensor, i) => tensor.set([c.x, c.gamma, c.beta, c.dy, c.dxPrev][i]));
      [y, stats, dx, dGamma, dBeta].forEach((tensor) => tensor.set());
    };
    return twice(gpu, reset, work, { y, stats, dx, dxAcc, dGamma, dBeta });
  });
}

export interface DropoutCase {
  p: number;
  seed: number;
  step: number;
  tensor: number;
  x: number[];
}

/** Out of place and in place from the same key. */
export async function dropoutCase(c: DropoutCase): Promise<Outputs[]> {
  return withGpu(async (gpu) => {
    const n = c.x.length;
    const [x, y, inPlace, res, sum] = ['x', 'y', 'inPlace', 'res', 'sum'].map((label) => new Tensor(gpu, label, n));
    const step = new Tensor(gpu, 'step', 1, 'i32');
    const key = { p: c.p, seed: c.seed, tensor: c.tensor, step: step.view };
    const work = [dropout(gpu, { ...key, x: x.view, y: y.view }), dropout(gpu, { ...key, x: inPlace.view }), dropoutResidual(gpu, { ...key, x: x.view, res: res.view, out: sum.view })];
    const reset = () => {
      [x, inPlace, res].forEach((t) => t.set(c.x));
      [y, sum].forEach((t) => t.set());
      step.set([c.step]);
    };
    return twice(gpu, reset, work, { y, inPlace, sum });
  });
}

export interface PositionsCase {
  R: number;
  d: number;
  P: number;
  div: number;
  scale: number;
  x: number[]; // (R, d)
  table: number[]; // (P, d)
  dy: number[]; // (R, d)
}

export async function positions(c: PositionsCase): Promise<Outputs[]> {
  return withGpu(async (gpu) => {
    const [x, table, dx] = [new Tensor(gpu, 'x', c.R * c.d), new Tensor(gpu, 'table', c.P * c.d), new Tensor(gpu, 'dx', c.R * c.d)];
    const work = [positionsForward(gpu, { ...c, x: x.view, table: table.view }), positionsBackward(gpu, { ...c, dx: dx.view })];
    const reset = () => {
      x.set(c.x);
      table.set(c.table);
      dx.set(c.dy);
    };
    return twice(gpu, reset, work, { y: x, dx });
  });
}

export interface MultiheadCase extends MultiheadShape {
  /** (B·T, d) queries; (B·S, 2d) keys then values side by side in each row. */
  q: number[];
  kv: number[];
  lengths: number[]; // (B)
  dOut: number[]; // (B·T, d)
}

/** Queries packed alone (ld d), keys and values interleaved (ld 2d); gradients laid out alike. */
export async function multihead(c: MultiheadCase): Promise<Outputs[]> {
  return withGpu(async (gpu) => {
    const { B, T, S, d, heads } = c;
    const t = (label: string, n: number) => new Tensor(gpu, label, n);
    const [q, kv, out, weights, dOut, dScores, dq, dkv] = [t('q', B * T * d), t('kv', B * S * 2 * d), t('out', B * T * d), t('weights', B * heads * T * S), t('dOut', B * T * d), t('dScores', B * heads * T * S), t('dq', B * T * d), t('dkv', B * S * 2 * d)];
    const lengths = new Tensor(gpu, 'lengths', B, 'i32');
    const rows = (v: Tensor, N: number, ld: number, col = 0) => rowsOf({ ...v.view, offset: v.view.offset + col, length: v.length - col }, ld, 'batch', B, N);
    const args = { ...c, q: rows(q, T, d), k: rows(kv, S, 2 * d), val: rows(kv, S, 2 * d, d), lengths: lengths.view, weights: weights.view, out: rows(out, T, d) };
    const grads = { dOut: rows(dOut, T, d), dScores: dScores.view, dq: rows(dq, T, d), dk: rows(dkv, S, 2 * d), dv: rows(dkv, S, 2 * d, d) };
    const work = [...multiheadForward(gpu, args), ...multiheadBackward(gpu, { ...args, ...grads })];
    const reset = () => {
      [q, kv, dOut, lengths].forEach((tensor, i) => tensor.set([c.q, c.kv, c.dOut, c.lengths][i]));
      [out, weights, dScores, dq, dkv].forEach((tensor) => tensor.set());
    };
    return twice(gpu, reset, work, { out, weights, dq, dkv });
  });
}
