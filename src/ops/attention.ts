// The attention kernels between its matmuls: layout changes, the fused masked softmax and its
// backward, the context-first concat and the query-gradient gather. See shaders/attention.wgsl;
// float64 reference: src/reference/attention.ts (same names).
import code from '../../shaders/attention.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import type { View } from '../gpu/buffers.ts';
import { linearWorkgroups, type Dispatch } from '../gpu/program.ts';
import { u32 } from '../gpu/uniforms.ts';
import type { BindingKind } from '../gpu/pipelines.ts';
import { checkCount, checkShape, checkWritableApart } from './view_checks.ts';

const WG = 64;

/** One dispatch: bindings 1.. are `views` (the last one written), uniform fields before the offsets. */
function record(gpu: Gpu, label: string, entryPoint: string, head: number[], views: [string, View][], items: number): Dispatch {
  const written = views[views.length - 1];
  checkWritableApart(label, [written], views.slice(0, -1));
  const bindings: BindingKind[] = ['uniform', ...views.map((_, i) => (i === views.length - 1 ? 'storage' : 'read') as BindingKind)];
  const pipeline = gpu.pipelines.get({ name: 'attention', code, entryPoint, bindings, constants: { WG } });
  const fields = [...head, ...Array(6 - head.length).fill(0)].slice(0, 6);
  const offsets = Array.from({ length: 4 }, (_, k) => views[k]?.[1].offset ?? 0);
  const params = gpu.uniform([...fields, ...offsets].map(u32));
  return gpu.dispatch(label, pipeline, [params, ...views.map(([, v]) => v)], linearWorkgroups(items, WG));
}

export interface TransposeRowsArgs {
  /** (N1, N2, inStride): rows of inStride elements, of which columns [col, col + W) are moved. */
  input: View;
  /** (N2, N1, W) */
  out: View;
  N1: number;
  N2: number;
  W: number;
  /** Elements per input row (default W) and the first column taken (default 0). */
  inStride?: number;
  col?: number;
  label?: string;
}

/** out[b, a, :] = input[a, b, col : col + W]: time-major ↔ batch-major, or one half of [c ; h]. */
export function transposeRows(gpu: Gpu, a: TransposeRowsArgs): Dispatch {
  const label = a.label ?? 'transpose_rows';
  const stride = a.inStride ?? a.W;
  const col = a.col ?? 0;
  for (const [n, v] of [['N1', a.N1], ['N2', a.N2], ['W', a.W]] as const) checkCount(label, n, v, 1);
  if (!Number.isInteger(col) || col < 0 || col + a.W > stride) throw new RangeError(`${label}: columns [${col}, ${col + a.W}) do not fit input rows of ${stride}.`);
  checkShape(label, 'input', a.input, '(N1, N2, inStride)', [a.N1, a.N2, stride]);
  checkShape(label, 'out', a.out, '(N2, N1, W)', [a.N2, a.N1, a.W]);
  return record(gpu, label, 'transpose_rows', [a.N1, a.N2, a.W, 1, stride, col], [['input', a.input], ['out', a.out]], a.N1 * a.N2 * a.W);
}

/** Rows of S scores; row r belongs to sample (r / group) % B. */
export interface SoftmaxRows {
  R: number;
  S: number;
  B: number;
  group: number;
  lengths: View; // (B) i32
}

function checkRows(label: string, x: SoftmaxRows): void {
  for (const [n, v] of [['R', x.R], ['S', x.S], ['B', x.B], ['group', x.group]] as const) checkCount(label, n, v, 1);
  checkShape(label, 'lengths', x.lengths, '(B)', [x.B]);
}

/** In place over x (R, S): softmax over s < len of each row, exactly 0 past the length. */
export function maskedSoftmax(gpu: Gpu, a: SoftmaxRows & { x: View; label?: string }): Dispatch {
  const label = a.label ?? 'masked_softmax';
  checkRows(label, a);
  checkShape(label, 'x', a.x, '(R, S)', [a.R, a.S]);
  return record(gpu, label, 'masked_softmax', [a.R, a.S, a.B, a.group], [['lengths', a.lengths], ['x', a.x]], a.R);
}

/** In place over d (R, S): dA in, dScores = A ⊙ (dA − Σ A dA) out, 0 past the length.  A (R, S) */
export function maskedSoftmaxBackward(gpu: Gpu, a: SoftmaxRows & { A: View; d: View; label?: string }): Dispatch {
  const label = a.label ?? 'masked_softmax_backward';
  checkRows(label, a);
  checkShape(label, 'A', a.A, '(R, S)', [a.R, a.S]);
  checkShape(label, 'd', a.d, '(R, S)', [a.R, a.S]);
  return record(gpu, label, 'masked_softmax_backward', [a.R, a.S, a.B, a.group], [['lengths', a.lengths], ['A', a.A], ['d', a.d]], a.R);
}

export interface ConcatArgs {
  T: number;
  B: number;
  H: number;
  context: View; // (B, T, H) batch-major
  q: View; // (T, B, H) time-major
  cat: View; // (T, B, 2H) out
  label?: string;
}

/** cat[t, b] = [context[b, t] ; q[t, b]] (context first, as W_c reads it). */
export function attentionConcat(gpu: Gpu, a: ConcatArgs): Dispatch {
  const label = a.label ?? 'attention_concat';
  for (const [n, v] of [['T', a.T], ['B', a.B], ['H', a.H]] as const) checkCount(label, n, v, 1);
  checkShape(label, 'context', a.context, '(B, T, H)', [a.B, a.T, a.H]);
  checkShape(label, 'q', a.q, '(T, B, H)', [a.T, a.B, a.H]);
  checkShape(label, 'cat', a.cat, '(T, B, 2H)', [a.T, a.B, 2 * a.H]);
  return record(gpu, label, 'attention_concat', [a.T, a.B, a.H], [['context', a.context], ['q', a.q], ['cat', a.cat]], a.T * a.B * 2 * a.H);
}

export interface QueryGatherArgs {
  T: number;
  B: number;
  H: number;
  dCat: View; // (T, B, 2H)
  dQ: View; // (B, T, H) batch-major, the gradient through the scores
  dq: View; // (T, B, H) out
  label?: string;
}

/** dq[t, b] = dCat[t, b][H:] + dQ[b, t]: the decoder top's whole gradient, time-major. */
export function attentionQueryGather(gpu: Gpu, a: QueryGatherArgs): Dispatch {
  const label = a.label ?? 'attention_query_gather';
  for (const [n, v] of [['T', a.T], ['B', a.B], ['H', a.H]] as const) checkCount(label, n, v, 1);
  checkShape(label, 'dCat', a.dCat, '(T, B, 2H)', [a.T, a.B, 2 * a.H]);
  checkShape(label, 'dQ', a.dQ, '(B, T, H)', [a.B, a.T, a.H]);
  checkShape(label, 'dq', a.dq, '(T, B, H)', [a.T, a.B, a.H]);
  return record(gpu, label, 'attention_query_gather', [a.T, a.B, a.H], [['dCat', a.dCat], ['dQ', a.dQ], ['dq', a.dq]], a.T * a.B * a.H);
}
