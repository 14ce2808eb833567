// Page side of the attention kernel tests: every tensor at an odd offset inside a buffer of
// sentinels (pages/kernels.ts); each case recorded once and run twice.
import { copyRows, maskedSoftmax, maskedSoftmaxBackward } from '../../../src/ops/attention.ts';
import { Tensor, twice, withGpu, type Outputs } from './kernels.ts';

export interface SoftmaxCase {
  R: number;
  S: number;
  B: number;
  group: number;
  lengths: number[]; // (B)
  scores: number[]; // (R, S)
  dA: number[]; // (R, S)
  scale?: number;
  causal?: number;
}

/** Softmax in place over scores, then its backward in place over dA. */
export async function softmax(c: SoftmaxCase): Promise<Outputs[]> {
  return withGpu(async (gpu) => {
    const rows = { R: c.R, S: c.S, B: c.B, group: c.group, scale: c.scale, causal: c.causal };
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

export interface CopyCase {
  rows: number;
  W: number;
  inStride: number;
  inCol: number;
  outStride: number;
  outCol: number;
  input: number[]; // (rows, inStride)
  out0: number[]; // (rows, outStride): what out holds before the copy
}

/** copy_rows: columns of every row into other columns of another matrix, the rest kept. */
export async function copy(c: CopyCase): Promise<Outputs[]> {
  return withGpu(async (gpu) => {
    const [input, out] = [new Tensor(gpu, 'input', c.rows * c.inStride), new Tensor(gpu, 'out', c.rows * c.outStride)];
    const work = [copyRows(gpu, { input: input.view, out: out.view, rows: c.rows, W: c.W, inStride: c.inStride, inCol: c.inCol, outStride: c.outStride, outCol: c.outCol })];
    const reset = () => {
      input.set(c.input);
      out.set(c.out0);
    };
    return twice(gpu, reset, work, { out });
  });
}

/** The softmax and its backward each with a row copy beside it (rows R, width W, into column W of rows 2W wide, out of column W). */
export async function softmaxWithCopies(c: SoftmaxCase & { W: number; input: number[]; out0: number[] }): Promise<Outputs[]> {
  return withGpu(async (gpu) => {
    const rows = { R: c.R, S: c.S, B: c.B, group: c.group, scale: c.scale, causal: c.causal };
    const [x, d] = [new Tensor(gpu, 'x', c.R * c.S), new Tensor(gpu, 'd', c.R * c.S)];
    const [q, cat, dHalf, dq] = [new Tensor(gpu, 'q', c.R * c.W), new Tensor(gpu, 'cat', c.R * 2 * c.W), new Tensor(gpu, 'dCat', c.R * 2 * c.W), new Tensor(gpu, 'dq', c.R * c.W)];
    const lengths = new Tensor(gpu, 'lengths', c.B, 'i32');
    const work = [
      maskedSoftmax(gpu, { ...rows, lengths: lengths.view, x: x.view, copy: { input: q.view, out: cat.view, W: c.W, outStride: 2 * c.W, outCol: c.W } }),
      maskedSoftmaxBackward(gpu, { ...rows, lengths: lengths.view, A: x.view, d: d.view, copy: { input: dHalf.view, out: dq.view, W: c.W, inStride: 2 * c.W, inCol: c.W } }),
    ];
    const reset = () => {
      x.set(c.scores);
      d.set(c.dA);
      lengths.set(c.lengths);
      q.set(c.input);
      cat.set(c.out0);
      dHalf.set(c.out0);
      dq.set(c.input.map((v) => -v));
    };
    return twice(gpu, reset, work, { weights: x, dScores: d, cat, dq });
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
    tryIt(() => copyRows(gpu, { input: { ...shared, length: 8 }, out: { ...shared, offset: 50, length: 8 }, rows: 2, W: 4 }));
    tryIt(() => copyRows(gpu, { input: t(12), out: t(8), rows: 2, W: 3, inStride: 6, outStride: 4, outCol: 2 }));
    return errors;
  });
}
