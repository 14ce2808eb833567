// The attention kernels between its matmuls: a strided row copy (the query into [c ; q]) and the
// fused masked softmax and its backward. See shaders/attention.wgsl; float64 reference:
// src/reference/attention.ts (same names).
import code from '../../shaders/attention.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import type { View } from '../gpu/buffers.ts';
import { linearWorkgroups, type Dispatch } from '../gpu/program.ts';
import { f32, u32 } from '../gpu/uniforms.ts';
import type { BindingKind } from '../gpu/pipelines.ts';
import { checkCount, checkShape, checkWritableApart } from './view_checks.ts';
import type { CopyRows } from '../reference/attention.ts';

const WG = 64;
/** Uniform fields before the binding offsets (shaders/attention.wgsl Params). */
const HEAD = 8;

/** A binding of one dispatch: its name (for the error sentences), view, and whether the kernel writes it. */
type Bound = [name: string, view: View, written?: 'written'];

/** One dispatch: bindings 1.. are `views`; uniform fields before the offsets. */
function record(gpu: Gpu, label: string, entryPoint: string, head: number[], views: Bound[], items: number, extra: { scale?: number; causal?: number; copyWidth?: number } = {}): Dispatch {
  const pairs = views.map(([name, v]): [string, View] => [name, v]);
  checkWritableApart(label, pairs.filter((_, i) => views[i][2]), pairs.filter((_, i) => !views[i][2]));
  const bindings: BindingKind[] = ['uniform', ...views.map(([, , w]) => (w ? 'storage' : 'read') as BindingKind)];
  const pipeline = gpu.pipelines.get({ name: 'attention', code, entryPoint, bindings, constants: { WG } });
  const fields = [...head, ...Array(HEAD - head.length).fill(0)].slice(0, HEAD);
  const offset = (k: number) => views[k]?.[1].offset ?? 0;
  const params = gpu.uniform([...[...fields, offset(0), offset(1), offset(2), offset(3)].map(u32), f32(extra.scale ?? 1), u32(extra.causal ?? 0), u32(extra.copyWidth ?? 0), u32(offset(4))]);
  return gpu.dispatch(label, pipeline, [params, ...views.map(([, v]) => v)], linearWorkgroups(items, WG));
}

/** Rows, width and columns as in the reference (reference/attention.ts CopyRows). */
export interface CopyRowsArgs extends CopyRows {
  /** (rows, inStride): columns [inCol, inCol + W) of each row are read. */
  input: View;
  /** (rows, outStride): columns [outCol, outCol + W) of each row are written, the rest kept. */
  out: View;
  label?: string;
}

function checkColumns(label: string, name: string, col: number, W: number, stride: number): void {
  if (!Number.isInteger(col) || col < 0 || col + W > stride) throw new RangeError(`${label}: ${name} columns [${col}, ${col + W}) do not fit rows of ${stride}.`);
}

/** The copy's shapes checked: its row strides and first columns (defaults filled in). */
function checkCopy(label: string, a: CopyRows & { input: View; out: View }): [inStride: number, inCol: number, outStride: number, outCol: number] {
  const [inStride, outStride, inCol, outCol] = [a.inStride ?? a.W, a.outStride ?? a.W, a.inCol ?? 0, a.outCol ?? 0];
  for (const [n, v] of [['rows', a.rows], ['W', a.W]] as const) checkCount(label, n, v, 1);
  checkColumns(label, 'input', inCol, a.W, inStride);
  checkColumns(label, 'out', outCol, a.W, outStride);
  checkShape(label, 'input', a.input, '(rows, inStride)', [a.rows, inStride]);
  checkShape(label, 'out', a.out, '(rows, outStride)', [a.rows, outStride]);
  return [inStride, inCol, outStride, outCol];
}

/** out[r, outCol : outCol + W] = input[r, inCol : inCol + W], e.g. q into the second half of [c ; q]. */
export function copyRows(gpu: Gpu, a: CopyRowsArgs): Dispatch {
  const label = a.label ?? 'copy_rows';
  const strides = checkCopy(label, a);
  return record(gpu, label, 'copy_rows', [a.rows, 1, a.W, 1, ...strides], [['input', a.input], ['out', a.out, 'written']], a.rows);
}

/**
 * A row copy done by the softmax's own invocations (row r of input into row r of out), so it
 * costs no dispatch: as many rows as the softmax has (R), columns as in copyRows.
 */
export type RowCopy = Omit<CopyRowsArgs, 'rows' | 'label'>;

/** Rows of S scores; row r belongs to sample (r / group) % B. */
export interface SoftmaxRows {
  R: number;
  S: number;
  B: number;
  group: number;
  lengths: View; // (B) i32
  /** Scores are multiplied by it first (default 1), e.g. the Transformer's 1/√d_head. */
  scale?: number;
  /** 0 (default) or T: row r is query position r mod T and sees only s <= it. */
  causal?: number;
}

function checkRows(label: string, x: SoftmaxRows): void {
  for (const [n, v] of [['R', x.R], ['S', x.S], ['B', x.B], ['group', x.group]] as const) checkCount(label, n, v, 1);
  checkCount(label, 'causal', x.causal ?? 0, 0);
  const scale = x.scale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0)) throw new RangeError(`${label}: scale must be a finite number > 0, got ${scale}.`);
  checkShape(label, 'lengths', x.lengths, '(B)', [x.B]);
}

/** A softmax entry point over `views`, or its `_copy_rows` twin when the rows carry a copy. */
function softmaxDispatch(gpu: Gpu, label: string, entryPoint: string, views: Bound[], a: SoftmaxRows & { copy?: RowCopy }): Dispatch {
  const head = [a.R, a.S, a.B, a.group];
  if (!a.copy) return record(gpu, label, entryPoint, head, views, a.R, a);
  const strides = checkCopy(label, { ...a.copy, rows: a.R });
  const copied: Bound[] = [['copy input', a.copy.input], ['copy out', a.copy.out, 'written']];
  return record(gpu, label, `${entryPoint}_copy_rows`, [...head, ...strides], [...views, ...copied], a.R, { ...a, copyWidth: a.copy.W });
}

/** In place over x (R, S): softmax of scale·x over each row's visible prefix (s < len, s <= t if causal), exactly 0 past it; with `copy`, also that row copy. */
export function maskedSoftmax(gpu: Gpu, a: SoftmaxRows & { x: View; copy?: RowCopy; label?: string }): Dispatch {
  const label = a.label ?? (a.copy ? 'masked_softmax_copy_rows' : 'masked_softmax');
  checkRows(label, a);
  checkShape(label, 'x', a.x, '(R, S)', [a.R, a.S]);
  const views: Bound[] = [['lengths', a.lengths], ['x', a.x, 'written']];
  return softmaxDispatch(gpu, label, 'masked_softmax', views, a);
}

/** In place over d (R, S): dA in, dScores = scale·A ⊙ (dA − Σ A dA) out, 0 past the visible prefix; with `copy`, also that row copy.  A (R, S) */
export function maskedSoftmaxBackward(gpu: Gpu, a: SoftmaxRows & { A: View; d: View; copy?: RowCopy; label?: string }): Dispatch {
  const label = a.label ?? (a.copy ? 'masked_softmax_backward_copy_rows' : 'masked_softmax_backward');
  checkRows(label, a);
  checkShape(label, 'A', a.A, '(R, S)', [a.R, a.S]);
  checkShape(label, 'd', a.d, '(R, S)', [a.R, a.S]);
  const views: Bound[] = [['lengths', a.lengths], ['A', a.A], ['d', a.d, 'written']];
  return softmaxDispatch(gpu, label, 'masked_softmax_backward', views, a);
}
