// The fused elementwise LSTM cell, forward and backward (shaders/lstm.wgsl; float64
// reference: src/reference/lstm.ts lstmCellForward / lstmCellBackward).
// Per time step and layer the model records: forward = matmul (G_t += h_{t-1}·W_hhᵀ + b_hh)
// then lstmCellForward; backward = lstmCellBackward then matmul (dh += dG_t·W_hh).
import code from '../../shaders/lstm.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import type { View } from '../gpu/buffers.ts';
import { linearWorkgroups, type Dispatch } from '../gpu/program.ts';
import { u32 } from '../gpu/uniforms.ts';
import { checkCount, checkShape } from './view_checks.ts';

const WG = 64;

/** Row b is live at step `t` iff t < lengths[b]; held rows keep (h, c). */
export interface CellMask {
  /** (B) i32 */
  lengths: View;
  t: number;
}

export interface CellForwardArgs {
  B: number;
  H: number;
  /** (B, 4H) pre-activations in, activated gates [i|f|g|o] out (in place). */
  gates: View;
  /** (B, H) h_{t-1}, h_t: views of one buffer. */
  hPrev: View;
  hOut: View;
  /** (B, H) c_{t-1}, c_t: views of one buffer. */
  cPrev: View;
  cOut: View;
  mask?: CellMask;
  label?: string;
}

export function lstmCellForward(gpu: Gpu, a: CellForwardArgs): Dispatch {
  const label = a.label ?? 'lstm_cell_forward';
  checkCount(label, 'B', a.B, 1);
  checkCount(label, 'H', a.H, 1);
  checkShape(label, 'gates', a.gates, '(B, 4H)', [a.B, 4 * a.H]);
  for (const [n, v] of [['hPrev', a.hPrev], ['hOut', a.hOut], ['cPrev', a.cPrev], ['cOut', a.cOut]] as const) checkShape(label, n, v, '(B, H)', [a.B, a.H]);
  if (a.hPrev.buffer !== a.hOut.buffer || a.cPrev.buffer !== a.cOut.buffer) throw new Error(`${label}: hPrev/hOut and cPrev/cOut must each be views of one buffer.`);
  const bufs = [a.gates.buffer, a.hOut.buffer, a.cOut.buffer];
  if (new Set(bufs).size !== 3) throw new Error(`${label}: gates, h and c must live in three different buffers.`);
  if (a.mask && bufs.includes(a.mask.lengths.buffer)) throw new Error(`${label}: lengths must not share a buffer with gates, h or c.`);
  const pipeline = gpu.pipelines.get({ name: 'lstm', code, entryPoint: 'lstm_cell_forward', bindings: ['uniform', 'read', 'storage', 'storage', 'storage'], constants: { WG } });
  const params = gpu.uniform(
    [a.B, a.H, a.mask ? 1 : 0, a.mask?.t ?? 0, a.gates.offset, a.hPrev.offset, a.cPrev.offset, a.hOut.offset, a.cOut.offset, a.mask?.lengths.offset ?? 0].map(u32),
  );
  // Without a mask the lengths binding is unused: a small read-only stand-in takes its place.
  return gpu.dispatch(label, pipeline, [params, a.mask?.lengths ?? dummy(gpu), a.gates, a.hOut, a.cOut], linearWorkgroups(a.B * a.H, WG));
}

export interface CellBackwardArgs {
  B: number;
  H: number;
  /** (B, 4H) activated gates of the step (read). */
  gates: View;
  /** (B, H) c_{t-1} and c_t: views of one buffer (read). */
  cPrev: View;
  cCur: View;
  /** (B, 4H) out: gradient of the pre-activations. */
  dGates: View;
  /** (B, H) in: dh_t from later steps; out: dh_{t-1} except the dG·W_hh part (held rows pass dh through). */
  dh: View;
  /** (B, H) in: dc_t; out: dc_{t-1}. Same buffer as dh. */
  dc: View;
  /** (B, H) gradient of h_t from above (output layer or next layer), added to dh. */
  above?: View;
  mask?: CellMask;
  label?: string;
}

export function lstmCellBackward(gpu: Gpu, a: CellBackwardArgs): Dispatch {
  const label = a.label ?? 'lstm_cell_backward';
  checkCount(label, 'B', a.B, 1);
  checkCount(label, 'H', a.H, 1);
  checkShape(label, 'gates', a.gates, '(B, 4H)', [a.B, 4 * a.H]);
  checkShape(label, 'dGates', a.dGates, '(B, 4H)', [a.B, 4 * a.H]);
  for (const [n, v] of [['cPrev', a.cPrev], ['cCur', a.cCur], ['dh', a.dh], ['dc', a.dc]] as const) checkShape(label, n, v, '(B, H)', [a.B, a.H]);
  if (a.above) checkShape(label, 'above', a.above, '(B, H)', [a.B, a.H]);
  if (a.cPrev.buffer !== a.cCur.buffer) throw new Error(`${label}: cPrev and cCur must be views of one buffer.`);
  if (a.dh.buffer !== a.dc.buffer) throw new Error(`${label}: dh and dc must be views of one buffer.`);
  const written = [a.dGates.buffer, a.dh.buffer];
  if (written[0] === written[1]) throw new Error(`${label}: dGates and dh/dc must live in different buffers.`);
  for (const [n, v] of [['gates', a.gates], ['c', a.cCur], ['above', a.above], ['lengths', a.mask?.lengths]] as const) {
    if (v && written.includes(v.buffer)) throw new Error(`${label}: ${n} must not share a buffer with dGates or dh/dc, which are written.`);
  }
  const pipeline = gpu.pipelines.get({
    name: 'lstm',
    code,
    entryPoint: 'lstm_cell_backward',
    bindings: ['uniform', 'read', 'read', 'read', 'read', 'storage', 'storage'],
    constants: { WG },
  });
  const params = gpu.uniform(
    [
      a.B, a.H, a.mask ? 1 : 0, a.mask?.t ?? 0,
      a.gates.offset, a.cPrev.offset, a.cCur.offset, a.dGates.offset,
      a.dh.offset, a.dc.offset, a.above?.offset ?? 0, a.above ? 1 : 0,
      a.mask?.lengths.offset ?? 0,
    ].map(u32),
  );
  return gpu.dispatch(label, pipeline, [params, a.mask?.lengths ?? dummy(gpu), a.gates, a.cCur, a.above ?? a.gates, a.dGates, a.dh], linearWorkgroups(a.B * a.H, WG));
}

// A 4-element read-only stand-in for unused bindings, one per device.
const dummies = new WeakMap<Gpu, GPUBuffer>();
function dummy(gpu: Gpu): GPUBuffer {
  let b = dummies.get(gpu);
  if (!b) {
    b = gpu.createBuffer('lstm-unused', 4);
    dummies.set(gpu, b);
  }
  return b;
}
