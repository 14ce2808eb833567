// LayerNorm over the last dimension, forward (saving mean and rstd) and backward (dx, dγ, dβ).
// See shaders/layer_norm.wgsl; float64 reference: src/reference/layer_norm.ts.
import code from '../../shaders/layer_norm.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import type { View } from '../gpu/buffers.ts';
import { linearWorkgroups, type Dispatch } from '../gpu/program.ts';
import { f32, u32 } from '../gpu/uniforms.ts';
import type { BindingKind } from '../gpu/pipelines.ts';
import { LAYER_NORM_EPS } from '../reference/layer_norm.ts';
import { columnSum } from './reduce.ts';
import { checkCount, checkShape, checkWritableApart } from './view_checks.ts';

const WG = 64;

interface Rows {
  R: number;
  D: number;
  label?: string;
}

/** One dispatch over `items` invocations: `read` views bound first, then the `written` ones. */
function record(gpu: Gpu, label: string, entryPoint: string, x: Rows & { accumulate?: boolean }, read: [string, View][], written: [string, View][], items: number): Dispatch {
  checkWritableApart(label, written, read);
  const views = [...read, ...written];
  const bindings: BindingKind[] = ['uniform', ...read.map(() => 'read' as const), ...written.map(() => 'storage' as const)];
  const pipeline = gpu.pipelines.get({ name: 'layer_norm', code, entryPoint, bindings, constants: { WG } });
  const offsets = Array.from({ length: 5 }, (_, k) => u32(views[k]?.[1].offset ?? 0));
  const params = gpu.uniform([u32(x.R), u32(x.D), u32(x.accumulate ? 1 : 0), f32(LAYER_NORM_EPS), ...offsets]);
  return gpu.dispatch(label, pipeline, [params, ...views.map(([, v]) => v)], linearWorkgroups(items, WG));
}

function checkRows(label: string, x: Rows, views: [string, View, string, number[]][]): void {
  checkCount(label, 'R', x.R, 1);
  checkCount(label, 'D', x.D, 1);
  for (const [name, v, shape, dims] of views) checkShape(label, name, v, shape, dims);
}

export interface LayerNormForwardArgs extends Rows {
  x: View; // (R, D)
  gamma: View; // (D)
  beta: View; // (D)
  y: View; // (R, D), a buffer apart from x
  /** (R, 2): each row's mean and 1/√(var + eps), for the backward. */
  stats: View;
}

/** y = (x − μ)·rstd ⊙ γ + β per row, eps 1e-5 as PyTorch. */
export function layerNormForward(gpu: Gpu, a: LayerNormForwardArgs): Dispatch {
  const label = a.label ?? 'layer_norm';
  const { R, D } = a;
  checkRows(label, a, [['x', a.x, '(R, D)', [R, D]], ['gamma', a.gamma, '(D)', [D]], ['beta', a.beta, '(D)', [D]], ['y', a.y, '(R, D)', [R, D]], ['stats', a.stats, '(R, 2)', [R, 2]]]);
  return record(gpu, label, 'layer_norm_forward', a, [['x', a.x], ['gamma', a.gamma], ['beta', a.beta]], [['y', a.y], ['stats', a.stats]], R);
}

export interface LayerNormBackwardArgs extends Rows {
  x: View; // (R, D) the forward input
  gamma: View; // (D)
  stats: View; // (R, 2) as the forward wrote it
  dy: View; // (R, D)
  dx: View; // (R, D)
  dGamma: View; // (D)
  dBeta: View; // (D)
  /** dx += … (a residual branch joining its skip path) instead of dx = …; dγ, dβ are always written. */
  accumulate?: boolean;
}

/** Three dispatches: dx per row, dγ per column, dβ the column sum of dy. */
export function layerNormBackward(gpu: Gpu, a: LayerNormBackwardArgs): Dispatch[] {
  const label = a.label ?? 'layer_norm_backward';
  const { R, D } = a;
  const shapes: [string, View, string, number[]][] = [['x', a.x, '(R, D)', [R, D]], ['gamma', a.gamma, '(D)', [D]], ['stats', a.stats, '(R, 2)', [R, 2]], ['dy', a.dy, '(R, D)', [R, D]]];
  checkRows(label, a, [...shapes, ['dx', a.dx, '(R, D)', [R, D]], ['dGamma', a.dGamma, '(D)', [D]], ['dBeta', a.dBeta, '(D)', [D]]]);
  return [
    record(gpu, `${label}.dx`, 'layer_norm_backward_dx', a, [['x', a.x], ['gamma', a.gamma], ['stats', a.stats], ['dy', a.dy]], [['dx', a.dx]], R),
    record(gpu, `${label}.dgamma`, 'layer_norm_backward_gamma', { R, D }, [['x', a.x], ['stats', a.stats], ['dy', a.dy]], [['dGamma', a.dGamma]], D),
    columnSum(gpu, { dy: a.dy, db: a.dBeta, rows: R, cols: D, label: `${label}.dbeta` }),
  ];
}
