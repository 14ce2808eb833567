// Float64 CPU reference of the whole `lstm` model (docs/contract.md §3): embeddings, multi-layer LSTM
// encoder over the (optionally reversed, padding-masked) source, multi-layer LSTM decoder
// started from the encoder's final (h, c) per layer and fed EOS then the target (teacher
// forcing), `output` Linear H→V at every step, mean cross-entropy over non-PAD targets.
// Written plainly, step by step, as the independent check of the GPU model.
// Training options (StackTraining): label smoothing ε of the loss, and dropout at the sites of
// specs/lstm.ts (embedded inputs, inputs of layers k ≥ 1, the output layer's input), its masks
// drawn by reference/dropout.ts's hash exactly as the GPU draws them.
//
// Letters: B batch, S source length, T target length (S + 1), E embedding, H hidden,
// V vocabulary, L layers. Token arrays are time-major: src (S, B), tgt and decIn (T, B).
import { lstmStepBackward, lstmStepForward, type CellForwardOut, type LstmLayerWeights } from './lstm.ts';
import { initTensors, type InitSettings } from './init.ts';
import { inputSite, lstmDropoutId, lstmParamShapes, type LstmDims, type LstmDropoutSite } from '../specs/lstm.ts';
import { crossEntropyBackward, crossEntropyForward } from './cross_entropy.ts';
import { dropoutSlice } from './dropout.ts';

export { lstmParamShapes, type LstmDims } from '../specs/lstm.ts';

/** The token side of a batch (the fields of task/batch.ts's Batch that the model reads). */
export interface LstmTokens {
  /** (S, B) i32 source tokens, PAD after each length. */
  src: ArrayLike<number>;
  /** (B) */
  srcLengths: ArrayLike<number>;
  /** (T, B) targets: primes, EOS, PAD. */
  tgt: ArrayLike<number>;
  /** (T, B) decoder inputs: EOS, then tgt shifted by one. */
  decIn: ArrayLike<number>;
}

export type Tensors = Record<string, Float64Array>;

/** What a training step adds to the plain forward: label smoothing ε, dropout keyed by seed and step (none: off). */
export interface StackTraining {
  smoothing?: number;
  dropout?: { p: number; seed: number; step: number };
}

/** Site `site`'s dropout of step t's rows x (B, W) of its (steps·B, W) tensor; also its backward (the same map). None: x. */
export type StepDrop = (site: LstmDropoutSite, t: number, x: Float64Array) => Float64Array;

export function stepDrop(dropout: StackTraining['dropout']): StepDrop {
  if (!dropout || dropout.p === 0) return (_site, _t, x) => x;
  return (site, t, x) => dropoutSlice({ ...dropout, tensor: lstmDropoutId(site) }, t * x.length, x);
}

/** Initial parameters under `s` (init, init_scale, seed), bit-identical to the GPU model's arena. */
export function lstmInitParams(d: LstmDims, s: InitSettings): Tensors {
  const p: Tensors = {};
  for (const [name, t] of initTensors(lstmParamShapes(d), s)) p[name] = Float64Array.from(t);
  return p;
}

/** Each column of src (S, B) reversed within its length; PAD positions stay. */
export function reverseWithinLength(src: ArrayLike<number>, lengths: ArrayLike<number>, S: number, B: number): Int32Array {
  const out = new Int32Array(S * B);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < S; t++) out[t * B + b] = t < lengths[b] ? src[(lengths[b] - 1 - t) * B + b] : src[t * B + b];
  }
  return out;
}

export function layerWeights(p: Tensors, m: string, k: number): LstmLayerWeights {
  return { wih: p[`${m}.weight_ih_l${k}`], whh: p[`${m}.weight_hh_l${k}`], bih: p[`${m}.bias_ih_l${k}`], bhh: p[`${m}.bias_hh_l${k}`] };
}

export function embed(table: Float64Array, ids: ArrayLike<number>, offset: number, B: number, E: number): Float64Array {
  const x = new Float64Array(B * E);
  for (let b = 0; b < B; b++) for (let e = 0; e < E; e++) x[b * E + e] = table[ids[offset + b] * E + e];
  return x;
}

export interface StepCache {
  x: Float64Array;
  hPrev: Float64Array;
  cPrev: Float64Array;
  out: CellForwardOut;
  mask?: boolean[];
}

export interface LstmForward {
  loss: number;
  /** (T·B, V) */
  logits: Float64Array;
  /** Rows counted in the mean. */
  count: number;
  /** Internals for lstmModelBackward. */
  cache: { enc: StepCache[][]; dec: StepCache[][]; hTop: Float64Array[]; tokens: LstmTokens; srcIds: Int32Array; B: number; S: number; T: number; drop: StepDrop; smoothing: number };
}

/** Runs the stacked layers of one module over `steps` steps; returns caches [layer][t] and the final states. */
export function runModule(
  p: Tensors,
  m: 'encoder' | 'decoder',
  d: LstmDims,
  steps: number,
  B: number,
  input: (t: number) => Float64Array,
  h0: Float64Array[],
  c0: Float64Array[],
  mask: (t: number) => boolean[] | undefined,
  drop: StepDrop = (_site, _t, x) => x,
): { caches: StepCache[][]; h: Float64Array[]; c: Float64Array[]; top: Float64Array[] } {
  const caches: StepCache[][] = Array.from({ length: d.L }, () => []);
  const h: Float64Array[] = h0.map((a) => Float64Array.from(a));
  const c: Float64Array[] = c0.map((a) => Float64Array.from(a));
  const top: Float64Array[] = [];
  for (let t = 0; t < steps; t++) {
    let x = input(t);
    const mk = mask(t);
    for (let k = 0; k < d.L; k++) {
      const I = k === 0 ? d.E : d.H;
      x = drop(inputSite(m, k), t, x);
      const out = lstmStepForward(x, h[k], c[k], layerWeights(p, m, k), B, I, d.H, mk);
      caches[k].push({ x, hPrev: h[k], cPrev: c[k], out, mask: mk });
      h[k] = out.h;
      c[k] = out.c;
      x = out.h;
    }
    top.push(x);
  }
  return { caches, h, c, top };
}

export function encode(p: Tensors, d: LstmDims, src: ArrayLike<number>, srcLengths: ArrayLike<number>, B: number, S: number, reverse: boolean, drop?: StepDrop) {
  const srcIds = reverse ? reverseWithinLength(src, srcLengths, S, B) : Int32Array.from(src);
  const zeros = Array.from({ length: d.L }, () => new Float64Array(B * d.H));
  const enc = runModule(
    p,
    'encoder',
    d,
    S,
    B,
    (t) => embed(p['src_embedding.weight'], srcIds, t * B, B, d.E),
    zeros,
    zeros,
    (t) => Array.from({ length: B }, (_, b) => t < srcLengths[b]),
    drop,
  );
  return { enc, srcIds };
}

/** out (B, V) = h (B, H)·Wᵀ + b */
export function outputLayer(p: Tensors, h: Float64Array, B: number, H: number, V: number): Float64Array {
  const w = p['output.weight'];
  const bias = p['output.bias'];
  const out = new Float64Array(B * V);
  for (let b = 0; b < B; b++) {
    for (let v = 0; v < V; v++) {
      let s = bias[v];
      for (let k = 0; k < H; k++) s += h[b * H + k] * w[v * H + k];
      out[b * V + v] = s;
    }
  }
  return out;
}

/** Both modules over the batch (teacher forcing), dropout at every site where `drop` says. */
export function runStack(p: Tensors, d: LstmDims, tokens: LstmTokens, reverse: boolean, drop: StepDrop) {
  const B = tokens.srcLengths.length;
  const S = tokens.src.length / B;
  const T = tokens.tgt.length / B;
  const { enc, srcIds } = encode(p, d, tokens.src, tokens.srcLengths, B, S, reverse, drop);
  const dec = runModule(p, 'decoder', d, T, B, (t) => embed(p['tgt_embedding.weight'], tokens.decIn, t * B, B, d.E), enc.h, enc.c, () => undefined, drop);
  return { enc, dec, srcIds, B, S, T };
}

export function lstmModelForward(p: Tensors, d: LstmDims, tokens: LstmTokens, reverse: boolean, training: StackTraining = {}): LstmForward {
  const drop = stepDrop(training.dropout);
  const smoothing = training.smoothing ?? 0;
  const { enc, dec, srcIds, B, S, T } = runStack(p, d, tokens, reverse, drop);
  const hTop = dec.top.map((h, t) => drop('output.dropout', t, h)); // T × (B, H)
  const logits = new Float64Array(T * B * d.V);
  for (let t = 0; t < T; t++) logits.set(outputLayer(p, hTop[t], B, d.H, d.V), t * B * d.V);
  const { loss, count } = crossEntropyForward(logits, tokens.tgt, T * B, d.V, smoothing);
  return { loss, logits, count, cache: { enc: enc.caches, dec: dec.caches, hTop, tokens, srcIds, B, S, T, drop, smoothing } };
}

/** One module's backward pass: what moduleBackward needs besides the parameters. */
export interface ModuleBackwardArgs {
  m: 'encoder' | 'decoder';
  /** [layer][t] caches of its forward. */
  caches: StepCache[][];
  steps: number;
  /** Per step (B, H) gradient reaching the top layer's output from above, or null. */
  above: Float64Array[] | null;
  /** Per layer (B, H) gradients of the module's final h and c. */
  dh0: Float64Array[];
  dc0: Float64Array[];
  /** The embedding its layer 0 reads, and the (steps, B) ids it read. */
  table: string;
  ids: ArrayLike<number>;
  /** The forward's dropout (none: no dropout). */
  drop?: StepDrop;
}

/**
 * Backward through one module, top layer first: accumulates into g (its LSTM weights and
 * its embedding) and returns the gradients of its initial states per layer.
 */
export function moduleBackward(p: Tensors, g: Tensors, d: LstmDims, B: number, a: ModuleBackwardArgs): { dhInit: Float64Array[]; dcInit: Float64Array[] } {
  const { E, H, L } = d;
  const { m, caches, steps } = a;
  let dAbove: Float64Array[] | null = a.above;
  const dhInit: Float64Array[] = [];
  const dcInit: Float64Array[] = [];
  for (let k = L - 1; k >= 0; k--) {
    const I = k === 0 ? E : H;
    const w = layerWeights(p, m, k);
    const dw = { wih: g[`${m}.weight_ih_l${k}`], whh: g[`${m}.weight_hh_l${k}`], bih: g[`${m}.bias_ih_l${k}`], bhh: g[`${m}.bias_hh_l${k}`] };
    let dh: Float64Array = Float64Array.from(a.dh0[k]);
    let dc: Float64Array = Float64Array.from(a.dc0[k]);
    const dxs: Float64Array[] = new Array(steps);
    for (let t = steps - 1; t >= 0; t--) {
      const sc = caches[k][t];
      const dhIn = Float64Array.from(dh);
      if (dAbove) for (let i = 0; i < dhIn.length; i++) dhIn[i] += dAbove[t][i];
      const r = lstmStepBackward(sc.x, sc.hPrev, sc.cPrev, sc.out, dhIn, dc, w, dw, B, I, H, sc.mask);
      // r.dx is the gradient of the dropped input: through the mask to the layer below.
      dxs[t] = a.drop ? a.drop(inputSite(m, k), t, r.dx) : r.dx;
      dh = r.dhPrev;
      dc = r.dcPrev;
    }
    dhInit[k] = dh;
    dcInit[k] = dc;
    dAbove = dxs;
  }
  // dAbove now holds the gradient of the embedded inputs.
  const gt = g[a.table];
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < B; b++) {
      const id = a.ids[t * B + b];
      for (let e = 0; e < E; e++) gt[id * E + e] += dAbove![t][b * E + e];
    }
  }
  return { dhInit, dcInit };
}

/**
 * Backward of `output` and the mean softmax cross-entropy: dlogits = (softmax − q) / count on
 * counted rows (q the target smoothed by ε). Accumulates output.weight/bias gradients into g;
 * returns per step the (B, H) gradient of the output layer's input h[t].  logits (T·B, V), tgt (T, B).
 */
export function outputBackward(p: Tensors, g: Tensors, d: LstmDims, logits: Float64Array, tgt: ArrayLike<number>, h: Float64Array[], smoothing = 0): Float64Array[] {
  const { V, H } = d;
  const T = h.length;
  const B = tgt.length / T;
  const dh: Float64Array[] = [];
  const wOut = p['output.weight'];
  const dLogits = crossEntropyBackward(logits, tgt, T * B, V, smoothing); // (T·B, V), zero on PAD rows
  for (let t = 0; t < T; t++) {
    const dht = new Float64Array(B * H);
    for (let b = 0; b < B; b++) {
      for (let v = 0; v < V; v++) {
        const dl = dLogits[(t * B + b) * V + v];
        g['output.bias'][v] += dl;
        for (let k = 0; k < H; k++) {
          g['output.weight'][v * H + k] += dl * h[t][b * H + k];
          dht[b * H + k] += dl * wOut[v * H + k];
        }
      }
    }
    dh.push(dht);
  }
  return dh;
}

/** Gradient of the mean loss with respect to every named tensor. */
export function lstmModelBackward(p: Tensors, d: LstmDims, fwd: LstmForward): Tensors {
  const { B, S, T, tokens, srcIds } = fwd.cache;
  const { H, L } = d;
  const g: Tensors = {};
  for (const [name, shape] of lstmParamShapes(d)) g[name] = new Float64Array(shape.reduce((a, b) => a * b, 1));

  const { drop, smoothing } = fwd.cache;
  const dhTop = outputBackward(p, g, d, fwd.logits, tokens.tgt, fwd.cache.hTop, smoothing).map((dh, t) => drop('output.dropout', t, dh));

  const zeros = Array.from({ length: L }, () => new Float64Array(B * H));
  const decGrads = moduleBackward(p, g, d, B, { m: 'decoder', caches: fwd.cache.dec, steps: T, above: dhTop, dh0: zeros, dc0: zeros, table: 'tgt_embedding.weight', ids: tokens.decIn, drop });
  moduleBackward(p, g, d, B, { m: 'encoder', caches: fwd.cache.enc, steps: S, above: null, dh0: decGrads.dhInit, dc0: decGrads.dcInit, table: 'src_embedding.weight', ids: srcIds, drop });
  return g;
}

/**
 * Greedy decoding: encoder over the source, then `steps` decoder steps fed EOS first and
 * then their own argmax (lowest index on ties). Returns (steps, B) tokens, time-major.
 */
export function lstmGreedyDecode(p: Tensors, d: LstmDims, src: ArrayLike<number>, srcLengths: ArrayLike<number>, steps: number, reverse: boolean): Int32Array {
  const B = srcLengths.length;
  const S = src.length / B;
  const EOS = d.V - 1;
  const { enc } = encode(p, d, src, srcLengths, B, S, reverse);
  const h: Float64Array[] = enc.h.map((a) => Float64Array.from(a));
  const c: Float64Array[] = enc.c.map((a) => Float64Array.from(a));
  const out = new Int32Array(steps * B);
  let prev = new Int32Array(B).fill(EOS);
  for (let t = 0; t < steps; t++) {
    let x = embed(p['tgt_embedding.weight'], prev, 0, B, d.E);
    for (let k = 0; k < d.L; k++) {
      const r = lstmStepForward(x, h[k], c[k], layerWeights(p, 'decoder', k), B, k === 0 ? d.E : d.H, d.H);
      h[k] = r.h;
      c[k] = r.c;
      x = r.h;
    }
    const logits = outputLayer(p, x, B, d.H, d.V);
    const next = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      let best = 0;
      for (let v = 1; v < d.V; v++) if (logits[b * d.V + v] > logits[b * d.V + best]) best = v;
      next[b] = best;
      out[t * B + b] = best;
    }
    prev = next;
  }
  return out;
}
