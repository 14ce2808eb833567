// Page side of the multi-head attention tests: every tensor at an odd offset inside a buffer of
// sentinels (pages/kernels.ts); each case recorded once and run twice.
import { multiheadBackward, multiheadForward, rowsOf } from '../../../src/models/layers/multihead.ts';
import type { MultiheadShape } from '../../../src/reference/multihead.ts';
import { Tensor, twice, withGpu, type Outputs } from './kernels.ts';

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
