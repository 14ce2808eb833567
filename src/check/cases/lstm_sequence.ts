// The sequence cases (shaders/lstm_sequence.wgsl): one LSTM layer over all T steps in one
// dispatch, forward and backward through time, against src/reference/lstm_sequence.ts. Each
// runs an encoder's layer (mixed lengths 1..T, so the batch's longest may stop short of T) and
// a decoder's (no mask, half the recorded steps live; its backward starts from zero dh, dc
// and has no gradient from above).
import { slice, type View } from '../../gpu/buffers.ts';
import type { Gpu } from '../../gpu/context.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { lstmSequenceBackward, lstmSequenceForward, sequenceMaxHidden, type SequenceArgs } from '../../ops/lstm_sequence.ts';
import * as seqRef from '../../reference/lstm_sequence.ts';
import { CaseBuffers, caseOf, type Expected, type OpCase, type OpDims } from '../case.ts';
import { mixedLengths, uniformF32 } from '../random.ts';

const f32 = (xs: ArrayLike<number>) => Float32Array.from(xs);

/** One layer's inputs on the host, and the lengths the reference runs (rows past `live` hold). */
interface Layer {
  name: 'encoder' | 'decoder';
  lengths?: Int32Array;
  live: number;
  gx: Float32Array; // (T, B, 4H)
  whh: Float32Array; // (4H, H)
  bhh: Float32Array; // (4H)
  h0: Float32Array; // (B, H)
  c0: Float32Array; // (B, H)
  refLengths: number[];
}

function layerOf(d: OpDims, name: Layer['name'], seed: number): Layer {
  const { B, H, T } = d;
  const lengths = name === 'encoder' ? mixedLengths(B, T) : undefined;
  const live = lengths ? Math.max(...lengths) : Math.ceil(T / 2);
  const r = 1 / Math.sqrt(H);
  return {
    name, lengths, live,
    gx: uniformF32(T * B * 4 * H, seed, -1.5, 1.5), whh: uniformF32(4 * H * H, seed + 1, -r, r), bhh: uniformF32(4 * H, seed + 2, -0.5, 0.5),
    h0: uniformF32(B * H, seed + 3, -0.5, 0.5), c0: uniformF32(B * H, seed + 4),
    refLengths: Array.from({ length: B }, (_, b) => Math.min(lengths?.[b] ?? T, live)),
  };
}

/** What both directions bind: lengths and live in one i32 buffer, W_hh and b_hh in another. */
function sharedViews(bufs: CaseBuffers, d: OpDims, l: Layer): SequenceArgs & { bHh: View } {
  const { B, H, T } = d;
  const counts = bufs.input(`${l.name}.lengths`, Int32Array.from([...(l.lengths ?? []), l.live]));
  const w = bufs.input(`${l.name}.w`, f32([...l.whh, ...l.bhh]));
  const lengths = l.lengths ? slice(counts, 0, B) : undefined;
  return { B, H, steps: T, lengths, live: slice(counts, counts.length - 1, 1), wHh: slice(w, 0, 4 * H * H), bHh: slice(w, 4 * H * H, 4 * H), label: `check.lstm_sequence ${l.name}` };
}

/** The sizes run: H at most what this device's workgroups hold (a larger model records its steps one by one). */
const fitted = (gpu: Gpu, d: OpDims): OpDims => ({ ...d, H: Math.min(d.H, sequenceMaxHidden(gpu.device.limits)) });

const refDims = (d: OpDims, l: Layer) => ({ B: d.B, H: d.H, steps: d.T, lengths: l.refLengths });

/** Bytes the layer moves one way: gates in and out, W_hh, the states; and its recurrent matmul's flops. */
const costOf = (d: OpDims) => ({ bytes: 4 * (2 * d.T * d.B * 4 * d.H + 4 * d.H * d.H + 2 * (1 + d.T) * d.B * d.H), flops: 8 * d.T * d.B * d.H * d.H });

export function lstmSequenceForwardCase(gpu: Gpu, asked: OpDims): OpCase {
  const d = fitted(gpu, asked);
  const { B, H, T } = d;
  const bufs = new CaseBuffers(gpu);
  const dispatches: Dispatch[] = [];
  const expected: Expected[] = [];
  for (const [k, name] of (['encoder', 'decoder'] as const).entries()) {
    const l = layerOf(d, name, 191 + 10 * k);
    // Rows after the initial state start as other values: every step must write them.
    const stale = uniformF32(T * B * H, 199);
    const [gates, h, c] = [bufs.input(`${name}.gates`, l.gx), bufs.input(`${name}.h`, f32([...l.h0, ...stale])), bufs.input(`${name}.c`, f32([...l.c0, ...stale]))];
    dispatches.push(lstmSequenceForward(gpu, { ...sharedViews(bufs, d, l), gates, h, c }));
    const r = seqRef.lstmRecurrenceForward(l.gx, l.whh, l.bhh, l.h0, l.c0, refDims(d, l));
    // Gates of steps no row runs are never written (nothing reads them): the live ones are compared.
    const liveGates = l.live * B * 4 * H;
    expected.push({ name: `${name} gates`, view: slice(gates, 0, liveGates), ref: r.gates.subarray(0, liveGates) }, { name: `${name} h`, view: h, ref: r.h }, { name: `${name} c`, view: c, ref: r.c });
  }
  const cost = costOf(d);
  return caseOf(bufs, { op: 'lstm_sequence_forward', shape: `B=${B} H=${H} T=${T}`, dispatches, bytes: 2 * cost.bytes, flops: 2 * cost.flops, expected });
}

export function lstmSequenceBackwardCase(gpu: Gpu, asked: OpDims): OpCase {
  const d = fitted(gpu, asked);
  const { B, H, T } = d;
  const n = B * H;
  const bufs = new CaseBuffers(gpu);
  const dispatches: Dispatch[] = [];
  const expected: Expected[] = [];
  for (const [k, name] of (['encoder', 'decoder'] as const).entries()) {
    const l = layerOf(d, name, 211 + 10 * k);
    const fwd = seqRef.lstmRecurrenceForward(l.gx, l.whh, l.bhh, l.h0, l.c0, refDims(d, l));
    // The backward reads the forward's tensors as float32, as the GPU holds them.
    const saved = { gates: Float64Array.from(f32(fwd.gates)), h: fwd.h, c: Float64Array.from(f32(fwd.c)) };
    const above = name === 'encoder' ? uniformF32(T * n, 215 + k) : undefined;
    const dhdc = uniformF32(2 * n, 217 + k);
    const zeroIn = name === 'decoder';
    const dS = bufs.input(`${name}.ds`, dhdc);
    // dG starts as other values: the kernel must write every row, held ones with zeros.
    const dGates = bufs.input(`${name}.dgates`, uniformF32(T * B * 4 * H, 219));
    const args = { ...sharedViews(bufs, d, l), gates: bufs.input(`${name}.gates`, f32(saved.gates)), c: bufs.input(`${name}.c`, f32(saved.c)), dGates, dh: slice(dS, 0, n), dc: slice(dS, n, n), zeroIn };
    dispatches.push(lstmSequenceBackward(gpu, { ...args, above: above && bufs.input(`${name}.above`, above) }));
    const zeros = new Float64Array(n);
    const r = seqRef.lstmRecurrenceBackward(saved, l.whh, above, zeroIn ? zeros : dhdc.subarray(0, n), zeroIn ? zeros : dhdc.subarray(n), refDims(d, l));
    expected.push({ name: `${name} dGates`, view: dGates, ref: r.dGates }, { name: `${name} dh0`, view: args.dh, ref: r.dh0 }, { name: `${name} dc0`, view: args.dc, ref: r.dc0 });
  }
  const cost = costOf(d);
  return caseOf(bufs, { op: 'lstm_sequence_backward', shape: `B=${B} H=${H} T=${T}`, dispatches, bytes: 2 * cost.bytes, flops: 2 * cost.flops, expected });
}
