// Beam-search kernels (shaders/beam.wgsl): one selection step per decode step, and the
// gathers that expand the encoder's state to K beams and reorder states by parent beam.
// Float64 reference of the selection: src/reference/beam.ts beamSelect.
import code from '../../shaders/beam.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import { slice, type View } from '../gpu/buffers.ts';
import { linearWorkgroups, type Dispatch } from '../gpu/program.ts';
import { u32 } from '../gpu/uniforms.ts';
import { checkCount, checkShape, checkWritableApart } from './view_checks.ts';

const WG = 64;
/** The largest beam the selection kernel holds in workgroup memory. */
export const MAX_BEAM = 64;

/** A beam's status as beam.wgsl writes it (1 live, 2 finished are read only there). */
export const BEAM_DEAD = 0;

/**
 * The i32 buffer a beam search writes, for D steps of B inputs with K beams:
 * tokens (D, B, K) | parents (D, B, K) | scores (B, K) f32 bits | status (B, K).
 */
export interface BeamResultLayout {
  D: number;
  B: number;
  K: number;
  tokens: number;
  parents: number;
  scores: number;
  status: number;
  size: number;
}

export function beamResultLayout(D: number, B: number, K: number): BeamResultLayout {
  const n = D * B * K;
  return { D, B, K, tokens: 0, parents: n, scores: 2 * n, status: 2 * n + B * K, size: 2 * n + 2 * B * K };
}

export function checkBeamWidth(label: string, K: number): void {
  if (!Number.isInteger(K) || K < 1 || K > MAX_BEAM) throw new RangeError(`${label}: the beam width must be an integer from 1 to ${MAX_BEAM}, got ${K}.`);
}

export interface BeamStepArgs {
  /** Logits of every (input b, beam k): element logits.offset + b·strideB + k·strideK + j, j < V. */
  logits: View;
  strideB: number;
  /** V for one row per beam; 0 when every beam of an input shares one row (a decoder that never reads its outputs). */
  strideK: number;
  vocab: number;
  batch: number;
  beam: number;
  eos: number;
  /** Step t of D (t = 0 starts from one live beam per input, score 0). */
  step: number;
  /** The result buffer (beamResultLayout(D, B, K).size i32). */
  result: View;
  steps: number;
  label?: string;
}

/** One selection step: writes tokens[t], parents[t], and the scores and status of the new beams. */
export function beamStep(gpu: Gpu, a: BeamStepArgs): Dispatch {
  const label = a.label ?? 'beam_step';
  const { vocab: V, batch: B, beam: K, steps: D, step: t } = a;
  checkCount(label, 'vocab', V, 1);
  checkCount(label, 'batch', B, 1);
  checkCount(label, 'steps', D, 1);
  checkBeamWidth(label, K);
  if (!Number.isInteger(t) || t < 0 || t >= D) throw new RangeError(`${label}: step must be an integer in [0, ${D}), got ${t}.`);
  if (!Number.isInteger(a.eos) || a.eos < 0 || a.eos >= V) throw new RangeError(`${label}: eos must be a token in [0, ${V}), got ${a.eos}.`);
  checkCount(label, 'strideB', a.strideB, 0);
  checkCount(label, 'strideK', a.strideK, 0);
  const need = (B - 1) * a.strideB + (K - 1) * a.strideK + V;
  if (a.logits.length < need) throw new RangeError(`${label}: logits need ${need} elements for B=${B}, K=${K}, V=${V} and the given strides, but the view has ${a.logits.length}.`);
  const lay = beamResultLayout(D, B, K);
  checkShape(label, 'result', a.result, '(2·D·B·K + 2·B·K)', [lay.size]);
  checkWritableApart(label, [['result', a.result]], [['logits', a.logits]]);
  const pipeline = gpu.pipelines.get({ name: 'beam', code, entryPoint: 'beam_step', bindings: ['uniform', 'read', 'storage'] });
  const o = a.result.offset;
  const params = gpu.uniform(
    [a.logits.offset, a.strideB, a.strideK, V, B, K, a.eos, t === 0 ? 1 : 0, o + lay.tokens + t * B * K, o + lay.parents + t * B * K, o + lay.scores, o + lay.status].map(u32),
  );
  if (B > 65535) throw new RangeError(`${label}: at most 65535 inputs per dispatch, got ${B}.`);
  return gpu.dispatch(label, pipeline, [params, a.logits, a.result], [B, 1, 1]);
}

/** (B·K) i32 tokens of step t: the next step's decoder inputs. */
export function beamTokensOf(result: View, lay: BeamResultLayout, t: number): View {
  return slice(result, lay.tokens + t * lay.B * lay.K, lay.B * lay.K);
}

export interface BeamReorderArgs {
  /** The result buffer; parents of step `step` are read. */
  result: View;
  layout: BeamResultLayout;
  step: number;
  /** h and c state buffers (different buffers), each holding per layer two (B·K, H) slots. */
  h: View;
  c: View;
  H: number;
  layers: number;
  /** Elements between consecutive layers' slots (the same in h and c). */
  layerStride: number;
  /** Element offsets, relative to h and c, of layer 0's destination (slot A) and source (slot B). */
  dst: number;
  src: number;
  label?: string;
}

/** h[dst][b·K + i] = h[src][b·K + parents[t, b, i]] and c likewise, for every layer: one dispatch. */
export function beamReorder(gpu: Gpu, a: BeamReorderArgs): Dispatch {
  const label = a.label ?? 'beam_reorder';
  const { B, K } = a.layout;
  const R = B * K;
  checkCount(label, 'H', a.H, 1);
  checkCount(label, 'layers', a.layers, 1);
  const lay = beamResultLayout(a.layout.D, B, K);
  checkShape(label, 'result', a.result, '(2·D·B·K + 2·B·K)', [lay.size]);
  if (a.h.length !== a.c.length) throw new RangeError(`${label}: h and c must be views of equal length.`);
  for (const off of [a.dst, a.src]) {
    if ((a.layers - 1) * a.layerStride + off + R * a.H > a.h.length) throw new RangeError(`${label}: a slot at ${off} of ${a.layers} layers (stride ${a.layerStride}) overruns the state views of ${a.h.length}.`);
  }
  if (Math.abs(a.dst - a.src) < R * a.H) throw new RangeError(`${label}: the source and destination slots overlap.`);
  checkWritableApart(label, [['h', a.h], ['c', a.c]], [['result', a.result]]);
  const pipeline = gpu.pipelines.get({ name: 'beam', code, entryPoint: 'beam_reorder', bindings: ['uniform', 'read', 'storage', 'storage'] });
  const params = gpu.uniform([a.result.offset + lay.parents + a.step * R, R, K, a.H, a.layers, a.layerStride, a.h.offset + a.dst, a.h.offset + a.src].map(u32));
  if (a.h.offset !== a.c.offset) throw new RangeError(`${label}: h and c views must start at the same offset of their buffers.`);
  return gpu.dispatch(label, pipeline, [params, a.result, a.h, a.c], linearWorkgroups(a.layers * R * a.H, WG));
}

export interface BeamExpandArgs {
  src: View; // (B, H)
  dst: View; // (B·K, H), another buffer
  B: number;
  K: number;
  H: number;
  label?: string;
}

/** dst[b·K + i] = src[b]: the encoder's final state copied to every beam of its input. */
export function beamExpand(gpu: Gpu, a: BeamExpandArgs): Dispatch {
  const label = a.label ?? 'beam_expand';
  checkCount(label, 'B', a.B, 1);
  checkBeamWidth(label, a.K);
  checkCount(label, 'H', a.H, 1);
  checkShape(label, 'src', a.src, '(B, H)', [a.B, a.H]);
  checkShape(label, 'dst', a.dst, '(B·K, H)', [a.B * a.K, a.H]);
  checkWritableApart(label, [['dst', a.dst]], [['src', a.src]]);
  const pipeline = gpu.pipelines.get({ name: 'beam', code, entryPoint: 'beam_expand', bindings: ['uniform', 'read', 'storage'] });
  const params = gpu.uniform([a.src.offset, a.dst.offset, a.B * a.K, a.K, a.H].map(u32));
  return gpu.dispatch(label, pipeline, [params, a.src, a.dst], linearWorkgroups(a.B * a.K * a.H, WG));
}
