// Page side of the attention kernel tests: every tensor at an odd offset inside a buffer of
// sentinels (pages/kernels.ts), forward then backward recorded once and run twice.
import { attentionBackward, attentionContext, attentionWeights } from '../../../src/ops/attention.ts';
import type { Dispatch } from '../../../src/gpu/program.ts';
import { Tensor, twice, withGpu, type Outputs } from './kernels.ts';

export interface AttentionCase {
  R: number;
  S: number;
  B: number;
  H: number;
  group: number;
  lengths: number[]; // (B)
  q: number[]; // (R, H)
  keys: number[]; // (S, B, H)
  hbar: number[]; // (S, B, H)
  dCat: number[]; // (R, 2H)
}

export async function attention(c: AttentionCase): Promise<Outputs[]> {
  return withGpu(async (gpu) => {
    const { R, S, B, H } = c;
    const t = (label: string, n: number, kind: 'f32' | 'i32' = 'f32') => new Tensor(gpu, label, n, kind);
    const [q, keys, hbar, dCat] = [t('q', R * H), t('keys', S * B * H), t('hbar', S * B * H), t('dCat', R * 2 * H)];
    const lengths = t('lengths', B, 'i32');
    const [weights, cat, dScores, dq, dKeys, dHbar] = [t('weights', R * S), t('cat', R * 2 * H), t('dScores', R * S), t('dq', R * H), t('dKeys', S * B * H), t('dHbar', S * B * H)];
    const shape = { R, S, B, H, group: c.group };
    const work: Dispatch[] = [
      attentionWeights(gpu, { ...shape, q: q.view, keys: keys.view, lengths: lengths.view, weights: weights.view }),
      attentionContext(gpu, { ...shape, weights: weights.view, hbar: hbar.view, q: q.view, lengths: lengths.view, cat: cat.view }),
    ];
    const outputs: Record<string, Tensor> = { weights, cat };
    if (c.group === 1) {
      work.push(
        ...attentionBackward(gpu, { ...shape, weights: weights.view, dCat: dCat.view, q: q.view, keys: keys.view, hbar: hbar.view, lengths: lengths.view, dScores: dScores.view, dq: dq.view, dKeys: dKeys.view, dHbar: dHbar.view }),
      );
      Object.assign(outputs, { dScores, dq, dKeys, dHbar });
    }
    const reset = () => {
      q.set(c.q);
      keys.set(c.keys);
      hbar.set(c.hbar);
      dCat.set(c.dCat);
      lengths.set(c.lengths);
      for (const o of Object.values(outputs)) o.set();
    };
    return twice(gpu, reset, work, outputs);
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
    const shape = { R: 2, S: 3, B: 2, H: 4 };
    tryIt(() => attentionWeights(gpu, { ...shape, q: t(7), keys: t(24), lengths: t(2), weights: t(6) }));
    const both = t(6);
    tryIt(() => attentionWeights(gpu, { ...shape, q: t(8), keys: t(24), lengths: t(2), weights: { ...both, length: 6 } }));
    const shared = t(100);
    tryIt(() => attentionContext(gpu, { ...shape, weights: { ...shared, length: 6 }, hbar: t(24), q: t(8), lengths: t(2), cat: { ...shared, offset: 50, length: 16 } }));
    return errors;
  });
}
