// Per-op benchmark cases of the LSTM cell (shaders/lstm.wgsl), standalone and fused with the
// recurrent matmul, each with its float64 reference (src/reference/lstm.ts).
import type { Gpu } from '../gpu/context.ts';
import { lstmCellBackward, lstmCellForward, lstmStepBackward, lstmStepForward } from '../ops/lstm.ts';
import * as ref from '../reference/lstm.ts';
import { CaseBuffers, lengthsOf, scaled, type OpCase, type OpDims } from './op_case.ts';
import { seeded } from './timing.ts';

const f32 = (xs: ArrayLike<number>) => Float32Array.from(xs);

/** The standalone LSTM cell forward: gates, c_t, h_t from the pre-activations (B, 4H). */
export function lstmCellForwardCase(gpu: Gpu, d: OpDims): OpCase {
  const { B, H, T } = d;
  const bufs = new CaseBuffers(gpu);
  const pre = scaled(B * 4 * H, 11, 2);
  const hc = seeded(2 * B * H, 12);
  const lengths = lengthsOf(B, T);
  const t = Math.floor(T / 2);
  const gates = bufs.input('gates', pre);
  const hs = bufs.input('h', hc);
  const cs = bufs.input('c', hc);
  const lens = bufs.input('lengths', lengths);
  const hPrev = { ...hs, length: B * H };
  const cPrev = { ...cs, length: B * H };
  const hOut = { ...hs, offset: B * H, length: B * H };
  const cOut = { ...cs, offset: B * H, length: B * H };
  const mask = Array.from(lengths, (l) => t < l);
  const r = ref.lstmCellForward(pre, hc.subarray(0, B * H), hc.subarray(0, B * H), B, H, mask);
  return {
    op: 'lstm_cell_forward',
    shape: `B=${B} H=${H}`,
    dispatches: [lstmCellForward(gpu, { B, H, gates, hPrev, hOut, cPrev, cOut, mask: { lengths: lens, t }, label: 'bench.lstm_cell_forward' })],
    bytes: 4 * (11 * B * H + B),
    reset: () => bufs.reset(),
    expected: [
      { name: 'gates', view: gates, ref: r.gates },
      { name: 'h', view: hOut, ref: r.h },
      { name: 'c', view: cOut, ref: r.c },
    ],
    destroy: () => bufs.destroy(),
  };
}

/** The standalone LSTM cell backward: dG (B, 4H), dh and dc passed to the step before. */
export function lstmCellBackwardCase(gpu: Gpu, d: OpDims): OpCase {
  const { B, H, T } = d;
  const bufs = new CaseBuffers(gpu);
  const fw = ref.lstmCellForward(scaled(B * 4 * H, 21, 2), seeded(B * H, 22), seeded(B * H, 23), B, H);
  const cPrevHost = seeded(B * H, 23);
  const dhdc = seeded(2 * B * H, 24);
  const lengths = lengthsOf(B, T);
  const t = Math.floor(T / 2);
  const gatesHost = f32(fw.gates);
  const cHost = f32([...cPrevHost, ...fw.c]);
  const gates = bufs.input('gates', gatesHost);
  const cs = bufs.input('c', cHost);
  const ds = bufs.input('ds', dhdc);
  const lens = bufs.input('lengths', lengths);
  const dGates = bufs.output('dgates', B * 4 * H);
  const dh = { ...ds, length: B * H };
  const dc = { ...ds, offset: B * H, length: B * H };
  const mask = Array.from(lengths, (l) => t < l);
  const r = ref.lstmCellBackward(gatesHost, cHost.subarray(0, B * H), cHost.subarray(B * H), dhdc.subarray(0, B * H), dhdc.subarray(B * H), B, H, mask);
  const args = { B, H, gates, cPrev: { ...cs, length: B * H }, cCur: { ...cs, offset: B * H, length: B * H }, dGates, dh, dc, mask: { lengths: lens, t } };
  return {
    op: 'lstm_cell_backward',
    shape: `B=${B} H=${H}`,
    dispatches: [lstmCellBackward(gpu, { ...args, label: 'bench.lstm_cell_backward' })],
    bytes: 4 * (15 * B * H + B),
    reset: () => bufs.reset(),
    expected: [
      { name: 'dGates', view: dGates, ref: r.dpre },
      { name: 'dh', view: dh, ref: r.dhPass },
      { name: 'dc', view: dc, ref: r.dcPrev },
    ],
    destroy: () => bufs.destroy(),
  };
}

/** x·W_ihᵀ + b_ih arrives in G; the fused step adds b_hh + h·W_hhᵀ and runs the cell. */
export function lstmStepForwardCase(gpu: Gpu, d: OpDims): OpCase {
  const { B, H, T } = d;
  const bufs = new CaseBuffers(gpu);
  const xProj = scaled(B * 4 * H, 31, 2);
  const wHost = scaled(4 * H * H + 4 * H, 32, 0.3); // W_hh (4H, H) | b_hh (4H)
  const hc = seeded(2 * B * H, 33);
  const lengths = lengthsOf(B, T);
  const t = Math.floor(T / 2);
  const gates = bufs.input('gates', xProj);
  const w = bufs.input('w', wHost);
  const hs = bufs.input('h', hc);
  const cs = bufs.input('c', hc);
  const lens = bufs.input('lengths', lengths);
  const hOut = { ...hs, offset: B * H, length: B * H };
  const cOut = { ...cs, offset: B * H, length: B * H };
  const whh = wHost.subarray(0, 4 * H * H);
  const rec = ref.lstmPreactivation([], hc.subarray(0, B * H), { wih: [], whh, bih: new Float64Array(4 * H), bhh: wHost.subarray(4 * H * H) }, B, 0, H);
  const pre = rec.map((x, i) => x + xProj[i]);
  const r = ref.lstmCellForward(pre, hc.subarray(0, B * H), hc.subarray(0, B * H), B, H, Array.from(lengths, (l) => t < l));
  const dispatch = lstmStepForward(gpu, {
    B, H, gates, hPrev: { ...hs, length: B * H }, hOut, cPrev: { ...cs, length: B * H }, cOut,
    wHh: { ...w, length: 4 * H * H }, bHh: { ...w, offset: 4 * H * H, length: 4 * H },
    mask: { lengths: lens, t }, label: 'bench.lstm_step_forward',
  });
  return {
    op: 'lstm_step_forward',
    shape: `B=${B} H=${H}`,
    dispatches: [dispatch],
    bytes: 4 * (16 * H * H + 4 * H + 11 * B * H + B),
    flops: 8 * B * H * H,
    reset: () => bufs.reset(),
    expected: [
      { name: 'gates', view: gates, ref: r.gates, atol: 1e-5, rtol: 1e-4 },
      { name: 'h', view: hOut, ref: r.h, atol: 1e-5, rtol: 1e-4 },
      { name: 'c', view: cOut, ref: r.c, atol: 1e-5, rtol: 1e-4 },
    ],
    destroy: () => bufs.destroy(),
  };
}

/** dh += dG_{t+1}·W_hh, then the cell backward, in one dispatch. */
export function lstmStepBackwardCase(gpu: Gpu, d: OpDims): OpCase {
  const { B, H, T } = d;
  const G = 4 * H;
  const bufs = new CaseBuffers(gpu);
  const fw = ref.lstmCellForward(scaled(B * G, 41, 2), seeded(B * H, 42), seeded(B * H, 43), B, H);
  const gatesHost = f32(fw.gates);
  const cHost = f32([...seeded(B * H, 43), ...fw.c]);
  const dhdc = seeded(2 * B * H, 44);
  const dgHost = f32([...new Float32Array(B * G), ...scaled(B * G, 45, 0.1)]); // dG_t (out) | dG_{t+1}
  const whh = scaled(G * H, 46, 0.3);
  const lengths = lengthsOf(B, T);
  const t = Math.floor(T / 2);
  const gates = bufs.input('gates', gatesHost);
  const cs = bufs.input('c', cHost);
  const ds = bufs.input('ds', dhdc);
  const dg = bufs.input('dg', dgHost);
  const w = bufs.input('whh', whh);
  const lens = bufs.input('lengths', lengths);
  const dh = { ...ds, length: B * H };
  const dc = { ...ds, offset: B * H, length: B * H };
  const dGates = { ...dg, length: B * G };
  const rec = new Float64Array(B * H); // dG_{t+1}·W_hh  (B, H)
  for (let b = 0; b < B; b++) for (let n = 0; n < G; n++) for (let k = 0; k < H; k++) rec[b * H + k] += dgHost[B * G + b * G + n] * whh[n * H + k];
  const dhIn = rec.map((x, i) => x + dhdc[i]);
  const r = ref.lstmCellBackward(gatesHost, cHost.subarray(0, B * H), cHost.subarray(B * H), dhIn, dhdc.subarray(B * H), B, H, Array.from(lengths, (l) => t < l));
  const dispatch = lstmStepBackward(gpu, {
    B, H, gates, cPrev: { ...cs, length: B * H }, cCur: { ...cs, offset: B * H, length: B * H }, dGates, dh, dc,
    next: { dGates: { ...dg, offset: B * G, length: B * G }, wHh: w }, mask: { lengths: lens, t }, label: 'bench.lstm_step_backward',
  });
  return {
    op: 'lstm_step_backward',
    shape: `B=${B} H=${H}`,
    dispatches: [dispatch],
    bytes: 4 * (G * H + B * G + 15 * B * H + B),
    flops: 8 * B * H * H,
    reset: () => bufs.reset(),
    expected: [
      { name: 'dGates', view: dGates, ref: r.dpre, atol: 1e-5, rtol: 1e-4 },
      { name: 'dh', view: dh, ref: r.dhPass, atol: 1e-5, rtol: 1e-4 },
      { name: 'dc', view: dc, ref: r.dcPrev, atol: 1e-5, rtol: 1e-4 },
    ],
    destroy: () => bufs.destroy(),
  };
}
