// Float64 CPU reference of the whole `transformer` model (docs/contract.md §3): nn.Transformer
// with norm_first=True, batch_first=True (Vaswani et al. 2017 with pre-norm layers), the
// independent check of the GPU model. Every step of the forward returns its output and a
// backward closure that accumulates the parameter gradients and returns the input gradient.
//   x_enc = src_embedding[src]·√d + PE,  each encoder layer:
//     x = x + drop1(SelfAttn(LN1(x)))          key padding: s < len(b)
//     x = x + drop2(W2 · drop(relu(W1 LN2(x) + b1)) + b2)
//   memory = LN_enc(x);  x_dec = tgt_embedding[decIn]·√d + PE,  each decoder layer:
//     x = x + drop1(SelfAttn(LN1(x)))          causal
//     x = x + drop2(CrossAttn(LN2(x), memory)) key padding on the source
//     x = x + drop3(FeedForward(LN3(x)))
//   Attention weights are dropped too (nn.MultiheadAttention's dropout).
//   logits = output(LN_dec(x)),  loss = mean cross-entropy over non-PAD targets (label smoothing ε).
// Rows are time-major, r = t·B + b, as the batch's tokens and the GPU's activations.
// Letters: B batch, S source length, T target length, d width, F feed-forward width, V vocabulary.
import { layerNormBackward, layerNormForward } from './layer_norm.ts';
import { multiheadBackward, multiheadForward } from './multihead.ts';
import { dropoutBackward, dropoutForward } from './dropout.ts';
import { positionTable } from './positions.ts';
import { crossEntropyBackward, crossEntropyForward } from './cross_entropy.ts';
import { reverseWithinLength, type LstmTokens, type Tensors } from './lstm_model.ts';
import { initTensors, type InitSettings } from './init.ts';
import { teacherForcedLogProbs } from './beam.ts';
import { decLayer, dropoutTensorId, encLayer, transformerParamShapes, type TransformerDims } from '../specs/transformer.ts';

type Back = (dy: Float64Array) => Float64Array;

/** Training options: reverse the source, label smoothing, dropout (p 0: none) keyed by seed and step. */
export interface TransformerRun {
  reverse: boolean;
  smoothing?: number;
  dropout?: { p: number; seed: number; step: number };
}

interface Ctx {
  p: Tensors;
  g: Tensors;
  x: TransformerDims;
  B: number;
  run: TransformerRun;
  /** (B, heads, T, S) the latest decoder layer's cross-attention weights (after the forward: the last layer's). */
  cross?: Float64Array;
}

export function transformerInitParams(x: TransformerDims, s: InitSettings): Tensors {
  const p: Tensors = {};
  for (const [name, t] of initTensors(transformerParamShapes(x), { ...s, model: 'transformer' })) p[name] = Float64Array.from(t);
  return p;
}

const add = (a: Float64Array, b: Float64Array) => a.map((v, i) => v + b[i]);

/** y (R, O) = x (R, I) · W[row0 : row0 + O]ᵀ + bias[row0 : row0 + O]. */
function affine(c: Ctx, wName: string, bName: string, xin: Float64Array, I: number, O: number, row0 = 0): [Float64Array, Back] {
  const R = xin.length / I;
  const W = c.p[wName].subarray(row0 * I, (row0 + O) * I);
  const bias = c.p[bName].subarray(row0, row0 + O);
  const y = new Float64Array(R * O);
  for (let r = 0; r < R; r++)
    for (let o = 0; o < O; o++) {
      let s = bias[o];
      for (let i = 0; i < I; i++) s += xin[r * I + i] * W[o * I + i];
      y[r * O + o] = s;
    }
  const back: Back = (dy) => {
    const [gW, gb] = [c.g[wName].subarray(row0 * I, (row0 + O) * I), c.g[bName].subarray(row0, row0 + O)];
    const dx = new Float64Array(R * I);
    for (let r = 0; r < R; r++)
      for (let o = 0; o < O; o++) {
        const v = dy[r * O + o];
        gb[o] += v;
        for (let i = 0; i < I; i++) {
          gW[o * I + i] += v * xin[r * I + i];
          dx[r * I + i] += v * W[o * I + i];
        }
      }
    return dx;
  };
  return [y, back];
}

function norm(c: Ctx, prefix: string, xin: Float64Array): [Float64Array, Back] {
  const { d } = c.x;
  const R = xin.length / d;
  const f = layerNormForward(xin, c.p[`${prefix}.weight`], c.p[`${prefix}.bias`], R, d);
  return [
    f.y,
    (dy) => {
      const g = layerNormBackward(xin, c.p[`${prefix}.weight`], f.mean, f.rstd, dy, R, d);
      g.dGamma.forEach((v, j) => (c.g[`${prefix}.weight`][j] += v));
      g.dBeta.forEach((v, j) => (c.g[`${prefix}.bias`][j] += v));
      return g.dx;
    },
  ];
}

function drop(c: Ctx, layer: string, site: string, xin: Float64Array): [Float64Array, Back] {
  const o = c.run.dropout;
  if (!o || o.p === 0) return [xin, (dy) => dy];
  const key = { ...o, tensor: dropoutTensorId(layer, site) };
  return [dropoutForward(key, xin), (dy) => dropoutBackward(key, dy)];
}

function relu(xin: Float64Array): [Float64Array, Back] {
  return [xin.map((v) => Math.max(0, v)), (dy) => dy.map((v, i) => (xin[i] > 0 ? v : 0))];
}

/** Time-major (N·B, d) rows to batch-major (B, N, d), and back. */
function toBatch(x: Float64Array, N: number, B: number, d: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let n = 0; n < N; n++) for (let b = 0; b < B; b++) out.set(x.subarray((n * B + b) * d, (n * B + b + 1) * d), (b * N + n) * d);
  return out;
}
function toTime(x: Float64Array, N: number, B: number, d: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let n = 0; n < N; n++) for (let b = 0; b < B; b++) out.set(x.subarray((b * N + n) * d, (b * N + n + 1) * d), (n * B + b) * d);
  return out;
}

/**
 * nn.MultiheadAttention(xq, xkv, xkv): in_proj rows [0, d) for queries, [d, 2d) keys, [2d, 3d)
 * values; dropout on the weights (its site named after the module, e.g. `….self_attn`); out_proj.
 */
function attention(c: Ctx, prefix: string, xq: Float64Array, xkv: Float64Array, lengths: ArrayLike<number>, causal: boolean, keep?: (A: Float64Array) => void): [Float64Array, (dy: Float64Array) => [Float64Array, Float64Array]] {
  const { d, heads } = c.x;
  const B = c.B;
  const [T, S] = [xq.length / d / B, xkv.length / d / B];
  const w = [`${prefix}.in_proj_weight`, `${prefix}.in_proj_bias`] as const;
  const [q, qBack] = affine(c, ...w, xq, d, d, 0);
  const [k, kBack] = affine(c, ...w, xkv, d, d, d);
  const [v, vBack] = affine(c, ...w, xkv, d, d, 2 * d);
  const shape = { B, T, S, d, heads, causal };
  const [qb, kb, vb] = [toBatch(q, T, B, d), toBatch(k, S, B, d), toBatch(v, S, B, d)];
  const o = c.run.dropout;
  const drop = o && o.p > 0 ? { ...o, tensor: dropoutTensorId(prefix.slice(0, prefix.lastIndexOf('.')), prefix.slice(prefix.lastIndexOf('.') + 1)) } : undefined;
  const f = multiheadForward(shape, qb, kb, vb, lengths, drop);
  keep?.(f.A);
  const [out, outBack] = affine(c, `${prefix}.out_proj.weight`, `${prefix}.out_proj.bias`, toTime(f.out, T, B, d), d, d);
  return [
    out,
    (dy) => {
      const dAtt = toBatch(outBack(dy), T, B, d);
      const g = multiheadBackward(shape, qb, kb, vb, f.A, lengths, dAtt, drop);
      const dxq = qBack(toTime(g.dq, T, B, d));
      const dxkv = add(kBack(toTime(g.dk, S, B, d)), vBack(toTime(g.dv, S, B, d)));
      return [dxq, dxkv];
    },
  ];
}

/** x + drop(body(norm(x))): a pre-norm residual sublayer; `body` maps normalised rows to the branch. */
function sublayer(c: Ctx, layer: string, normName: string, site: string, xin: Float64Array, body: (n: Float64Array) => [Float64Array, Back]): [Float64Array, Back] {
  const [n, nBack] = norm(c, `${layer}.${normName}`, xin);
  const [branch, bodyBack] = body(n);
  const [dropped, dropBack] = drop(c, layer, site, branch);
  return [add(xin, dropped), (dy) => add(dy, nBack(bodyBack(dropBack(dy))))];
}

function feedForward(c: Ctx, layer: string, n: Float64Array): [Float64Array, Back] {
  const { d, F } = c.x;
  const [h, hBack] = affine(c, `${layer}.linear1.weight`, `${layer}.linear1.bias`, n, d, F);
  const [a, aBack] = relu(h);
  const [ad, adBack] = drop(c, layer, 'dropout', a);
  const [y, yBack] = affine(c, `${layer}.linear2.weight`, `${layer}.linear2.bias`, ad, F, d);
  return [y, (dy) => hBack(aBack(adBack(yBack(dy))))];
}

const selfAttention = (c: Ctx, prefix: string, lengths: ArrayLike<number>, causal: boolean) => (n: Float64Array): [Float64Array, Back] => {
  const [y, back] = attention(c, prefix, n, n, lengths, causal);
  return [y, (dy) => add(...back(dy))];
};

/** table[ids]·√d + PE[t] over time-major rows (N·B, d). */
function embedAt(c: Ctx, table: string, ids: ArrayLike<number>): [Float64Array, Back] {
  const { d } = c.x;
  const R = ids.length;
  const pe = positionTable(R / c.B, d);
  const scale = Math.sqrt(d);
  const y = new Float64Array(R * d);
  for (let r = 0; r < R; r++) for (let j = 0; j < d; j++) y[r * d + j] = c.p[table][ids[r] * d + j] * scale + pe[Math.floor(r / c.B) * d + j];
  return [
    y,
    (dy) => {
      for (let r = 0; r < R; r++) for (let j = 0; j < d; j++) c.g[table][ids[r] * d + j] += dy[r * d + j] * scale;
      return new Float64Array(0);
    },
  ];
}

/** Runs `steps` in order; the returned backward runs their backwards in reverse. */
function chain(x0: Float64Array, steps: ((x: Float64Array) => [Float64Array, Back])[]): [Float64Array, Back] {
  const backs: Back[] = [];
  let x = x0;
  for (const step of steps) {
    const [y, back] = step(x);
    backs.push(back);
    x = y;
  }
  return [x, (dy) => backs.reduceRight((g, back) => back(g), dy)];
}

function encoder(c: Ctx, src: ArrayLike<number>, lengths: ArrayLike<number>): [Float64Array, Back] {
  const steps: ((x: Float64Array) => [Float64Array, Back])[] = [];
  for (let i = 0; i < c.x.L; i++) {
    const l = encLayer(i);
    steps.push((x) => sublayer(c, l, 'norm1', 'dropout1', x, selfAttention(c, `${l}.self_attn`, lengths, false)));
    steps.push((x) => sublayer(c, l, 'norm2', 'dropout2', x, (n) => feedForward(c, l, n)));
  }
  steps.push((x) => norm(c, 'transformer.encoder.norm', x));
  const [x0, embBack] = embedAt(c, 'src_embedding.weight', src);
  const [memory, back] = chain(x0, steps);
  return [memory, (dy) => embBack(back(dy))];
}

/** The decoder over decIn; its backward returns the memory's gradient. */
function decoder(c: Ctx, decIn: ArrayLike<number>, memory: Float64Array, lengths: ArrayLike<number>): [Float64Array, Back] {
  const T = decIn.length / c.B;
  const all = new Array(c.B).fill(T);
  let dMemory = new Float64Array(memory.length);
  const steps: ((x: Float64Array) => [Float64Array, Back])[] = [];
  for (let i = 0; i < c.x.L; i++) {
    const l = decLayer(i);
    steps.push((x) => sublayer(c, l, 'norm1', 'dropout1', x, selfAttention(c, `${l}.self_attn`, all, true)));
    const cross = (n: Float64Array): [Float64Array, Back] => {
      const [y, back] = attention(c, `${l}.multihead_attn`, n, memory, lengths, false, (A) => (c.cross = A));
      return [
        y,
        (dy) => {
          const [dq, dkv] = back(dy);
          dMemory = add(dMemory, dkv);
          return dq;
        },
      ];
    };
    steps.push((x) => sublayer(c, l, 'norm2', 'dropout2', x, cross));
    steps.push((x) => sublayer(c, l, 'norm3', 'dropout3', x, (n) => feedForward(c, l, n)));
  }
  steps.push((x) => norm(c, 'transformer.decoder.norm', x));
  const [x0, embBack] = embedAt(c, 'tgt_embedding.weight', decIn);
  const [y, back] = chain(x0, steps);
  return [y, (dy) => (embBack(back(dy)), dMemory)];
}

export interface TransformerForward {
  loss: number;
  /** (T·B, V) time-major logits. */
  logits: Float64Array;
  /** (T, B, S) the last decoder layer's cross-attention weights averaged over heads (time-major). */
  crossMean: Float64Array;
  /** (B, heads, T, S) the same per head. */
  cross: Float64Array;
  /** Runs the backward once: the gradient of the loss for every named tensor. */
  grads: () => Tensors;
}

/** (B, heads, T, S) -> (T, B, S): the mean over heads. */
function headMean(A: Float64Array, B: number, heads: number, T: number, S: number): Float64Array {
  const out = new Float64Array(T * B * S);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < heads; h++)
      for (let t = 0; t < T; t++) for (let s = 0; s < S; s++) out[(t * B + b) * S + s] += A[((b * heads + h) * T + t) * S + s] / heads;
  return out;
}

export function transformerModelForward(p: Tensors, x: TransformerDims, tokens: LstmTokens, run: TransformerRun): TransformerForward {
  const B = tokens.srcLengths.length;
  const S = tokens.src.length / B;
  const g: Tensors = {};
  for (const [name, shape] of transformerParamShapes(x)) g[name] = new Float64Array(shape.reduce((a, b) => a * b, 1));
  const c: Ctx = { p, g, x, B, run };
  const src = run.reverse ? reverseWithinLength(tokens.src, tokens.srcLengths, S, B) : tokens.src;
  const [memory, encBack] = encoder(c, src, tokens.srcLengths);
  const [h, decBack] = decoder(c, tokens.decIn, memory, tokens.srcLengths);
  const [logits, outBack] = affine(c, 'output.weight', 'output.bias', h, x.d, x.V);
  const R = tokens.tgt.length;
  const eps = run.smoothing ?? 0;
  const { loss } = crossEntropyForward(logits, tokens.tgt, R, x.V, eps);
  const grads = () => {
    encBack(decBack(outBack(crossEntropyBackward(logits, tokens.tgt, R, x.V, eps))));
    return g;
  };
  const T = tokens.decIn.length / B;
  return { loss, logits, crossMean: headMean(c.cross!, B, x.heads, T, S), cross: c.cross!, grads };
}

/**
 * Greedy decoding over `steps` <= T positions: the decoder recomputed over the whole prefix
 * each step, fed EOS then its own argmax (lowest index on ties). Returns tokens (steps, B).
 */
export function transformerGreedyDecode(p: Tensors, x: TransformerDims, src: ArrayLike<number>, srcLengths: ArrayLike<number>, steps: number, reverse: boolean): Int32Array {
  const B = srcLengths.length;
  const decIn = new Int32Array(steps * B).fill(0);
  decIn.fill(x.V - 1, 0, B);
  const tokens = new Int32Array(steps * B);
  for (let t = 0; t < steps; t++) {
    const f = transformerModelForward(p, x, { src, srcLengths, tgt: new Int32Array(steps * B), decIn }, { reverse });
    for (let b = 0; b < B; b++) {
      const row = f.logits.subarray((t * B + b) * x.V, (t * B + b + 1) * x.V);
      let best = 0;
      for (let v = 1; v < x.V; v++) if (row[v] > row[best]) best = v;
      tokens[t * B + b] = best;
      if (t + 1 < steps) decIn[(t + 1) * B + b] = best;
    }
  }
  return tokens;
}

/** The float64 transformer's log p(· | prefix) for one source sequence, for the reference beam search. */
export function transformerStepLogProbs(p: Tensors, x: TransformerDims, input: number[], reverse: boolean, maxSteps: number): (prefix: number[]) => Float64Array {
  const src = Int32Array.from(input);
  return teacherForcedLogProbs('transformerStepLogProbs', x.V, maxSteps, (decIn) => transformerModelForward(p, x, { src, srcLengths: [input.length], tgt: new Int32Array(maxSteps), decIn }, { reverse }).logits);
}
