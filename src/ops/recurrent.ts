// The masked recurrent update of the `blog` encoder (shaders/recurrent.wgsl):
//   forward:  h_out = t < len[b] ? tanh(x + g) : h_prev
//   backward: dpre = t < len[b] ? dh·(1 − h_out²) : 0;  dcarry = t < len[b] ? 0 : dh
// Letters: B batch, H hidden. Float64 reference: src/reference/recurrent.ts.
import code from '../../shaders/recurrent.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import type { View } from '../gpu/buffers.ts';
import { linearWorkgroups, type Dispatch } from '../gpu/program.ts';
import { i32, u32 } from '../gpu/uniforms.ts';

const WG = 64;

export interface RecurrentForwardArgs {
  x: View; // (B, H) xh(e_t)
  g: View; // (B, H) hh(h_prev)
  /** (B, H) previous state; in the same buffer as hOut (may be the same view: in place). */
  hPrev: View;
  hOut: View; // (B, H)
  lengths: View; // (B) i32
  t: number;
  B: number;
  H: number;
  label?: string;
}

export interface RecurrentBackwardArgs {
  /** (B, H) h_out of the step (the forward's output). */
  h: View;
  /** (B, H) dL/dh_out, read. */
  dh: View;
  /** (B, H) dL/dh_prev through the mask, written; in the same buffer as dh (may be the same view: in place). */
  dcarry: View;
  /** (B, H) dL/d(x + g), written. */
  dpre: View;
  lengths: View; // (B) i32
  t: number;
  B: number;
  H: number;
  label?: string;
}

function checkLength(label: string, name: string, v: View, n: number): void {
  if (v.length < n) throw new RangeError(`${label}: ${name} needs ${n} elements, but its view has ${v.length}.`);
}

function checkShape(label: string, B: number, H: number, t: number): void {
  for (const [name, v] of [['B', B], ['H', H]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${label}: ${name} must be a positive integer, got ${v}.`);
  }
  if (!Number.isInteger(t) || t < 0) throw new RangeError(`${label}: t must be a non-negative integer, got ${t}.`);
}

/** Two views of one buffer must be the same range or not overlap (each element is read and written by one invocation). */
function checkAlias(label: string, a: View, b: View, n: number): void {
  if (a.buffer !== b.buffer || a.offset === b.offset) return;
  if (a.offset < b.offset + n && b.offset < a.offset + n) throw new RangeError(`${label}: two views of ${a.buffer.label} partly overlap.`);
}

/** h_out (B, H) = t < len[b] ? tanh(x + g) : h_prev. */
export function recurrentForward(gpu: Gpu, args: RecurrentForwardArgs): Dispatch {
  const label = args.label ?? 'recurrent_forward';
  const { x, g, hPrev, hOut, lengths, t, B, H } = args;
  checkShape(label, B, H, t);
  const n = B * H;
  for (const [name, v] of [['x', x], ['g', g], ['hPrev', hPrev], ['hOut', hOut]] as const) checkLength(label, name, v, n);
  checkLength(label, 'lengths', lengths, B);
  if (hPrev.buffer !== hOut.buffer) throw new Error(`${label}: hPrev and hOut must be views of one state buffer.`);
  for (const [name, v] of [['x', x], ['g', g], ['lengths', lengths]] as const) {
    if (v.buffer === hOut.buffer) throw new Error(`${label}: ${name} must not be in the state buffer ${hOut.buffer.label}; WebGPU forbids writing a buffer bound twice.`);
  }
  checkAlias(label, hPrev, hOut, n);
  const pipeline = gpu.pipelines.get({ name: 'recurrent', code, entryPoint: 'recurrent_forward', bindings: ['uniform', 'read', 'read', 'read', 'storage'], constants: { WG } });
  const params = gpu.uniform([u32(B), u32(H), i32(t), u32(lengths.offset), u32(x.offset), u32(g.offset), u32(hPrev.offset), u32(hOut.offset)]);
  return gpu.dispatch(label, pipeline, [params, x, g, lengths, hOut], linearWorkgroups(n, WG));
}

/** dpre (B, H) = t < len[b] ? dh·(1 − h²) : 0;  dcarry (B, H) = t < len[b] ? 0 : dh. */
export function recurrentBackward(gpu: Gpu, args: RecurrentBackwardArgs): Dispatch {
  const label = args.label ?? 'recurrent_backward';
  const { h, dh, dcarry, dpre, lengths, t, B, H } = args;
  checkShape(label, B, H, t);
  const n = B * H;
  for (const [name, v] of [['h', h], ['dh', dh], ['dcarry', dcarry], ['dpre', dpre]] as const) checkLength(label, name, v, n);
  checkLength(label, 'lengths', lengths, B);
  if (dh.buffer !== dcarry.buffer) throw new Error(`${label}: dh and dcarry must be views of one buffer.`);
  if (dpre.buffer === dh.buffer) throw new Error(`${label}: dpre must not be in the buffer of dh (${dh.buffer.label}).`);
  for (const [name, v] of [['h', h], ['lengths', lengths]] as const) {
    if (v.buffer === dh.buffer || v.buffer === dpre.buffer) throw new Error(`${label}: ${name} must not be in a buffer this kernel writes.`);
  }
  checkAlias(label, dh, dcarry, n);
  const pipeline = gpu.pipelines.get({ name: 'recurrent', code, entryPoint: 'recurrent_backward', bindings: ['uniform', 'read', 'read', 'storage', 'storage'], constants: { WG } });
  const params = gpu.uniform([u32(B), u32(H), i32(t), u32(lengths.offset), u32(h.offset), u32(dh.offset), u32(dcarry.offset), u32(dpre.offset)]);
  return gpu.dispatch(label, pipeline, [params, h, lengths, dh, dpre], linearWorkgroups(n, WG));
}
