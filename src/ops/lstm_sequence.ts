// One LSTM layer over all its time steps in one dispatch, forward and backward through time
// (shaders/lstm_sequence.wgsl; float64 reference: src/reference/lstm_sequence.ts lstmRecurrenceForward /
// lstmRecurrenceBackward). Each workgroup owns 4 batch rows for the whole sequence (B rows take
// ⌈B/4⌉ workgroups); its NI invocations share the hidden units, j = lid, lid + NI, ….
import source from '../../shaders/lstm_sequence.wgsl?raw';
import type { View } from '../gpu/buffers.ts';
import type { Gpu } from '../gpu/context.ts';
import type { Dispatch } from '../gpu/program.ts';
import { shaderVariant } from '../gpu/shader.ts';
import { u32 } from '../gpu/uniforms.ts';
import { checkCount, checkShape, checkWritableApart } from './view_checks.ts';

const ROWS = 4;
const shader = shaderVariant('lstm_sequence', source);

/** Invocations per workgroup for hidden size H: one per unit (rounded up to 4), at most WebGPU's default 256. */
export const sequenceInvocations = (H: number) => Math.min(256, Math.ceil(H / 4) * 4);
/** Hidden units of workgroup memory for hidden size H (a multiple of 32, so near sizes share a pipeline). */
const capacity = (H: number) => Math.ceil(H / 32) * 32;

/** Bytes of workgroup memory per hidden unit in the backward: dG's 4 gate columns, each a vec4f of the ROWS rows. */
const BACKWARD_BYTES_PER_UNIT = 4 * ROWS * 4;

/**
 * The largest H the sequence kernels accept on this device: the backward's workgroup memory
 * holds dG of 4 rows, 4H columns (64 bytes per unit; the forward needs half). WebGPU's
 * default 16 KiB (SwiftShader's) gives 256.
 */
export function sequenceMaxHidden(limits: Pick<GPUSupportedLimits, 'maxComputeWorkgroupStorageSize'>): number {
  return Math.floor(limits.maxComputeWorkgroupStorageSize / BACKWARD_BYTES_PER_UNIT / 32) * 32;
}

/** What both directions share: the layer's steps and the batch's lengths. */
export interface SequenceArgs {
  B: number;
  H: number;
  /** Recorded steps of the layer (S or T). */
  steps: number;
  /** (B) i32 lengths, when rows past their length hold their state (the encoder). */
  lengths?: View;
  /** (1) i32 steps to run, the batch's longest length (≤ steps; later steps hold every row). Same buffer as lengths. */
  live: View;
  /** (4H, H) W_hh. */
  wHh: View;
  label?: string;
}

export interface SequenceForwardArgs extends SequenceArgs {
  /** (steps, B, 4H) x·W_ihᵀ + b_ih in, activated gates out. */
  gates: View;
  /** (1 + steps, B, H) row 0 the initial state, row t+1 the state after step t. */
  h: View;
  c: View;
  /** (4H) b_hh, same buffer as wHh. */
  bHh: View;
}

export interface SequenceBackwardArgs extends SequenceArgs {
  /** (steps, B, 4H) the forward's activated gates. */
  gates: View;
  /** (1 + steps, B, H) the forward's cell states. */
  c: View;
  /** (steps, B, H) gradient of each h_t from above (the output or the layer above); none: zero. */
  above?: View;
  /** (steps, B, 4H) out: gradient of the pre-activations (zero past each length). */
  dGates: View;
  /** (B, H) in: dh, dc of the last step's state; out: those of the initial state. One buffer. */
  dh: View;
  dc: View;
  /** The last state's dh, dc are zero (the decoder's): nothing is read from dh, dc, so nothing need clear them. */
  zeroIn?: boolean;
}

function checkCommon(gpu: Gpu, label: string, a: SequenceArgs): void {
  checkCount(label, 'B', a.B, 1);
  checkCount(label, 'H', a.H, 1);
  checkCount(label, 'steps', a.steps, 1);
  const max = sequenceMaxHidden(gpu.device.limits);
  if (a.H > max) throw new RangeError(`${label}: H ${a.H} is more than the ${max} hidden units this device's workgroups hold; record the steps one by one instead.`);
  checkShape(label, 'live', a.live, '(1)', [1]);
  checkShape(label, 'wHh', a.wHh, '(4H, H)', [4 * a.H, a.H]);
  if (a.lengths) {
    checkShape(label, 'lengths', a.lengths, '(B)', [a.B]);
    if (a.lengths.buffer !== a.live.buffer) throw new Error(`${label}: lengths and live must be views of one buffer.`);
  }
}

export function lstmSequenceForward(gpu: Gpu, a: SequenceForwardArgs): Dispatch {
  const label = a.label ?? 'lstm_sequence_forward';
  checkCommon(gpu, label, a);
  checkShape(label, 'gates', a.gates, '(steps, B, 4H)', [a.steps, a.B, 4 * a.H]);
  checkShape(label, 'h', a.h, '(1 + steps, B, H)', [1 + a.steps, a.B, a.H]);
  checkShape(label, 'c', a.c, '(1 + steps, B, H)', [1 + a.steps, a.B, a.H]);
  checkShape(label, 'bHh', a.bHh, '(4H)', [4 * a.H]);
  if (a.wHh.buffer !== a.bHh.buffer) throw new Error(`${label}: wHh and bHh must be views of one buffer.`);
  checkWritableApart(label, [['gates', a.gates], ['h', a.h], ['c', a.c]], [['wHh', a.wHh], ['live', a.live]]);
  const constants = { NI: sequenceInvocations(a.H), HC: capacity(a.H) };
  const pipeline = gpu.pipelines.get({ ...shader, entryPoint: 'lstm_sequence_forward', bindings: ['uniform', 'read', 'storage', 'storage', 'storage', 'read'], constants });
  const params = gpu.uniform(
    [a.B, a.H, a.steps, a.lengths ? 1 : 0, a.gates.offset, a.h.offset, a.c.offset, a.lengths?.offset ?? 0, a.live.offset, a.wHh.offset, a.bHh.offset].map(u32),
  );
  return gpu.dispatch(label, pipeline, [params, a.live.buffer, a.gates, a.h, a.c, a.wHh.buffer], [Math.ceil(a.B / ROWS), 1, 1]);
}

export function lstmSequenceBackward(gpu: Gpu, a: SequenceBackwardArgs): Dispatch {
  const label = a.label ?? 'lstm_sequence_backward';
  checkCommon(gpu, label, a);
  checkShape(label, 'gates', a.gates, '(steps, B, 4H)', [a.steps, a.B, 4 * a.H]);
  checkShape(label, 'dGates', a.dGates, '(steps, B, 4H)', [a.steps, a.B, 4 * a.H]);
  checkShape(label, 'c', a.c, '(1 + steps, B, H)', [1 + a.steps, a.B, a.H]);
  if (a.above) checkShape(label, 'above', a.above, '(steps, B, H)', [a.steps, a.B, a.H]);
  for (const [n, v] of [['dh', a.dh], ['dc', a.dc]] as const) checkShape(label, n, v, '(B, H)', [a.B, a.H]);
  if (a.dh.buffer !== a.dc.buffer) throw new Error(`${label}: dh and dc must be views of one buffer.`);
  const read: [string, View][] = [['gates', a.gates], ['c', a.c], ['wHh', a.wHh], ['live', a.live]];
  checkWritableApart(label, [['dGates', a.dGates], ['dh', a.dh]], a.above ? [...read, ['above', a.above]] : read);
  const pipeline = gpu.pipelines.get({
    ...shader,
    entryPoint: 'lstm_sequence_backward',
    bindings: ['uniform', 'read', 'read', 'read', 'read', 'read', 'storage', 'storage'],
    constants: { NI: sequenceInvocations(a.H), HC: capacity(a.H) },
  });
  const params = gpu.uniform(
    [
      a.B, a.H, a.steps, a.lengths ? 1 : 0,
      a.gates.offset, a.c.offset, a.lengths?.offset ?? 0, a.live.offset,
      a.wHh.offset, a.above?.offset ?? 0, a.above ? 1 : 0, a.dGates.offset,
      a.dh.offset, a.dc.offset, a.zeroIn ? 1 : 0,
    ].map(u32),
  );
  return gpu.dispatch(label, pipeline, [params, a.live.buffer, a.gates.buffer, a.c.buffer, (a.above ?? a.gates).buffer, a.wHh.buffer, a.dGates.buffer, a.dh.buffer], [Math.ceil(a.B / ROWS), 1, 1]);
}
