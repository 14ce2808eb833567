// Embeddings scaled by √d plus sinusoidal positions, in place, and the backward (the scale).
// See shaders/positions.wgsl; float64 reference: src/reference/positions.ts.
import code from '../../shaders/positions.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import type { View } from '../gpu/buffers.ts';
import { linearWorkgroups, type Dispatch } from '../gpu/program.ts';
import { f32, u32 } from '../gpu/uniforms.ts';
import type { PositionRows } from '../reference/positions.ts';
import { checkCount, checkShape, checkWritableApart } from './view_checks.ts';

const WG = 256;

function checkRows(label: string, x: PositionRows): void {
  for (const [n, v] of [['R', x.R], ['d', x.d], ['P', x.P], ['div', x.div]] as const) checkCount(label, n, v, 1);
  if (!Number.isFinite(x.scale)) throw new RangeError(`${label}: scale must be a finite number, got ${x.scale}.`);
}

function params(gpu: Gpu, x: PositionRows, xView: View, table?: View) {
  return gpu.uniform([u32(x.R), u32(x.d), u32(x.P), u32(x.div), f32(x.scale), u32(xView.offset), u32(table?.offset ?? 0)]);
}

/** x (R, d) = x·scale + table[(r / div) % P] in place.  table (P, d), a buffer apart from x */
export function positionsForward(gpu: Gpu, a: PositionRows & { x: View; table: View; label?: string }): Dispatch {
  const label = a.label ?? 'positions';
  checkRows(label, a);
  checkShape(label, 'x', a.x, '(R, d)', [a.R, a.d]);
  checkShape(label, 'table', a.table, '(P, d)', [a.P, a.d]);
  checkWritableApart(label, [['x', a.x]], [['table', a.table]]);
  const pipeline = gpu.pipelines.get({ name: 'positions', code, entryPoint: 'positions_forward', bindings: ['uniform', 'read', 'storage'], constants: { WG } });
  return gpu.dispatch(label, pipeline, [params(gpu, a, a.x, a.table), a.table, a.x], linearWorkgroups(a.R * a.d, WG));
}

/** dx (R, d) ·= scale in place: the gradient of the scaled embeddings. */
export function positionsBackward(gpu: Gpu, a: PositionRows & { dx: View; label?: string }): Dispatch {
  const label = a.label ?? 'positions_backward';
  checkRows(label, a);
  checkShape(label, 'dx', a.dx, '(R, d)', [a.R, a.d]);
  const pipeline = gpu.pipelines.get({ name: 'positions', code, entryPoint: 'positions_backward', bindings: ['uniform', 'storage'], constants: { WG } });
  return gpu.dispatch(label, pipeline, [params(gpu, a, a.dx), a.dx], linearWorkgroups(a.R * a.d, WG));
}
