// The attention kernels between the matmuls (shaders/attention.wgsl) against
// src/reference/attention.ts: the masked softmax and its backward over the score rows the
// models lay out, the same with the row copy the attn model hangs on them, and the strided
// row copy alone. Rows derive from the dims, over mixed lengths so masks matter:
//   attn (with the q copy): training rows b·T + t (group T), greedy-step rows t·B + b
//     (group 1, T steps at once), beam rows b·K + i (group K, a sample of length 0); S = T.
//   Transformer scores (B, heads, T, S), scale 1/√d_head: cross-attention over S = T + 2
//     sources (so T and S differ) with a sample of length 0, and causal self-attention (S = T).
import { slice, type View } from '../../gpu/buffers.ts';
import type { Gpu } from '../../gpu/context.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { copyRows, maskedSoftmax, maskedSoftmaxBackward, type RowCopy } from '../../ops/attention.ts';
import * as attRef from '../../reference/attention.ts';
import { CaseBuffers, caseOf, type Expected, type OpCase, type OpDims } from '../case.ts';
import { EXACT } from '../compare.ts';
import { mixedLengths, uniformF32 } from '../random.ts';

/** Heads of the Transformer layouts, each d_head = H wide: d = 3H, which 3 divides at any H. */
const HEADS = 3;
/** Beams per sample: more than one, so the sample of row r is r / K, not r. */
const BEAM = 4;
/**
 * What masked scores (and, in the backward, masked weights) hold: far above every visible
 * score, so one that leaks into a row's max, sum or output shows.
 */
const MASKED = 1000;

/** One model's score rows: their softmax shape and the lengths (B) they are masked by. */
interface Layout {
  name: string;
  rows: attRef.SoftmaxRows;
  lengths: Int32Array;
}

/** Lengths b mod (n + 1): the first sample has none (an all-zero row, no NaN), then 1, 2, …. */
const fromZero = (B: number, n: number) => Int32Array.from({ length: B }, (_, b) => b % (n + 1));

/** The attn model's rows, each with the q copy beside them. */
function attnLayouts({ B, T }: OpDims): Layout[] {
  return [
    { name: 'attn rows b·T + t', rows: { R: B * T, S: T, B, group: T }, lengths: mixedLengths(B, T) },
    { name: 'attn rows t·B + b', rows: { R: T * B, S: T, B, group: 1 }, lengths: mixedLengths(B, T) },
    { name: `beam rows b·K + i (K=${BEAM})`, rows: { R: B * BEAM, S: T, B, group: BEAM }, lengths: fromZero(B, T) },
  ];
}

/** The Transformer's scores (B, heads, T, S): sample b's rows are a block of heads·T. */
function transformerLayouts({ B, H, T }: OpDims): Layout[] {
  const [R, group, scale] = [B * HEADS * T, HEADS * T, 1 / Math.sqrt(H)];
  return [
    { name: `cross-attention, ${HEADS} heads, S=${T + 2}`, rows: { R, S: T + 2, B, group, scale }, lengths: fromZero(B, T + 2) },
    { name: `causal self-attention, ${HEADS} heads`, rows: { R, S: T, B, group, scale, causal: T }, lengths: mixedLengths(B, T) },
  ];
}

/** `values` (R, S) with every element past its row's visible prefix set to MASKED. */
function masked(l: Layout, values: Float32Array): Float32Array {
  const { R, S } = l.rows;
  for (let r = 0; r < R; r++) values.fill(MASKED, r * S + attRef.rowLength(l.rows, l.lengths, r), (r + 1) * S);
  return values;
}

/**
 * The rows of the first sample of length 0 or 1, where each sample's rows are one block:
 * exactly 0, or exactly [1, 0, …] (its backward exactly 0), with no tolerance to hide in.
 */
function exactRows(l: Layout, name: string, v: View, ref: Float64Array): Expected[] {
  const { R, S, B, group } = l.rows;
  const b = l.lengths.findIndex((n) => n <= 1);
  if (R !== B * group || b < 0) return [];
  const [at, n] = [b * group * S, group * S];
  return [{ name: `${l.name} ${name}, sample ${b} of length ${l.lengths[b]}`, view: slice(v, at, n), ref: ref.subarray(at, at + n), ...EXACT }];
}

/** Dispatches, outputs to compare and bytes moved of one layout's run. */
interface Part {
  dispatch: Dispatch;
  expected: Expected[];
  bytes: number;
}

/** A row copy's views (the written one holding other values first: the rest must be kept) and its exact result. */
function rowCopy(bufs: CaseBuffers, name: string, spec: attRef.CopyRows, seed: number): { copy: RowCopy; expected: Expected; bytes: number } {
  const inputHost = uniformF32(spec.rows * (spec.inStride ?? spec.W), seed);
  const outHost = uniformF32(spec.rows * (spec.outStride ?? spec.W), seed + 1);
  const [input, out] = [bufs.input(`${name}.copy_input`, inputHost), bufs.input(`${name}.copy_out`, outHost)];
  const ref = attRef.copyRows(inputHost, Float64Array.from(outHost), spec);
  return { copy: { ...spec, input, out }, expected: { name: `${name} copy`, view: out, ref, ...EXACT }, bytes: 4 * 2 * spec.rows * spec.W };
}

type PartOf = (gpu: Gpu, bufs: CaseBuffers, l: Layout, seed: number, copy?: attRef.CopyRows) => Part;

/** The softmax in place over scores that hold MASKED past each row's visible prefix. */
const forwardPart: PartOf = (gpu, bufs, l, seed, copySpec) => {
  const { R, S, B } = l.rows;
  const scores = masked(l, uniformF32(R * S, seed, -4, 4));
  const ref = attRef.maskedSoftmax(l.rows, scores, l.lengths);
  const x = bufs.input(`${l.name}.x`, scores);
  const c = copySpec && rowCopy(bufs, l.name, copySpec, seed + 2);
  const dispatch = maskedSoftmax(gpu, { ...l.rows, lengths: bufs.input(`${l.name}.lengths`, l.lengths), x, copy: c?.copy, label: `check.masked_softmax ${l.name}` });
  const expected = [{ name: `${l.name} weights`, view: x, ref }, ...exactRows(l, 'weights', x, ref), ...(c ? [c.expected] : [])];
  return { dispatch, expected, bytes: 4 * (2 * R * S + B) + (c?.bytes ?? 0) };
};

/** The backward in place over dA, reading weights as float32 with MASKED past each row's visible prefix. */
const backwardPart: PartOf = (gpu, bufs, l, seed, copySpec) => {
  const { R, S, B } = l.rows;
  const AHost = masked(l, Float32Array.from(attRef.maskedSoftmax(l.rows, uniformF32(R * S, seed, -4, 4), l.lengths)));
  const dAHost = uniformF32(R * S, seed + 1);
  const ref = attRef.maskedSoftmaxBackward(l.rows, AHost, dAHost, l.lengths);
  const d = bufs.input(`${l.name}.d`, dAHost);
  const c = copySpec && rowCopy(bufs, l.name, copySpec, seed + 2);
  const args = { ...l.rows, lengths: bufs.input(`${l.name}.lengths`, l.lengths), A: bufs.input(`${l.name}.A`, AHost), d };
  const dispatch = maskedSoftmaxBackward(gpu, { ...args, copy: c?.copy, label: `check.masked_softmax_backward ${l.name}` });
  const expected = [{ name: `${l.name} dScores`, view: d, ref }, ...exactRows(l, 'dScores', d, ref), ...(c ? [c.expected] : [])];
  return { dispatch, expected, bytes: 4 * (3 * R * S + B) + (c?.bytes ?? 0) };
};

/** One case over every layout, each in its own buffers; `copyOf` hangs a row copy on each. */
function softmaxCase(gpu: Gpu, d: OpDims, op: string, layouts: Layout[], part: PartOf, copyOf?: (l: Layout) => attRef.CopyRows): OpCase {
  const bufs = new CaseBuffers(gpu);
  const parts = layouts.map((l, k) => part(gpu, bufs, l, 231 + 10 * k, copyOf?.(l)));
  const bytes = parts.reduce((n, p) => n + p.bytes, 0);
  return caseOf(bufs, { op, shape: `B=${d.B} T=${d.T} H=${d.H}`, dispatches: parts.map((p) => p.dispatch), bytes, expected: parts.flatMap((p) => p.expected) });
}

export const maskedSoftmaxCase = (gpu: Gpu, d: OpDims) => softmaxCase(gpu, d, 'masked_softmax', transformerLayouts(d), forwardPart);

export const maskedSoftmaxBackwardCase = (gpu: Gpu, d: OpDims) => softmaxCase(gpu, d, 'masked_softmax_backward', transformerLayouts(d), backwardPart);

/** Forward: q (R, H) into the q half of [c ; q] (R, 2H), as attn's softmax_concat. */
export const maskedSoftmaxCopyRowsCase = (gpu: Gpu, d: OpDims) =>
  softmaxCase(gpu, d, 'masked_softmax_copy_rows', attnLayouts(d), forwardPart, (l) => ({ rows: l.rows.R, W: d.H, outStride: 2 * d.H, outCol: d.H }));

/** Backward: the q half of d[c ; q] (R, 2H) into dq (R, H), as attn's softmax_backward_dq. */
export const maskedSoftmaxBackwardCopyRowsCase = (gpu: Gpu, d: OpDims) =>
  softmaxCase(gpu, d, 'masked_softmax_backward_copy_rows', attnLayouts(d), backwardPart, (l) => ({ rows: l.rows.R, W: d.H, inStride: 2 * d.H, inCol: d.H }));

/** The row copy alone: q into [c ; q]; between rows wider than W at other columns; B rows of E (one of one at the tests' smallest sizes). */
export function copyRowsCase(gpu: Gpu, d: OpDims): OpCase {
  const { B, H, E, T } = d;
  const specs: [string, attRef.CopyRows][] = [
    ['q into [c ; q]', { rows: B * T, W: H, outStride: 2 * H, outCol: H }],
    ['strided rows', { rows: B * T, W: H, inStride: H + 3, inCol: 3, outStride: H + 2, outCol: 1 }],
    ['B rows of E', { rows: B, W: E }],
  ];
  const bufs = new CaseBuffers(gpu);
  const copies = specs.map(([name, spec], k) => ({ name, spec, ...rowCopy(bufs, name, spec, 261 + 10 * k) }));
  return caseOf(bufs, {
    op: 'copy_rows',
    shape: `rows=${B * T} W=${H}`,
    dispatches: copies.map((c) => copyRows(gpu, { ...c.spec, input: c.copy.input, out: c.copy.out, label: `check.copy_rows ${c.name}` })),
    bytes: copies.reduce((n, c) => n + c.bytes, 0),
    expected: copies.map((c) => c.expected),
  });
}
