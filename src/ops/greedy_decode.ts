// Greedy decoding of an LSTM decoder (with or without Luong attention) in one dispatch: a
// workgroup owns a few batch rows and runs every decode step for them (shaders/greedy_decode.wgsl;
// float64 reference: lstmGreedyDecode in src/reference/lstm_model.ts, attnGreedyDecode in
// src/reference/attn_model.ts).
//
// Letters: B batch, S source length, D decode steps, H hidden, G = 4H, V vocabulary, L layers,
// Tm ≥ D the decoder's state rows.
import source from '../../shaders/greedy_decode.wgsl?raw';
import type { View } from '../gpu/buffers.ts';
import type { Gpu } from '../gpu/context.ts';
import type { BindingKind } from '../gpu/pipelines.ts';
import type { Dispatch } from '../gpu/program.ts';
import { shaderVariant } from '../gpu/shader.ts';
import { u32 } from '../gpu/uniforms.ts';
import { checkCount, checkShape } from './view_checks.ts';

/**
 * Invocations per workgroup: one per hidden unit up to 256 (WebGPU's default limit) on a
 * hardware adapter; 64 on the software one, where every barrier costs in proportion to the
 * invocations it waits for (256 measured several times slower there).
 */
export function greedyWorkgroupSize(H: number, software: boolean): number {
  if (software) return 64;
  return Math.min(256, Math.max(64, 2 ** Math.ceil(Math.log2(H))));
}
/** Rows a workgroup may own: the shader's private accumulators hold this many. */
const MAX_ROWS = 4;
/** Layers the uniform's offset table holds. */
export const GREEDY_MAX_LAYERS = 8;
/** Storage buffers the attention variant binds (WebGPU's default per-stage limit is 8). */
const ATTN_STORAGE_BUFFERS = 8;

export type GreedyLimits = Pick<GPUSupportedLimits, 'maxComputeWorkgroupStorageSize' | 'maxComputeInvocationsPerWorkgroup' | 'maxComputeWorkgroupSizeX' | 'maxStorageBuffersPerShaderStage'>;

export interface GreedyDims {
  B: number;
  S: number;
  D: number;
  H: number;
  V: number;
  L: number;
  /** Decoder state rows of the state buffers (≥ D). */
  Tm: number;
}

/** The workgroup memory one workgroup of `rows` rows and `wg` invocations needs, in bytes: two (rows, H) vectors, the (rows, wg) argmax candidates, the tokens. */
export const greedyWorkgroupBytes = (rows: number, H: number, wg: number) => 4 * (2 * rows * H + 2 * rows * wg + MAX_ROWS);

/**
 * Rows per workgroup for these sizes on this device (the most, up to 4, that fit its workgroup
 * memory), or the one sentence saying why the one-dispatch decode cannot run them.
 */
export function greedyDecodeFit(d: Pick<GreedyDims, 'H' | 'L'>, limits: GreedyLimits, attention: boolean, software: boolean): { rows: number; wg: number } | { why: string } {
  if (d.L > GREEDY_MAX_LAYERS) return { why: `layers=${d.L} is more than the ${GREEDY_MAX_LAYERS} layers the one-dispatch decode holds` };
  const wg = Math.min(greedyWorkgroupSize(d.H, software), limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
  if (wg < 64) return { why: `the device allows ${wg} invocations per workgroup, the one-dispatch decode needs 64` };
  if (attention && limits.maxStorageBuffersPerShaderStage < ATTN_STORAGE_BUFFERS) return { why: `the device allows ${limits.maxStorageBuffersPerShaderStage} storage buffers per kernel, attention's one-dispatch decode needs ${ATTN_STORAGE_BUFFERS}` };
  for (let rows = MAX_ROWS; rows >= 1; rows >>= 1) {
    if (greedyWorkgroupBytes(rows, d.H, wg) <= limits.maxComputeWorkgroupStorageSize) return { rows, wg };
  }
  return { why: `hidden_size=${d.H} needs ${greedyWorkgroupBytes(1, d.H, wg)} bytes of workgroup memory, more than the device's ${limits.maxComputeWorkgroupStorageSize}` };
}

/** One LSTM layer's parameters: views into the parameter arena. */
export interface GreedyLayer {
  /** (G, E) for layer 0 (unused: its input comes from the table), (G, H) above. */
  wIh: View;
  bIh: View; // (G)
  wHh: View; // (G, H)
  bHh: View; // (G)
}

export interface GreedyAttention {
  /** (B) i32 source lengths. */
  lengths: View;
  /** (S, B, H) K = h̄ W_aᵀ, time-major. */
  keys: View;
  /** (H, 2H) W_c, in the parameter arena. */
  combine: View;
  /** (B, H) h̃ scratch and (D, B, S) out: the attention weights of every step; views of one buffer. */
  hTilde: View;
  weights: View;
}

export interface GreedyDecodeArgs {
  dims: GreedyDims;
  /** The parameter arena: every weight view below lies in it. */
  params: View;
  layers: GreedyLayer[];
  outWeight: View; // (V, H)
  outBias: View; // (V)
  /** (V, G) the decoder's layer-0 input table P = emb·W_ihᵀ + b_ih. */
  table: View;
  /** (L, 1 + S + Tm, B, H) h and c: row 0 zeros, rows 1..S the encoder, row S its final state, S + 1 + t decoder step t (written). */
  h: View;
  c: View;
  /** (D, B) i32 out, time-major. */
  decoded: View;
  attention?: GreedyAttention;
  label?: string;
}

function checkArgs(label: string, a: GreedyDecodeArgs): void {
  const { B, S, D, H, V, L, Tm } = a.dims;
  for (const [n, v] of Object.entries(a.dims)) checkCount(label, n, v, 1);
  if (Tm < D) throw new RangeError(`${label}: the state buffers hold ${Tm} decoder rows, fewer than the ${D} decode steps.`);
  if (a.layers.length !== L) throw new RangeError(`${label}: ${a.layers.length} layers of weights given for L=${L}.`);
  const G = 4 * H;
  a.layers.forEach((l, k) => {
    if (k > 0) checkShape(label, `layers[${k}].wIh`, l.wIh, '(G, H)', [G, H]);
    checkShape(label, `layers[${k}].wHh`, l.wHh, '(G, H)', [G, H]);
    for (const [n, v] of [['bIh', l.bIh], ['bHh', l.bHh]] as const) checkShape(label, `layers[${k}].${n}`, v, '(G)', [G]);
  });
  checkShape(label, 'outWeight', a.outWeight, '(V, H)', [V, H]);
  checkShape(label, 'outBias', a.outBias, '(V)', [V]);
  checkShape(label, 'table', a.table, '(V, G)', [V, G]);
  for (const [n, v] of [['h', a.h], ['c', a.c]] as const) checkShape(label, n, v, '(L, 1 + S + Tm, B, H)', [L, 1 + S + Tm, B, H]);
  checkShape(label, 'decoded', a.decoded, '(D, B)', [D, B]);
  const weights = [...a.layers.flatMap((l) => [l.wIh, l.bIh, l.wHh, l.bHh]), a.outWeight, a.outBias, ...(a.attention ? [a.attention.combine] : [])];
  if (weights.some((v) => v.buffer !== a.params.buffer)) throw new Error(`${label}: every weight must lie in the parameter arena (one binding).`);
  if (a.attention) checkAttention(label, a.dims, a.attention);
  const bound = boundViews(a);
  if (new Set(bound.map((v) => v.buffer)).size !== bound.length) throw new Error(`${label}: params, table, h, c, decoded and attention's scratch, lengths and keys must be different buffers.`);
}

/** Bindings 1.. in shader order. */
const boundViews = (a: GreedyDecodeArgs): View[] => [a.params, a.table, a.h, a.c, a.decoded, ...(a.attention ? [a.attention.hTilde, a.attention.lengths, a.attention.keys] : [])];

function checkAttention(label: string, d: GreedyDims, at: GreedyAttention): void {
  const { B, S, D, H } = d;
  checkShape(label, 'lengths', at.lengths, '(B)', [B]);
  checkShape(label, 'keys', at.keys, '(S, B, H)', [S, B, H]);
  checkShape(label, 'combine', at.combine, '(H, 2H)', [H, 2 * H]);
  checkShape(label, 'hTilde', at.hTilde, '(B, H)', [B, H]);
  checkShape(label, 'weights', at.weights, '(D, B, S)', [D, B, S]);
  if (at.hTilde.buffer !== at.weights.buffer) throw new Error(`${label}: hTilde and weights must be views of one scratch buffer.`);
}

/** The uniform (shaders/greedy_decode.wgsl Params): 32 scalars, then W_ih, b_ih, W_hh, b_hh offsets of each of 8 layers. */
function uniformWords(a: GreedyDecodeArgs): number[] {
  const { B, S, D, H, V, L, Tm } = a.dims;
  const at = a.attention;
  const head = [B, H, V, L, S, D, a.table.offset, (1 + S + Tm) * B * H];
  head.push(a.h.offset, a.c.offset, 0, a.decoded.offset, a.outWeight.offset, a.outBias.offset, at?.lengths.offset ?? 0, at?.keys.offset ?? 0);
  head.push(at?.weights.offset ?? 0, at?.hTilde.offset ?? 0, at?.combine.offset ?? 0);
  const table = Array.from({ length: GREEDY_MAX_LAYERS }, (_, k) => {
    const l = a.layers[k];
    return l ? [l.wIh.offset, l.bIh.offset, l.wHh.offset, l.bHh.offset] : [0, 0, 0, 0];
  });
  return [...head, ...Array(32 - head.length).fill(0), ...table.flat()];
}

/** Every greedy step of the decoder in one dispatch (see the header); throws where greedyDecodeFit says it cannot run. */
export function greedyDecode(gpu: Gpu, a: GreedyDecodeArgs): Dispatch {
  const label = a.label ?? 'greedy_decode';
  checkArgs(label, a);
  const fit = greedyDecodeFit(a.dims, gpu.device.limits, a.attention !== undefined, gpu.adapter.isFallbackAdapter);
  if ('why' in fit) throw new RangeError(`${label}: ${fit.why}.`);
  const variant = shaderVariant('greedy_decode', source, { ATTN: a.attention !== undefined });
  // uniform; params, table; h, c, decoded; attention's scratch, lengths and keys.
  const bindings: BindingKind[] = ['uniform', 'read', 'read', 'storage', 'storage', 'storage', ...(a.attention ? (['storage', 'read', 'read'] as BindingKind[]) : [])];
  const pipeline = gpu.pipelines.get({ ...variant, entryPoint: 'greedy_decode', bindings, constants: { WG: fit.wg, ROWS: fit.rows, HC: a.dims.H } });
  const params = gpu.uniform(uniformWords(a).map(u32));
  return gpu.dispatch(label, pipeline, [params, ...boundViews(a)], [Math.ceil(a.dims.B / fit.rows), 1, 1]);
}
