// The pre-norm residual sublayers of the `transformer` model (nn.Transformer, norm_first=True)
// recorded on the GPU: self-attention, cross-attention and feed-forward, each
//   x_out = x_in + drop(body(LN(x_in)))   (ops/dropout's dropout_residual joins the branch)
// forward, and backward over the stream's running gradient dX (wrt x_out in, wrt x_in out:
// the skip path passes dX through, LN's backward accumulates into it). Float64 reference:
// src/reference/transformer_model.ts. Rows are time-major (N·B, d); letters as there.
import { slice, type View } from '../../gpu/buffers.ts';
import type { Gpu } from '../../gpu/context.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { activationBackward } from '../../ops/activation.ts';
import { dropout, dropoutResidual } from '../../ops/dropout.ts';
import { layerNormBackward, layerNormForward } from '../../ops/layer_norm.ts';
import { matmul } from '../../ops/matmul.ts';
import { columnSum } from '../../ops/reduce.ts';
import { dropoutTensorId } from '../../specs/transformer.ts';
import type { Arena } from './lstm_stack.ts';
import { multiheadBackward, multiheadForward, rowsOf } from './multihead.ts';

/** What every sublayer reads: sizes, parameters, the dropout key, the shared backward scratch. */
export interface BlockCtx {
  gpu: Gpu;
  arena: Arena;
  d: number;
  heads: number;
  F: number;
  B: number;
  /** Dropout probability in training, the run's seed, and the (1) u32 step word. */
  p: number;
  seed: number;
  step: View;
  scratch: Scratch;
}

/** Backward scratch, sized for the longest stream (Nm = max(S, T) positions). */
export interface Scratch {
  dBranch: View; // (Nm·B, d)
  dN: View; // (Nm·B, d)
  dAtt: View; // (Nm·B, d)
  dQKV: View; // (Nm·B, 3d)
  dKV: View; // (S·B, 2d)
  dH: View; // (Nm·B, F)
  dScores: View; // (B, heads, Nm, Nm)
}

/** One sublayer's saved activations over R = N·B rows (allocated for the longest N). */
export interface Sub {
  layer: string; // e.g. transformer.decoder.layers.0
  norm: string; // norm1, norm2, norm3
  site: string; // its dropout, e.g. dropout1
  n: View; // (R, d) LN output
  stats: View; // (R, 2)
  branch: View; // (R, d) body output before dropout
  /** Attention: projections (R, 3d) self or (R, d) queries + (S·B, 2d) keys and values; weights; heads' outputs (R, d). */
  proj?: View;
  kv?: View;
  weights?: View;
  /** The weights after dropout (training with dropout only). */
  dropped?: View;
  att?: View;
  /** Feed-forward: relu(linear1) (R, F) and its dropped copy (R, F). */
  h?: View;
  hDropped?: View;
}

/** One pass of a stream: N positions (R = N·B rows), training (dropout on) or not. */
export interface Pass {
  N: number;
  train: boolean;
}

const P = (c: BlockCtx, name: string) => c.arena.layout.viewOf(c.arena.params, name);
const G = (c: BlockCtx, name: string) => c.arena.layout.viewOf(c.arena.grads, name);
const rows = (v: View, R: number, w: number) => slice(v, 0, R * w);
const key = (c: BlockCtx, s: Sub, site: string, train: boolean) => ({ p: train ? c.p : 0, seed: c.seed, step: c.step, tensor: dropoutTensorId(s.layer, site) });

export function normForward(c: BlockCtx, s: Sub, x: View, R: number): Dispatch {
  const w = `${s.layer}.${s.norm}`;
  return layerNormForward(c.gpu, { R, D: c.d, x, gamma: P(c, `${w}.weight`), beta: P(c, `${w}.bias`), y: rows(s.n, R, c.d), stats: rows(s.stats, R, 2), label: `${w}` });
}

/** dX += LN's backward of dN; the norm's dγ, dβ written. */
function normBackward(c: BlockCtx, s: Sub, x: View, dX: View, R: number): Dispatch[] {
  const w = `${s.layer}.${s.norm}`;
  const sc = c.scratch;
  return layerNormBackward(c.gpu, { R, D: c.d, x, gamma: P(c, `${w}.weight`), stats: rows(s.stats, R, 2), dy: rows(sc.dN, R, c.d), dx: dX, dGamma: G(c, `${w}.weight`), dBeta: G(c, `${w}.bias`), accumulate: true, label: `${w}.backward` });
}

/** x_out = x_in + drop(branch). */
export function join(c: BlockCtx, s: Sub, x: View, out: View, R: number, train: boolean): Dispatch {
  return dropoutResidual(c.gpu, { ...key(c, s, s.site, train), res: x, x: rows(s.branch, R, c.d), out, label: `${s.layer}.${s.site}` });
}

/** y (R, O) = x · W[row0 : row0 + O]ᵀ + b[row0 : row0 + O] for `prefix`'s in_proj, or a whole Linear. */
export function project(c: BlockCtx, w: View, b: View, x: View, y: View, R: number, I: number, O: number, label: string, activation: 'none' | 'relu' = 'none'): Dispatch {
  return matmul(c.gpu, { a: x, b: w, bias: b, c: y, M: R, N: O, K: I, transB: true, activation, label });
}

/** dx (R, I) (+)= dy · W;  dW = dyᵀ · x;  db = Σ dy. */
function projectBackward(c: BlockCtx, w: View, dW: View, db: View, x: View, dy: View, dx: View, R: number, I: number, O: number, label: string, accumulate = false): Dispatch[] {
  return [
    matmul(c.gpu, { a: dy, b: w, c: dx, M: R, N: I, K: O, accumulate, label: `${label}.dX` }),
    matmul(c.gpu, { a: dy, b: x, c: dW, M: O, N: I, K: R, transA: true, label: `${label}.dW` }),
    columnSum(c.gpu, { dy, db, rows: R, cols: O, label: `${label}.db` }),
  ];
}

/** Rows [r0, r0 + n) of a (·, d) weight and entries [r0, r0 + n) of its bias, in params or grads. */
export function inProj(c: BlockCtx, prefix: string, r0: number, n: number, grads = false) {
  const get = grads ? G : P;
  return { w: slice(get(c, `${prefix}.in_proj_weight`), r0 * c.d, n * c.d), b: slice(get(c, `${prefix}.in_proj_bias`), r0, n) };
}

/** The branch's gradient: dropout's backward of dX, or dX itself when nothing is dropped. */
function branchGrad(c: BlockCtx, s: Sub, dX: View, R: number): { dBranch: View; dispatches: Dispatch[] } {
  if (c.p === 0) return { dBranch: dX, dispatches: [] };
  const dBranch = rows(c.scratch.dBranch, R, c.d);
  return { dBranch, dispatches: [dropout(c.gpu, { ...key(c, s, s.site, true), x: dX, y: dBranch, label: `${s.layer}.${s.site}.backward` })] };
}

/** The attention's arguments for multihead{Forward,Backward}: queries of N positions, keys of M. */
function attentionArgs(c: BlockCtx, s: Sub, N: number, M: number, q: View, k: View, ldq: number, ldk: number, lengths: View, causal: boolean, label: string, train: boolean) {
  const { B, d, heads } = c;
  const time = (v: View, ld: number, n: number) => rowsOf(v, ld, 'time', B, n);
  const module = label.slice(label.lastIndexOf('.') + 1); // self_attn or multihead_attn: the dropout site
  const dropped = train && c.p > 0 ? { key: key(c, s, module, true), dropped: slice(s.dropped!, 0, B * heads * N * M) } : undefined;
  return {
    dropout: dropped,
    B, T: N, S: M, d, heads, causal, lengths, label,
    q: time(q, ldq, N),
    k: time(k, ldk, M),
    val: time(slice(k, d, k.length - d), ldk, M),
    weights: slice(s.weights!, 0, B * heads * N * M),
    out: time(rows(s.att!, N * B, d), d, N),
  };
}

/** Self-attention (keys padded at `lengths`, causal or not): x (N·B, d) -> out. */
export function selfAttentionForward(c: BlockCtx, s: Sub, x: View, out: View, pass: Pass, lengths: View, causal: boolean): Dispatch[] {
  const { d, B } = c;
  const R = pass.N * B;
  const prefix = `${s.layer}.self_attn`;
  const W = inProj(c, prefix, 0, 3 * d);
  const proj = rows(s.proj!, R, 3 * d);
  const args = attentionArgs(c, s, pass.N, pass.N, proj, slice(proj, d, proj.length - d), 3 * d, 3 * d, lengths, causal, prefix, pass.train);
  return [
    normForward(c, s, x, R),
    project(c, W.w, W.b, rows(s.n, R, d), proj, R, d, 3 * d, `${prefix}.in_proj`),
    ...multiheadForward(c.gpu, args),
    project(c, P(c, `${prefix}.out_proj.weight`), P(c, `${prefix}.out_proj.bias`), rows(s.att!, R, d), rows(s.branch, R, d), R, d, d, `${prefix}.out_proj`),
    join(c, s, x, out, R, pass.train),
  ];
}

export function selfAttentionBackward(c: BlockCtx, s: Sub, x: View, dX: View, N: number, lengths: View, causal: boolean): Dispatch[] {
  const { d, B, scratch: sc } = c;
  const R = N * B;
  const prefix = `${s.layer}.self_attn`;
  const proj = rows(s.proj!, R, 3 * d);
  const args = attentionArgs(c, s, N, N, proj, slice(proj, d, proj.length - d), 3 * d, 3 * d, lengths, causal, prefix, true);
  const { dBranch, dispatches } = branchGrad(c, s, dX, R);
  const dAtt = rows(sc.dAtt, R, d);
  const dQKV = rows(sc.dQKV, R, 3 * d);
  const time = (v: View, col: number) => rowsOf(slice(v, col, v.length - col), 3 * d, 'time', B, N);
  const [W, Wg] = [inProj(c, prefix, 0, 3 * d), inProj(c, prefix, 0, 3 * d, true)];
  return [
    ...dispatches,
    ...projectBackward(c, P(c, `${prefix}.out_proj.weight`), G(c, `${prefix}.out_proj.weight`), G(c, `${prefix}.out_proj.bias`), rows(s.att!, R, d), dBranch, dAtt, R, d, d, `${prefix}.out_proj`),
    ...multiheadBackward(c.gpu, { ...args, dOut: rowsOf(dAtt, d, 'time', B, N), dScores: slice(sc.dScores, 0, B * c.heads * N * N), dq: time(dQKV, 0), dk: time(dQKV, d), dv: time(dQKV, 2 * d) }),
    ...projectBackward(c, W.w, Wg.w, Wg.b, rows(s.n, R, d), dQKV, rows(sc.dN, R, d), R, d, 3 * d, `${prefix}.in_proj`),
    ...normBackward(c, s, x, dX, R),
  ];
}

/** Memory of the encoder: (S·B, d) rows, its source lengths, its gradient (accumulated into). */
export interface Memory {
  S: number;
  x: View;
  lengths: View;
  dx: View;
}

/** Cross-attention over the encoder's memory: x (N·B, d) -> out. */
export function crossAttentionForward(c: BlockCtx, s: Sub, x: View, out: View, pass: Pass, m: Memory): Dispatch[] {
  const { d, B } = c;
  const R = pass.N * B;
  const prefix = `${s.layer}.multihead_attn`;
  const [Wq, Wkv] = [inProj(c, prefix, 0, d), inProj(c, prefix, d, 2 * d)];
  const q = rows(s.proj!, R, d);
  return [
    normForward(c, s, x, R),
    project(c, Wq.w, Wq.b, rows(s.n, R, d), q, R, d, d, `${prefix}.q_proj`),
    project(c, Wkv.w, Wkv.b, m.x, s.kv!, m.S * B, d, 2 * d, `${prefix}.kv_proj`),
    ...multiheadForward(c.gpu, attentionArgs(c, s, pass.N, m.S, q, s.kv!, d, 2 * d, m.lengths, false, prefix, pass.train)),
    project(c, P(c, `${prefix}.out_proj.weight`), P(c, `${prefix}.out_proj.bias`), rows(s.att!, R, d), rows(s.branch, R, d), R, d, d, `${prefix}.out_proj`),
    join(c, s, x, out, R, pass.train),
  ];
}

export function crossAttentionBackward(c: BlockCtx, s: Sub, x: View, dX: View, N: number, m: Memory): Dispatch[] {
  const { d, B, scratch: sc } = c;
  const R = N * B;
  const prefix = `${s.layer}.multihead_attn`;
  const q = rows(s.proj!, R, d);
  const args = attentionArgs(c, s, N, m.S, q, s.kv!, d, 2 * d, m.lengths, false, prefix, true);
  const { dBranch, dispatches } = branchGrad(c, s, dX, R);
  const [dAtt, dQ] = [rows(sc.dAtt, R, d), rows(sc.dQKV, R, d)];
  const dkv = (col: number) => rowsOf(slice(sc.dKV, col, sc.dKV.length - col), 2 * d, 'time', B, m.S);
  const [Wq, Wkv, Gq, Gkv] = [inProj(c, prefix, 0, d), inProj(c, prefix, d, 2 * d), inProj(c, prefix, 0, d, true), inProj(c, prefix, d, 2 * d, true)];
  return [
    ...dispatches,
    ...projectBackward(c, P(c, `${prefix}.out_proj.weight`), G(c, `${prefix}.out_proj.weight`), G(c, `${prefix}.out_proj.bias`), rows(s.att!, R, d), dBranch, dAtt, R, d, d, `${prefix}.out_proj`),
    ...multiheadBackward(c.gpu, { ...args, dOut: rowsOf(dAtt, d, 'time', B, N), dScores: slice(sc.dScores, 0, B * c.heads * N * m.S), dq: rowsOf(dQ, d, 'time', B, N), dk: dkv(0), dv: dkv(d) }),
    ...projectBackward(c, Wq.w, Gq.w, Gq.b, rows(s.n, R, d), dQ, rows(sc.dN, R, d), R, d, d, `${prefix}.q_proj`),
    ...projectBackward(c, Wkv.w, Gkv.w, Gkv.b, m.x, sc.dKV, m.dx, m.S * B, d, 2 * d, `${prefix}.kv_proj`, true),
    ...normBackward(c, s, x, dX, R),
  ];
}

/** Feed-forward: x + drop(linear2(drop(relu(linear1(LN(x)))))). */
export function feedForwardForward(c: BlockCtx, s: Sub, x: View, out: View, pass: Pass): Dispatch[] {
  const { d, F, B } = c;
  const R = pass.N * B;
  const l = s.layer;
  const h = rows(s.h!, R, F);
  const dropped = pass.train && c.p > 0;
  const hd = dropped ? rows(s.hDropped!, R, F) : h;
  return [
    normForward(c, s, x, R),
    project(c, P(c, `${l}.linear1.weight`), P(c, `${l}.linear1.bias`), rows(s.n, R, d), h, R, d, F, `${l}.linear1`, 'relu'),
    ...(dropped ? [dropout(c.gpu, { ...key(c, s, 'dropout', true), x: h, y: hd, label: `${l}.dropout` })] : []),
    project(c, P(c, `${l}.linear2.weight`), P(c, `${l}.linear2.bias`), hd, rows(s.branch, R, d), R, F, d, `${l}.linear2`),
    join(c, s, x, out, R, pass.train),
  ];
}

export function feedForwardBackward(c: BlockCtx, s: Sub, x: View, dX: View, N: number): Dispatch[] {
  const { d, F, B, scratch: sc } = c;
  const R = N * B;
  const l = s.layer;
  const h = rows(s.h!, R, F);
  const hd = c.p > 0 ? rows(s.hDropped!, R, F) : h;
  const dH = rows(sc.dH, R, F);
  const { dBranch, dispatches } = branchGrad(c, s, dX, R);
  return [
    ...dispatches,
    ...projectBackward(c, P(c, `${l}.linear2.weight`), G(c, `${l}.linear2.weight`), G(c, `${l}.linear2.bias`), hd, dBranch, dH, R, F, d, `${l}.linear2`),
    ...(c.p > 0 ? [dropout(c.gpu, { ...key(c, s, 'dropout', true), x: dH, label: `${l}.dropout.backward` })] : []),
    activationBackward(c.gpu, { act: 'relu', y: h, dy: dH, label: `${l}.relu.backward` }),
    ...projectBackward(c, P(c, `${l}.linear1.weight`), G(c, `${l}.linear1.weight`), G(c, `${l}.linear1.bias`), rows(s.n, R, d), dH, rows(sc.dN, R, d), R, d, F, `${l}.linear1`),
    ...normBackward(c, s, x, dX, R),
  ];
}
