// The check cases of the LSTM cell (shaders/lstm.wgsl), standalone and fused with the
// recurrent matmul, each with its float64 reference (src/reference/lstm.ts).
import type { View } from '../../gpu/buffers.ts';
import type { Gpu } from '../../gpu/context.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { lstmCellBackward, lstmCellForward, lstmStepBackward, lstmStepForward } from '../../ops/lstm.ts';
import * as ref from '../../reference/lstm.ts';
import { CaseBuffers, caseOf, type Expected, type OpCase, type OpDims } from '../case.ts';
import { mixedLengths, uniformF32 } from '../random.ts';

const f32 = (xs: ArrayLike<number>) => Float32Array.from(xs);

/** The two halves of a buffer that holds a pair of (B, H) states: [previous | current]. */
const halves = (v: View, n: number): [View, View] => [{ ...v, length: n }, { ...v, offset: v.offset + n, length: n }];

/** Every case runs at step t = T/2 of mixed lengths, so the mask holds some rows back. */
function maskAt(bufs: CaseBuffers, B: number, T: number): { t: number; lengths: Int32Array; live: boolean[]; gpu: { lengths: View; t: number } } {
  const lengths = mixedLengths(B, T);
  const t = Math.floor(T / 2);
  return { t, lengths, live: Array.from(lengths, (l) => t < l), gpu: { lengths: bufs.input('lengths', lengths), t } };
}

/** Three outputs against their references, at one tolerance (the kernels' default when none). */
function expect3(names: [string, string, string], views: [View, View, View], refs: ArrayLike<number>[], tol: { atol?: number; rtol?: number } = {}): Expected[] {
  return names.map((name, i) => ({ name, view: views[i], ref: refs[i], ...tol }));
}

/** The case around one dispatch: op name, sizes, its buffers' reset and destroy. */
function lstmCase(op: string, d: OpDims, bufs: CaseBuffers, dispatch: Dispatch, cost: { bytes: number; flops?: number }, expected: Expected[]): OpCase {
  return caseOf(bufs, { op, shape: `B=${d.B} H=${d.H}`, dispatches: [dispatch], ...cost, expected });
}

const FUSED_TOL = { atol: 1e-5, rtol: 1e-4 };

/** The standalone LSTM cell forward: gates, c_t, h_t from the pre-activations (B, 4H). */
export function lstmCellForwardCase(gpu: Gpu, d: OpDims): OpCase {
  const { B, H, T } = d;
  const bufs = new CaseBuffers(gpu);
  const pre = uniformF32(B * 4 * H, 11, -2, 2);
  const hc = uniformF32(2 * B * H, 12);
  const gates = bufs.input('gates', pre);
  const [hPrev, hOut] = halves(bufs.input('h', hc), B * H);
  const [cPrev, cOut] = halves(bufs.input('c', hc), B * H);
  const m = maskAt(bufs, B, T);
  const r = ref.lstmCellForward(pre, hc.subarray(0, B * H), hc.subarray(0, B * H), B, H, m.live);
  const dispatch = lstmCellForward(gpu, { B, H, gates, hPrev, hOut, cPrev, cOut, mask: m.gpu, label: 'check.lstm_cell_forward' });
  return lstmCase('lstm_cell_forward', d, bufs, dispatch, { bytes: 4 * (11 * B * H + B) }, expect3(['gates', 'h', 'c'], [gates, hOut, cOut], [r.gates, r.h, r.c]));
}

/** The standalone LSTM cell backward: dG (B, 4H), dh and dc passed to the step before. */
export function lstmCellBackwardCase(gpu: Gpu, d: OpDims): OpCase {
  const { B, H, T } = d;
  const bufs = new CaseBuffers(gpu);
  const fw = ref.lstmCellForward(uniformF32(B * 4 * H, 21, -2, 2), uniformF32(B * H, 22), uniformF32(B * H, 23), B, H);
  const cPrevHost = uniformF32(B * H, 23);
  const dhdc = uniformF32(2 * B * H, 24);
  const gatesHost = f32(fw.gates);
  const cHost = f32([...cPrevHost, ...fw.c]);
  const gates = bufs.input('gates', gatesHost);
  const [cPrev, cCur] = halves(bufs.input('c', cHost), B * H);
  const [dh, dc] = halves(bufs.input('ds', dhdc), B * H);
  const m = maskAt(bufs, B, T);
  const dGates = bufs.output('dgates', B * 4 * H);
  const r = ref.lstmCellBackward(gatesHost, cHost.subarray(0, B * H), cHost.subarray(B * H), dhdc.subarray(0, B * H), dhdc.subarray(B * H), B, H, m.live);
  const dispatch = lstmCellBackward(gpu, { B, H, gates, cPrev, cCur, dGates, dh, dc, mask: m.gpu, label: 'check.lstm_cell_backward' });
  return lstmCase('lstm_cell_backward', d, bufs, dispatch, { bytes: 4 * (15 * B * H + B) }, expect3(['dGates', 'dh', 'dc'], [dGates, dh, dc], [r.dpre, r.dhPass, r.dcPrev]));
}

/** x·W_ihᵀ + b_ih arrives in G; the fused step adds b_hh + h·W_hhᵀ and runs the cell. */
export function lstmStepForwardCase(gpu: Gpu, d: OpDims): OpCase {
  const { B, H, T } = d;
  const bufs = new CaseBuffers(gpu);
  const xProj = uniformF32(B * 4 * H, 31, -2, 2);
  const wHost = uniformF32(4 * H * H + 4 * H, 32, -0.3, 0.3); // W_hh (4H, H) | b_hh (4H)
  const hc = uniformF32(2 * B * H, 33);
  const gates = bufs.input('gates', xProj);
  const w = bufs.input('w', wHost);
  const [hPrev, hOut] = halves(bufs.input('h', hc), B * H);
  const [cPrev, cOut] = halves(bufs.input('c', hc), B * H);
  const m = maskAt(bufs, B, T);
  const whh = wHost.subarray(0, 4 * H * H);
  const rec = ref.lstmPreactivation([], hc.subarray(0, B * H), { wih: [], whh, bih: new Float64Array(4 * H), bhh: wHost.subarray(4 * H * H) }, B, 0, H);
  const pre = rec.map((x, i) => x + xProj[i]);
  const r = ref.lstmCellForward(pre, hc.subarray(0, B * H), hc.subarray(0, B * H), B, H, m.live);
  const dispatch = lstmStepForward(gpu, {
    B, H, gates, hPrev, hOut, cPrev, cOut,
    wHh: { ...w, length: 4 * H * H }, bHh: { ...w, offset: w.offset + 4 * H * H, length: 4 * H },
    mask: m.gpu, label: 'check.lstm_step_forward',
  });
  const cost = { bytes: 4 * (16 * H * H + 4 * H + 11 * B * H + B), flops: 8 * B * H * H };
  return lstmCase('lstm_step_forward', d, bufs, dispatch, cost, expect3(['gates', 'h', 'c'], [gates, hOut, cOut], [r.gates, r.h, r.c], FUSED_TOL));
}

/** dh += dG_{t+1}·W_hh, then the cell backward, in one dispatch. */
export function lstmStepBackwardCase(gpu: Gpu, d: OpDims): OpCase {
  const { B, H, T } = d;
  const G = 4 * H;
  const bufs = new CaseBuffers(gpu);
  const fw = ref.lstmCellForward(uniformF32(B * G, 41, -2, 2), uniformF32(B * H, 42), uniformF32(B * H, 43), B, H);
  const gatesHost = f32(fw.gates);
  const cHost = f32([...uniformF32(B * H, 43), ...fw.c]);
  const dhdc = uniformF32(2 * B * H, 44);
  const dgHost = f32([...new Float32Array(B * G), ...uniformF32(B * G, 45, -0.1, 0.1)]); // dG_t (out) | dG_{t+1}
  const whh = uniformF32(G * H, 46, -0.3, 0.3);
  const gates = bufs.input('gates', gatesHost);
  const [cPrev, cCur] = halves(bufs.input('c', cHost), B * H);
  const [dh, dc] = halves(bufs.input('ds', dhdc), B * H);
  const [dGates, dgNext] = halves(bufs.input('dg', dgHost), B * G);
  const w = bufs.input('whh', whh);
  const m = maskAt(bufs, B, T);
  const rec = new Float64Array(B * H); // dG_{t+1}·W_hh  (B, H)
  for (let b = 0; b < B; b++) for (let n = 0; n < G; n++) for (let k = 0; k < H; k++) rec[b * H + k] += dgHost[B * G + b * G + n] * whh[n * H + k];
  const dhIn = rec.map((x, i) => x + dhdc[i]);
  const r = ref.lstmCellBackward(gatesHost, cHost.subarray(0, B * H), cHost.subarray(B * H), dhIn, dhdc.subarray(B * H), B, H, m.live);
  const dispatch = lstmStepBackward(gpu, {
    B, H, gates, cPrev, cCur, dGates, dh, dc,
    next: { dGates: dgNext, wHh: w }, mask: m.gpu, label: 'check.lstm_step_backward',
  });
  const cost = { bytes: 4 * (G * H + B * G + 15 * B * H + B), flops: 8 * B * H * H };
  return lstmCase('lstm_step_backward', d, bufs, dispatch, cost, expect3(['dGates', 'dh', 'dc'], [dGates, dh, dc], [r.dpre, r.dhPass, r.dcPrev], FUSED_TOL));
}
