// The elementwise LSTM cell, forward and backward (shaders/lstm.wgsl; float64 reference:
// src/reference/lstm.ts lstmCellForward / lstmCellBackward), standalone (after a separate
// recurrent matmul) or fused with the recurrent matmul (lstmStepForward / lstmStepBackward,
// what the models record). Both come from one WGSL text, its FUSED switch on or off.
import source from '../../shaders/lstm.wgsl?raw';
import { shaderVariant } from '../gpu/shader.ts';
import type { Gpu } from '../gpu/context.ts';
import type { View } from '../gpu/buffers.ts';
import { linearWorkgroups, type Dispatch } from '../gpu/program.ts';
import { u32 } from '../gpu/uniforms.ts';
import { checkCount, checkShape } from './view_checks.ts';

const WG = 64;
const cell = shaderVariant('lstm', source, { FUSED: false });
const fused = shaderVariant('lstm', source, { FUSED: true });

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
  const pipeline = gpu.pipelines.get({ ...cell, entryPoint: 'lstm_cell_forward', bindings: ['uniform', 'read', 'storage', 'storage', 'storage'], constants: { WG } });
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

/** The views both backward kernels share: shapes, and which must share a buffer. */
function checkBackwardViews(label: string, a: CellBackwardArgs | StepBackwardArgs): void {
  checkCount(label, 'B', a.B, 1);
  checkCount(label, 'H', a.H, 1);
  checkShape(label, 'gates', a.gates, '(B, 4H)', [a.B, 4 * a.H]);
  checkShape(label, 'dGates', a.dGates, '(B, 4H)', [a.B, 4 * a.H]);
  for (const [n, v] of [['cPrev', a.cPrev], ['cCur', a.cCur], ['dh', a.dh], ['dc', a.dc]] as const) checkShape(label, n, v, '(B, H)', [a.B, a.H]);
  if (a.above) checkShape(label, 'above', a.above, '(B, H)', [a.B, a.H]);
  if (a.cPrev.buffer !== a.cCur.buffer) throw new Error(`${label}: cPrev and cCur must be views of one buffer.`);
  if (a.dh.buffer !== a.dc.buffer) throw new Error(`${label}: dh and dc must be views of one buffer.`);
}

export function lstmCellBackward(gpu: Gpu, a: CellBackwardArgs): Dispatch {
  const label = a.label ?? 'lstm_cell_backward';
  checkBackwardViews(label, a);
  const written = [a.dGates.buffer, a.dh.buffer];
  if (written[0] === written[1]) throw new Error(`${label}: dGates and dh/dc must live in different buffers.`);
  for (const [n, v] of [['gates', a.gates], ['c', a.cCur], ['above', a.above], ['lengths', a.mask?.lengths]] as const) {
    if (v && written.includes(v.buffer)) throw new Error(`${label}: ${n} must not share a buffer with dGates or dh/dc, which are written.`);
  }
  const pipeline = gpu.pipelines.get({
    ...cell,
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

// ---- Fused steps: recurrent matmul + cell in one dispatch (what the model records) ----

export interface StepForwardArgs extends CellForwardArgs {
  /** (4H, H) W_hh and (4H) b_hh, views of one buffer (the parameters). */
  wHh: View;
  bHh: View;
}

/**
 * gates = act(gates + b_hh + hPrev·W_hhᵀ), then the cell: one dispatch per time step.
 * `gates` holds the step's input projection x·W_ihᵀ + b_ih on entry.
 */
export function lstmStepForward(gpu: Gpu, a: StepForwardArgs): Dispatch {
  const label = a.label ?? 'lstm_step_forward';
  checkCount(label, 'B', a.B, 1);
  checkCount(label, 'H', a.H, 1);
  checkShape(label, 'gates', a.gates, '(B, 4H)', [a.B, 4 * a.H]);
  checkShape(label, 'wHh', a.wHh, '(4H, H)', [4 * a.H, a.H]);
  checkShape(label, 'bHh', a.bHh, '(4H)', [4 * a.H]);
  for (const [n, v] of [['hPrev', a.hPrev], ['hOut', a.hOut], ['cPrev', a.cPrev], ['cOut', a.cOut]] as const) checkShape(label, n, v, '(B, H)', [a.B, a.H]);
  if (a.hPrev.buffer !== a.hOut.buffer || a.cPrev.buffer !== a.cOut.buffer) throw new Error(`${label}: hPrev/hOut and cPrev/cOut must each be views of one buffer.`);
  if (a.wHh.buffer !== a.bHh.buffer) throw new Error(`${label}: wHh and bHh must be views of one buffer.`);
  const written = [a.gates.buffer, a.hOut.buffer, a.cOut.buffer];
  if (new Set(written).size !== 3) throw new Error(`${label}: gates, h and c must live in three different buffers.`);
  for (const [n, v] of [['wHh', a.wHh], ['lengths', a.mask?.lengths]] as const) {
    if (v && written.includes(v.buffer)) throw new Error(`${label}: ${n} must not share a buffer with gates, h or c, which are written.`);
  }
  const pipeline = gpu.pipelines.get({
    ...fused,
    entryPoint: 'lstm_step_forward',
    bindings: ['uniform', 'read', 'storage', 'storage', 'storage', 'read'],
    constants: { WG },
  });
  const params = gpu.uniform(
    [
      a.B, a.H, a.mask ? 1 : 0, a.mask?.t ?? 0,
      a.gates.offset, a.hPrev.offset, a.cPrev.offset, a.hOut.offset,
      a.cOut.offset, a.mask?.lengths.offset ?? 0, a.wHh.offset, a.bHh.offset,
    ].map(u32),
  );
  const workgroups = linearWorkgroups(a.H * Math.ceil(a.B / 4), WG);
  return gpu.dispatch(label, pipeline, [params, a.mask?.lengths ?? dummy(gpu), a.gates, a.hOut, a.cOut, a.wHh], workgroups);
}

export interface StepBackwardArgs extends CellBackwardArgs {
  /**
   * The step after this one (t+1), whose gradient reaches h_t through W_hh: its dG rows
   * (B, 4H) in the dGates buffer and its layer's W_hh (4H, H). Omitted for the last step.
   */
  next?: { dGates: View; wHh: View };
}

/** dh += dG_{t+1}·W_hh (+ above), then the cell backward: one dispatch per time step. */
export function lstmStepBackward(gpu: Gpu, a: StepBackwardArgs): Dispatch {
  const label = a.label ?? 'lstm_step_backward';
  checkBackwardViews(label, a);
  if (a.next) {
    checkShape(label, 'next.dGates', a.next.dGates, '(B, 4H)', [a.B, 4 * a.H]);
    checkShape(label, 'next.wHh', a.next.wHh, '(4H, H)', [4 * a.H, a.H]);
    if (a.next.dGates.buffer !== a.dGates.buffer) throw new Error(`${label}: next.dGates must be a view of the dGates buffer.`);
    const lo = Math.max(a.next.dGates.offset, a.dGates.offset);
    const hi = Math.min(a.next.dGates.offset + a.next.dGates.length, a.dGates.offset + a.dGates.length);
    if (lo < hi) throw new Error(`${label}: next.dGates overlaps dGates.`);
  }
  const written = [a.dGates.buffer, a.dh.buffer];
  if (written[0] === written[1]) throw new Error(`${label}: dGates and dh/dc must live in different buffers.`);
  for (const [n, v] of [['gates', a.gates], ['c', a.cCur], ['above', a.above], ['lengths', a.mask?.lengths], ['next.wHh', a.next?.wHh]] as const) {
    if (v && written.includes(v.buffer)) throw new Error(`${label}: ${n} must not share a buffer with dGates or dh/dc, which are written.`);
  }
  const pipeline = gpu.pipelines.get({
    ...fused,
    entryPoint: 'lstm_step_backward',
    bindings: ['uniform', 'read', 'read', 'read', 'read', 'storage', 'storage', 'read'],
    constants: { WG },
  });
  const params = gpu.uniform(
    [
      a.B, a.H, a.mask ? 1 : 0, a.mask?.t ?? 0,
      a.gates.offset, a.cPrev.offset, a.cCur.offset, a.dGates.offset,
      a.dh.offset, a.dc.offset, a.above?.offset ?? 0, a.above ? 1 : 0,
      a.mask?.lengths.offset ?? 0, a.next?.dGates.offset ?? 0, a.next?.wHh.offset ?? 0, a.next ? 1 : 0,
    ].map(u32),
  );
  const workgroups = linearWorkgroups(Math.ceil(a.H / 4) * Math.ceil(a.B / 4), WG);
  return gpu.dispatch(
    label,
    pipeline,
    [params, a.mask?.lengths ?? dummy(gpu), a.gates, a.cCur, a.above ?? a.gates, a.dGates, a.dh, a.next?.wHh ?? dummy(gpu)],
    workgroups,
  );
}
