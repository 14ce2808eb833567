// Float64 CPU reference of the whole `blog` model (docs/contract.md §3, the seed's Seq_1 + Seq_2):
// forward, loss, backward to the gradient of every named tensor, and greedy decoding.
// The GPU model (src/models/blog.ts) is checked against this, tensor by tensor.
//
// Letters: B batch, S source length, T target length, E embedding, H hidden, H2 = ⌊H/2⌋,
// V vocabulary, L decode length. Token tensors are time-major: src (S, B), tgt (T, B).
//
//   e       = drop(embedding[src])                            (S·B, E)
//   x       = xh(e) = L4(drop(relu(L2(drop(relu(L0(e)))))))   (S·B, H)   all steps at once
//   h_0     = 0;  h_{t+1} = t < len[b] ? tanh(x_t + hh(h_t)) : h_t     (B, H), t < S
//   d_0     = h_S; d_{t+1} = relu(L4(relu(L2(relu(L0(d_t))))))          (B, H), t < T
//   logits  = hv(drop(d_1..d_T)), hv dropping after each hidden ReLU as xh  (T·B, V)
//   loss    = mean over tgt != PAD of the (label-smoothed) cross-entropy
//
// Training options (BlogTraining): label smoothing ε, and dropout at the sites of
// specs/blog.ts BLOG_DROPOUT_SITES, each mask drawn by reference/dropout.ts's hash over its
// whole time-major tensor exactly as the GPU draws it. Without them every drop is the identity.
import { crossEntropyBackward, crossEntropyForward } from './cross_entropy.ts';
import { dropoutForward } from './dropout.ts';
import { recurrentUpdateBackward, recurrentUpdateForward } from './recurrent.ts';
import { BLOG_MLPS as MLPS, blogDropoutId, blogMlpDims as mlpDims, blogParamShapes, type BlogDropoutSite } from '../specs/blog.ts';

export interface BlogDims {
  V: number;
  E: number;
  H: number;
  B: number;
  S: number;
  T: number;
}

export type BlogTensors = Record<string, Float64Array>;

export interface BlogBatchRef {
  /** (S, B) token ids, PAD past each length. */
  src: ArrayLike<number>;
  /** (B) source lengths. */
  srcLengths: ArrayLike<number>;
  /** (T, B) target ids (primes, EOS, then PAD). */
  tgt: ArrayLike<number>;
}

export { blogParamShapes } from '../specs/blog.ts';

// ---------------------------------------------------------------------------------------
// Linear layers over rows, float64.

/** y (R, O) = act(x (R, I) · W(O, I)ᵀ + b (O)). */
export function linearForward(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>, R: number, I: number, O: number, relu: boolean): Float64Array {
  const y = new Float64Array(R * O);
  for (let r = 0; r < R; r++) {
    for (let o = 0; o < O; o++) {
      let s = b[o];
      for (let i = 0; i < I; i++) s += x[r * I + i] * w[o * I + i];
      y[r * O + o] = relu && s < 0 ? 0 : s;
    }
  }
  return y;
}

/**
 * Backward of linearForward from dy (R, O) (gradient of the post-activation output y).
 * Adds into dw (O, I) and db (O); returns dx (R, I).
 */
export function linearBackward(
  dy: ArrayLike<number>,
  y: ArrayLike<number>,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  dw: Float64Array,
  db: Float64Array,
  R: number,
  I: number,
  O: number,
  relu: boolean,
): Float64Array {
  const dz = new Float64Array(R * O);
  for (let k = 0; k < R * O; k++) dz[k] = relu && !(y[k] > 0) ? 0 : dy[k];
  const dx = new Float64Array(R * I);
  for (let r = 0; r < R; r++) {
    for (let o = 0; o < O; o++) {
      const g = dz[r * O + o];
      if (g === 0) continue;
      db[o] += g;
      for (let i = 0; i < I; i++) {
        dw[o * I + i] += g * x[r * I + i];
        dx[r * I + i] += g * w[o * I + i];
      }
    }
  }
  return dx;
}

/** The activations of one 3-layer MLP over R rows: a1 (R, 2H), a2 (R, H2) after their ReLUs, out (R, O). */
export interface MlpCache {
  input: Float64Array;
  a1: Float64Array;
  a2: Float64Array;
  /** What layers 2 and 4 read: a1 and a2 after the MLP's dropout (the same arrays without it). */
  h1: Float64Array;
  h2: Float64Array;
  out: Float64Array;
}

interface MlpShape {
  name: string;
  I: number;
  H: number;
  O: number;
  /** ReLU after the last layer (decoder.hh) or not. */
  lastRelu: boolean;
  /** The dropout sites after the two hidden ReLUs (the feed-forward MLPs xh and hv); none for the recurrent ones. */
  drops?: readonly [BlogDropoutSite, BlogDropoutSite];
}

/** Drops x at a site, or takes a gradient back through it (the same map); the identity without dropout. */
export type BlogDrop = (site: BlogDropoutSite, x: Float64Array) => Float64Array;

/** What a training step adds to the plain forward: label smoothing ε, dropout keyed by seed and step (none: off). */
export interface BlogTraining {
  smoothing?: number;
  dropout?: { p: number; seed: number; step: number };
}

const noDrop: BlogDrop = (_site, x) => x;

/** The drop of a training step: each site's mask over its whole time-major tensor (element 0 = row 0, column 0). */
export function blogDrop(dropout: BlogTraining['dropout']): BlogDrop {
  if (!dropout || dropout.p === 0) return noDrop;
  return (site, x) => dropoutForward({ ...dropout, tensor: blogDropoutId(site) }, x);
}

export function mlpForward(p: BlogTensors, m: MlpShape, input: Float64Array, R: number, drop: BlogDrop = noDrop): MlpCache {
  const H2 = Math.floor(m.H / 2);
  const a1 = linearForward(input, p[`${m.name}.0.weight`], p[`${m.name}.0.bias`], R, m.I, 2 * m.H, true);
  const h1 = m.drops ? drop(m.drops[0], a1) : a1;
  const a2 = linearForward(h1, p[`${m.name}.2.weight`], p[`${m.name}.2.bias`], R, 2 * m.H, H2, true);
  const h2 = m.drops ? drop(m.drops[1], a2) : a2;
  const out = linearForward(h2, p[`${m.name}.4.weight`], p[`${m.name}.4.bias`], R, H2, m.O, m.lastRelu);
  return { input, a1, a2, h1, h2, out };
}

/** Adds the MLP's weight and bias gradients into g; returns d input (R, I). */
export function mlpBackward(p: BlogTensors, g: BlogTensors, m: MlpShape, c: MlpCache, dOut: ArrayLike<number>, R: number, drop: BlogDrop = noDrop): Float64Array {
  const H2 = Math.floor(m.H / 2);
  const n = m.name;
  const dh2 = linearBackward(dOut, c.out, c.h2, p[`${n}.4.weight`], g[`${n}.4.weight`], g[`${n}.4.bias`], R, H2, m.O, m.lastRelu);
  const da2 = m.drops ? drop(m.drops[1], dh2) : dh2;
  const dh1 = linearBackward(da2, c.a2, c.h1, p[`${n}.2.weight`], g[`${n}.2.weight`], g[`${n}.2.bias`], R, 2 * m.H, H2, true);
  const da1 = m.drops ? drop(m.drops[0], dh1) : dh1;
  return linearBackward(da1, c.a1, c.input, p[`${n}.0.weight`], g[`${n}.0.weight`], g[`${n}.0.bias`], R, m.I, 2 * m.H, true);
}

function shapes(d: Pick<BlogDims, 'V' | 'E' | 'H'>): Record<(typeof MLPS)[number], MlpShape> {
  return {
    'encoder.xh': { name: 'encoder.xh', I: d.E, H: d.H, O: d.H, lastRelu: false, drops: ['encoder.xh.dropout1', 'encoder.xh.dropout2'] },
    'encoder.hh': { name: 'encoder.hh', I: d.H, H: d.H, O: d.H, lastRelu: false },
    'decoder.hh': { name: 'decoder.hh', I: d.H, H: d.H, O: d.H, lastRelu: true },
    'decoder.hv': { name: 'decoder.hv', I: d.H, H: d.H, O: d.V, lastRelu: false, drops: ['decoder.hv.dropout1', 'decoder.hv.dropout2'] },
  };
}

// ---------------------------------------------------------------------------------------
// The model.

export interface BlogEncoderCache {
  /** (S·B, E) embedded source, after its dropout: what xh read. */
  emb: Float64Array;
  xh: MlpCache;
  /** hh at each step t < S over (B) rows. */
  hh: MlpCache[];
  /** (S+1) states h_0..h_S, each (B, H). */
  h: Float64Array[];
}

export interface BlogForwardCache {
  enc: BlogEncoderCache;
  /** decoder.hh at each step t < T; dec[t].out is d_{t+1} (B, H). */
  dec: MlpCache[];
  /** decoder.hv over all T·B rows (its input d_1..d_T after `decoder.dropout`); hv.out are the logits (T·B, V). */
  hv: MlpCache;
  loss: number;
  /** Number of non-PAD targets. */
  count: number;
  /** (T·B, V) d loss / d logits. */
  dlogits: Float64Array;
  /** The step's dropout, which the backward takes its gradients back through. */
  drop: BlogDrop;
}

export function blogEncode(p: BlogTensors, d: Omit<BlogDims, 'T'>, src: ArrayLike<number>, srcLengths: ArrayLike<number>, drop: BlogDrop = noDrop): BlogEncoderCache {
  const { E, H, B, S } = d;
  const m = shapes(d);
  const gathered = new Float64Array(S * B * E);
  const table = p['embedding.weight'];
  for (let r = 0; r < S * B; r++) for (let j = 0; j < E; j++) gathered[r * E + j] = table[src[r] * E + j];
  const emb = drop('embedding.dropout', gathered);
  const xh = mlpForward(p, m['encoder.xh'], emb, S * B, drop);
  const h: Float64Array[] = [new Float64Array(B * H)];
  const hh: MlpCache[] = [];
  for (let t = 0; t < S; t++) {
    const c = mlpForward(p, m['encoder.hh'], h[t], B);
    hh.push(c);
    h.push(recurrentUpdateForward(xh.out.subarray(t * B * H, (t + 1) * B * H), c.out, h[t], srcLengths, t, B, H));
  }
  return { emb, xh, hh, h };
}

/** Runs decoder.hh for `steps` steps from hEnc; returns the per-step caches and d_1..d_steps stacked (steps·B, H). */
function decodeStates(p: BlogTensors, d: Pick<BlogDims, 'V' | 'E' | 'H' | 'B'>, hEnc: Float64Array, steps: number): { dec: MlpCache[]; states: Float64Array } {
  const { H, B } = d;
  const m = shapes(d)['decoder.hh'];
  const dec: MlpCache[] = [];
  const states = new Float64Array(steps * B * H);
  let cur = hEnc;
  for (let t = 0; t < steps; t++) {
    const c = mlpForward(p, m, cur, B);
    dec.push(c);
    states.set(c.out, t * B * H);
    cur = c.out;
  }
  return { dec, states };
}

/** One training forward: dropout and label smoothing as `training` says (nothing: the plain model). */
export function blogForward(p: BlogTensors, d: BlogDims, batch: BlogBatchRef, training: BlogTraining = {}): BlogForwardCache {
  const { B, S, T, V } = d;
  const drop = blogDrop(training.dropout);
  const smoothing = training.smoothing ?? 0;
  const enc = blogEncode(p, d, batch.src, batch.srcLengths, drop);
  const { dec, states } = decodeStates(p, d, enc.h[S], T);
  const hv = mlpForward(p, shapes(d)['decoder.hv'], drop('decoder.dropout', states), T * B, drop);
  const { loss, count } = crossEntropyForward(hv.out, batch.tgt, T * B, V, smoothing);
  const dlogits = crossEntropyBackward(hv.out, batch.tgt, T * B, V, smoothing);
  return { enc, dec, hv, loss, count, dlogits, drop };
}

export function blogLoss(p: BlogTensors, d: BlogDims, batch: BlogBatchRef, training: BlogTraining = {}): number {
  return blogForward(p, d, batch, training).loss;
}

/** Zero tensors of every named shape. */
export function blogZeros(d: Pick<BlogDims, 'V' | 'E' | 'H'>): BlogTensors {
  const g: BlogTensors = {};
  for (const [name, shape] of blogParamShapes(d)) g[name] = new Float64Array(shape.reduce((a, b) => a * b, 1));
  return g;
}

/** The gradient of the mean loss with respect to every named tensor. */
export function blogBackward(p: BlogTensors, d: BlogDims, batch: BlogBatchRef, f: BlogForwardCache): BlogTensors {
  const { E, H, B, S, T } = d;
  const m = shapes(d);
  const g = blogZeros(d);
  const { drop } = f;
  // hv over all T·B rows, then back through `decoder.dropout`: gradient of every decoder state d_1..d_T.
  const dStates = drop('decoder.dropout', mlpBackward(p, g, m['decoder.hv'], f.hv, f.dlogits, T * B, drop));
  // decoder.hh, last step first; the input gradient of step t goes to d_t (or h_S at t = 0).
  let dh: Float64Array = new Float64Array(B * H);
  for (let t = T - 1; t >= 0; t--) {
    const dOut = dStates.slice(t * B * H, (t + 1) * B * H);
    for (let k = 0; k < B * H; k++) dOut[k] += dh[k];
    dh = mlpBackward(p, g, m['decoder.hh'], f.dec[t], dOut, B);
  }
  // encoder, last step first.
  const dx = new Float64Array(S * B * H);
  for (let t = S - 1; t >= 0; t--) {
    const { dpre, dcarry } = recurrentUpdateBackward(dh, f.enc.h[t + 1], batch.srcLengths, t, B, H);
    dx.set(dpre, t * B * H);
    const dPrev = mlpBackward(p, g, m['encoder.hh'], f.enc.hh[t], dpre, B);
    for (let k = 0; k < B * H; k++) dcarry[k] += dPrev[k];
    dh = dcarry;
  }
  const de = drop('embedding.dropout', mlpBackward(p, g, m['encoder.xh'], f.enc.xh, dx, S * B, drop));
  const demb = g['embedding.weight'];
  for (let r = 0; r < S * B; r++) for (let j = 0; j < E; j++) demb[batch.src[r] * E + j] += de[r * E + j];
  return g;
}

export function blogLossAndGrads(p: BlogTensors, d: BlogDims, batch: BlogBatchRef, training: BlogTraining = {}): { loss: number; grads: BlogTensors; logits: Float64Array } {
  const f = blogForward(p, d, batch, training);
  return { loss: f.loss, grads: blogBackward(p, d, batch, f), logits: f.hv.out };
}

/** Greedy decoding (never dropping): (L, B) argmax tokens (first maximum on ties), time-major. */
export function blogDecode(p: BlogTensors, d: Omit<BlogDims, 'T'>, src: ArrayLike<number>, srcLengths: ArrayLike<number>, L: number): Int32Array {
  const { B, S, V } = d;
  const enc = blogEncode(p, d, src, srcLengths);
  const { states } = decodeStates(p, d, enc.h[S], L);
  const logits = mlpForward(p, shapes(d)['decoder.hv'], states, L * B).out;
  const out = new Int32Array(L * B);
  for (let r = 0; r < L * B; r++) {
    let best = 0;
    for (let v = 1; v < V; v++) if (logits[r * V + v] > logits[r * V + best]) best = v;
    out[r] = best;
  }
  return out;
}
