// Luong global attention kernels, forward and backward. See shaders/attention.wgsl;
// float64 reference: src/reference/attention.ts (same names).
// Letters: R query rows, S source positions, B samples, H hidden; row r belongs to sample
// (r / group) % B.
import code from '../../shaders/attention.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import type { View } from '../gpu/buffers.ts';
import { linearWorkgroups, type Dispatch } from '../gpu/program.ts';
import { u32 } from '../gpu/uniforms.ts';
import type { BindingKind } from '../gpu/pipelines.ts';
import { checkCount, checkShape, checkWritableApart } from './view_checks.ts';

const WG = 64;

export interface AttentionShape {
  R: number;
  S: number;
  B: number;
  H: number;
  /** Rows per sample in a run: 1 for rows t·B + b, K for beam rows b·K + i. Default 1. */
  group?: number;
}

function checkAttentionShape(label: string, x: AttentionShape): void {
  checkCount(label, 'R', x.R, 1);
  checkCount(label, 'S', x.S, 1);
  checkCount(label, 'B', x.B, 1);
  checkCount(label, 'H', x.H, 1);
  checkCount(label, 'group', x.group ?? 1, 1);
}

/** One dispatch of an entry point: bindings 1.. are `views` (read unless written), `items` invocations. */
function record(gpu: Gpu, label: string, x: AttentionShape, entryPoint: string, views: [string, View, boolean][], items: number): Dispatch {
  const written = views.filter(([, , w]) => w).map(([n, v]) => [n, v] as [string, View]);
  const read = views.filter(([, , w]) => !w).map(([n, v]) => [n, v] as [string, View]);
  checkWritableApart(label, written, read);
  const bindings: BindingKind[] = ['uniform', ...views.map(([, , w]) => (w ? 'storage' : 'read') as BindingKind)];
  const pipeline = gpu.pipelines.get({ name: 'attention', code, entryPoint, bindings, constants: { WG } });
  const offsets = Array.from({ length: 6 }, (_, k) => u32(views[k]?.[1].offset ?? 0));
  const params = gpu.uniform([u32(x.R), u32(x.S), u32(x.B), u32(x.H), u32(x.group ?? 1), ...offsets]);
  return gpu.dispatch(label, pipeline, [params, ...views.map(([, v]) => v)], linearWorkgroups(items, WG));
}

export interface AttentionWeightsArgs extends AttentionShape {
  q: View; // (R, H) queries (decoder top outputs)
  keys: View; // (S, B, H) K = h̄ W_aᵀ
  lengths: View; // (B) i32 source lengths
  weights: View; // (R, S) out
  label?: string;
}

/** weights_r = softmax over s < len of q_r · K_s; exactly 0 past the length. */
export function attentionWeights(gpu: Gpu, a: AttentionWeightsArgs): Dispatch {
  const label = a.label ?? 'attention_weights';
  checkAttentionShape(label, a);
  checkShape(label, 'q', a.q, '(R, H)', [a.R, a.H]);
  checkShape(label, 'keys', a.keys, '(S, B, H)', [a.S, a.B, a.H]);
  checkShape(label, 'lengths', a.lengths, '(B)', [a.B]);
  checkShape(label, 'weights', a.weights, '(R, S)', [a.R, a.S]);
  return record(gpu, label, a, 'attention_weights', [['q', a.q, false], ['keys', a.keys, false], ['lengths', a.lengths, false], ['weights', a.weights, true]], a.R);
}

export interface AttentionContextArgs extends AttentionShape {
  weights: View; // (R, S)
  hbar: View; // (S, B, H) encoder top states
  q: View; // (R, H)
  lengths: View; // (B) i32
  cat: View; // (R, 2H) out: [context ; q]
  label?: string;
}

/** cat_r = [Σ_s weights_rs h̄_s ; q_r] (context first, as W_c reads it). */
export function attentionContext(gpu: Gpu, a: AttentionContextArgs): Dispatch {
  const label = a.label ?? 'attention_context';
  checkAttentionShape(label, a);
  checkShape(label, 'weights', a.weights, '(R, S)', [a.R, a.S]);
  checkShape(label, 'hbar', a.hbar, '(S, B, H)', [a.S, a.B, a.H]);
  checkShape(label, 'q', a.q, '(R, H)', [a.R, a.H]);
  checkShape(label, 'lengths', a.lengths, '(B)', [a.B]);
  checkShape(label, 'cat', a.cat, '(R, 2H)', [a.R, 2 * a.H]);
  const views: [string, View, boolean][] = [['weights', a.weights, false], ['hbar', a.hbar, false], ['q', a.q, false], ['lengths', a.lengths, false], ['cat', a.cat, true]];
  return record(gpu, label, a, 'attention_context', views, a.R * 2 * a.H);
}

export interface AttentionBackwardArgs extends AttentionShape {
  weights: View; // (R, S) forward weights
  dCat: View; // (R, 2H) gradient of cat
  q: View; // (R, H) forward queries
  keys: View; // (S, B, H)
  hbar: View; // (S, B, H)
  lengths: View; // (B) i32
  /** (R, S) scratch out: gradient of the scores. */
  dScores: View;
  /** (R, H) out: gradient of the queries (dCat's second half included). */
  dq: View;
  /** (S, B, H) out: gradient of the keys. */
  dKeys: View;
  /** (S, B, H) out: gradient of h̄ through the context (the keys' part is added by the caller: dK·W_a). */
  dHbar: View;
  label?: string;
}

/** Three dispatches: scores (the softmax backward, fused), then queries, then keys and states. Rows t·B + b only (group 1). */
export function attentionBackward(gpu: Gpu, a: AttentionBackwardArgs): Dispatch[] {
  const label = a.label ?? 'attention_backward';
  checkAttentionShape(label, a);
  if ((a.group ?? 1) !== 1 || a.R % a.B !== 0) throw new RangeError(`${label}: rows must be time-major t·B + b (group 1, R a multiple of B = ${a.B}), got R = ${a.R}, group ${a.group}.`);
  checkShape(label, 'weights', a.weights, '(R, S)', [a.R, a.S]);
  checkShape(label, 'dCat', a.dCat, '(R, 2H)', [a.R, 2 * a.H]);
  checkShape(label, 'q', a.q, '(R, H)', [a.R, a.H]);
  for (const [n, v] of [['keys', a.keys], ['hbar', a.hbar], ['dKeys', a.dKeys], ['dHbar', a.dHbar]] as const) checkShape(label, n, v, '(S, B, H)', [a.S, a.B, a.H]);
  checkShape(label, 'lengths', a.lengths, '(B)', [a.B]);
  checkShape(label, 'dScores', a.dScores, '(R, S)', [a.R, a.S]);
  checkShape(label, 'dq', a.dq, '(R, H)', [a.R, a.H]);
  return [
    record(gpu, `${label}.scores`, a, 'attention_weights_backward', [['weights', a.weights, false], ['dCat', a.dCat, false], ['hbar', a.hbar, false], ['lengths', a.lengths, false], ['dScores', a.dScores, true]], a.R),
    record(gpu, `${label}.query`, a, 'attention_query_backward', [['dScores', a.dScores, false], ['keys', a.keys, false], ['dCat', a.dCat, false], ['lengths', a.lengths, false], ['dq', a.dq, true]], a.R * a.H),
    record(gpu, `${label}.keys`, a, 'attention_keys_backward', [['dScores', a.dScores, false], ['weights', a.weights, false], ['q', a.q, false], ['dCat', a.dCat, false], ['dKeys', a.dKeys, true], ['dHbar', a.dHbar, true]], a.S * a.B * a.H),
  ];
}
