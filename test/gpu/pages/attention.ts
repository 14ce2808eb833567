// Page side of the attention kernel tests: every tensor at an odd offset inside a buffer of
// sentinels (pages/kernels.ts); each case recorded once and run twice.
import { attentionConcat, attentionQueryGather, maskedSoftmax, maskedSoftmaxBackward, transposeRows } from '../../../src/ops/attention.ts';
import { Tensor, twice, withGpu, type Outputs } from './kernels.ts';

export interface SoftmaxCase {
  R: number;
  S: number;
  B: number;
  group: number;
  lengths: number[]; // (B)
  scores: number[]; // (R, S)
  dA: number[]; // (R, S)
}

/** Softmax in place over scores, then its backward in place over dA. */
export async function softmax(c: SoftmaxCase): Promise<Outputs[]> {
  return withGpu(async (gpu) => {
    const rows = { R: c.R, S: c.S, B: c.B, group: c.group };
    const [x, d] = [new Tensor(gpu, 'x', c.R * c.S), new Tensor(gpu, 'd', c.R * c.S)];
    const lengths = new Tensor(gpu, 'lengths', c.B, 'i32');
    const work = [maskedSoftmax(gpu, { ...rows, lengths: lengths.view, x: x.view }), maskedSoftmaxBackward(gpu, { ...rows, lengths: lengths.view, A: x.view, d: d.view })];
    const reset = () => {
      x.set(c.scores);
      d.set(c.dA);
      lengths.set(c.lengths);
    };
    return twice(gpu, reset, work, { weights: x, dScores: d });
  });
}

export interface LayoutCase {
  T: number;
  B: number;
  H: number;
  context: number[]; // (B, T, H)
  q: number[]; // (T, B, H)
  dCat: number[]; // (T, B, 2H)
  dQ: number[]; // (B, T, H)
}

/** transpose_rows (whole rows and one half of [c ; h]), concat and query gather. */
export async function layout(c: LayoutCase): Promise<Outputs[]> {
  return withGpu(async (gpu) => {
    const { T, B, H } = c;
    const t = (label: string, n: number) => new Tensor(gpu, label, n);
    const [context, q, dCat, dQ] = [t('context', B * T * H), t('q', T * B * H), t('dCat', T * B * 2 * H), t('dQ', B * T * H)];
    const [qb, dC, cat, dq] = [t('qb', B * T * H), t('dC', B * T * H), t('cat', T * B * 2 * H), t('dq', T * B * H)];
    const work = [
      transposeRows(gpu, { input: q.view, out: qb.view, N1: T, N2: B, W: H }),
      transposeRows(gpu, { input: dCat.view, out: dC.view, N1: T, N2: B, W: H, inStride: 2 * H, col: H }),
      attentionConcat(gpu, { T, B, H, context: context.view, q: q.view, cat: cat.view }),
      attentionQueryGather(gpu, { T, B, H, dCat: dCat.view, dQ: dQ.view, dq: dq.view }),
    ];
    const reset = () => {
      context.set(c.context);
      q.set(c.q);
      dCat.set(c.dCat);
      dQ.set(c.dQ);
      for (const o of [qb, dC, cat, dq]) o.set();
    };
    return twice(gpu, reset, work, { qb, dC, cat, dq });
  });
}

/** The builders' sentences for wrong shapes and aliased outputs. */
export async function attentionErrors(): Promise<string[]> {
  return withGpu(async (gpu) => {
    const t = (n: number) => new Tensor(gpu, 'x', n).view;
    const errors: string[] = [];
    const tryIt = (f: () => unknown) => {
      try {
        f();
        errors.push('no error');
      } catch (e) {
        errors.push((e as Error).message);
      }
    };
    tryIt(() => maskedSoftmax(gpu, { R: 2, S: 3, B: 2, group: 1, lengths: t(2), x: t(5) }));
    const shared = t(100);
    tryIt(() => attentionConcat(gpu, { T: 2, B: 1, H: 2, context: { ...shared, length: 4 }, q: t(4), cat: { ...shared, offset: 50, length: 8 } }));
    tryIt(() => transposeRows(gpu, { input: t(12), out: t(6), N1: 2, N2: 3, W: 1, inStride: 2, col: 2 }));
    return errors;
  });
}
