// Page side of the attention builders' refusals: the sentences they throw.
import { copyRows, maskedSoftmax } from '../../../src/ops/attention.ts';
import { Tensor, withGpu } from './kernels.ts';

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
    tryIt(() => copyRows(gpu, { input: { ...shared, length: 8 }, out: { ...shared, offset: 50, length: 8 }, rows: 2, W: 4 }));
    tryIt(() => copyRows(gpu, { input: t(12), out: t(8), rows: 2, W: 3, inStride: 6, outStride: 4, outCol: 2 }));
    return errors;
  });
}
