// Float64 CPU reference of the whole `attn` model (docs/contract.md §3, Luong 2015 global attention,
// general score, no input feeding): the `lstm` model's embeddings, encoder and decoder
// (src/reference/lstm_model.ts, shared), then for every decoder step t
//   K = h̄ W_aᵀ,  A_t = softmax_{s < len}(h_t · K_s),  c_t = Σ_s A_ts h̄_s,
//   h̃_t = tanh(W_c [c_t ; h_t]),  logits_t = output(h̃_t),
// and the mean cross-entropy over non-PAD targets. The independent check of the GPU model.
// Training options as lstm_model's (StackTraining); the `output.dropout` site drops h̃.
//
// Letters: B batch, S source length, T target length (S + 1), E embedding, H hidden,
// V vocabulary, L layers. Encoder states h̄ and keys K are time-major (S, B, H); decoder
// rows are t·B + b.
import { attentionContextForward, attentionKeysBackward, attentionQueryBackward, attentionWeightsBackward, attentionWeightsForward, type AttentionShape } from './attention.ts';
import { embed, encode, layerWeights, moduleBackward, outputBackward, outputLayer, runStack, stepDrop, type LstmDims, type LstmTokens, type StackTraining, type StepCache, type StepDrop, type Tensors } from './lstm_model.ts';
import { crossEntropyForward } from './cross_entropy.ts';
import { lstmStepForward } from './lstm.ts';
import { initTensors, type InitSettings } from './init.ts';
import { teacherForcedLogProbs } from './beam.ts';
import { attnParamShapes } from '../specs/attn.ts';

export { attnParamShapes } from '../specs/attn.ts';

/** Initial parameters under `s` (init, init_scale, seed), bit-identical to the GPU model's arena. */
export function attnInitParams(d: LstmDims, s: InitSettings): Tensors {
  const p: Tensors = {};
  for (const [name, t] of initTensors(attnParamShapes(d), s)) p[name] = Float64Array.from(t);
  return p;
}

/** y (R, O) = x (R, I) · Wᵀ, W [O, I] (a bias-free Linear). */
export function linear(x: ArrayLike<number>, w: ArrayLike<number>, R: number, I: number, O: number): Float64Array {
  const y = new Float64Array(R * O);
  for (let r = 0; r < R; r++) {
    for (let o = 0; o < O; o++) {
      let s = 0;
      for (let i = 0; i < I; i++) s += x[r * I + i] * w[o * I + i];
      y[r * O + o] = s;
    }
  }
  return y;
}

const stack = (rows: Float64Array[]) => {
  const out = new Float64Array(rows.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of rows) {
    out.set(r, at);
    at += r.length;
  }
  return out;
};

/** What attention computes from the decoder's top outputs q (R, H) over one encoded batch. */
export interface AttentionOut {
  shape: AttentionShape;
  /** (R, S) */
  weights: Float64Array;
  /** (R, 2H) [c ; q] */
  cat: Float64Array;
  /** (R, H) tanh(cat·W_cᵀ) */
  hTilde: Float64Array;
}

export function attendForward(p: Tensors, shape: AttentionShape, q: Float64Array, hbar: Float64Array, keys: Float64Array, lengths: ArrayLike<number>): AttentionOut {
  const weights = attentionWeightsForward(shape, q, keys, lengths);
  const cat = attentionContextForward(shape, weights, hbar, q);
  const hTilde = linear(cat, p['attention_combine.weight'], shape.R, 2 * shape.H, shape.H).map(Math.tanh);
  return { shape, weights, cat, hTilde };
}

/** Splits (steps·B, H) rows into `steps` (B, H) arrays. */
const perStep = (x: Float64Array, steps: number) => Array.from({ length: steps }, (_, t) => x.subarray((t * x.length) / steps, ((t + 1) * x.length) / steps));

export interface AttnForward {
  loss: number;
  /** (T·B, V) */
  logits: Float64Array;
  count: number;
  cache: {
    enc: StepCache[][];
    dec: StepCache[][];
    q: Float64Array;
    hbar: Float64Array;
    keys: Float64Array;
    att: AttentionOut;
    /** (T·B, H) h̃ after dropout: what the output layer read. */
    hDropped: Float64Array;
    tokens: LstmTokens;
    srcIds: Int32Array;
    B: number;
    S: number;
    T: number;
    drop: StepDrop;
    smoothing: number;
  };
}

export function attnModelForward(p: Tensors, d: LstmDims, tokens: LstmTokens, reverse: boolean, training: StackTraining = {}): AttnForward {
  const drop = stepDrop(training.dropout);
  const smoothing = training.smoothing ?? 0;
  const { enc, dec, srcIds, B, S, T } = runStack(p, d, tokens, reverse, drop);
  const hbar = stack(enc.top); // (S, B, H)
  const keys = linear(hbar, p['attention.weight'], S * B, d.H, d.H);
  const q = stack(dec.top); // (T·B, H)
  const att = attendForward(p, { R: T * B, S, B, H: d.H, group: 1 }, q, hbar, keys, tokens.srcLengths);
  const hDropped = stack(perStep(att.hTilde, T).map((h, t) => drop('output.dropout', t, h)));
  const logits = outputLayer(p, hDropped, T * B, d.H, d.V);
  const { loss, count } = crossEntropyForward(logits, tokens.tgt, T * B, d.V, smoothing);
  return { loss, logits, count, cache: { enc: enc.caches, dec: dec.caches, q, hbar, keys, att, hDropped, tokens, srcIds, B, S, T, drop, smoothing } };
}


/** Gradient of the mean loss with respect to every named tensor. */
export function attnModelBackward(p: Tensors, d: LstmDims, fwd: AttnForward): Tensors {
  const { B, S, T, tokens, srcIds, att, q, hbar, keys, drop, smoothing } = fwd.cache;
  const { H, L } = d;
  const g: Tensors = {};
  for (const [name, shape] of attnParamShapes(d)) g[name] = new Float64Array(shape.reduce((a, b) => a * b, 1));
  const R = T * B;
  const dHt = stack(outputBackward(p, g, d, fwd.logits, tokens.tgt, perStep(fwd.cache.hDropped, T), smoothing).map((dh, t) => drop('output.dropout', t, dh)));
  const dPre = dHt.map((v, i) => v * (1 - att.hTilde[i] * att.hTilde[i])); // (R, H)
  const wc = p['attention_combine.weight'];
  const dCat = new Float64Array(R * 2 * H);
  for (let r = 0; r < R; r++) {
    for (let o = 0; o < H; o++) {
      const dp = dPre[r * H + o];
      for (let i = 0; i < 2 * H; i++) {
        g['attention_combine.weight'][o * 2 * H + i] += dp * att.cat[r * 2 * H + i];
        dCat[r * 2 * H + i] += dp * wc[o * 2 * H + i];
      }
    }
  }
  const dScores = attentionWeightsBackward(att.shape, att.weights, dCat, hbar);
  const dq = attentionQueryBackward(att.shape, dScores, keys, dCat);
  const { dKeys, dHbar } = attentionKeysBackward(att.shape, dScores, att.weights, q, dCat);
  const wa = p['attention.weight'];
  for (let r = 0; r < S * B; r++) {
    for (let o = 0; o < H; o++) {
      const dk = dKeys[r * H + o];
      for (let i = 0; i < H; i++) {
        g['attention.weight'][o * H + i] += dk * hbar[r * H + i];
        dHbar[r * H + i] += dk * wa[o * H + i];
      }
    }
  }
  const zeros = Array.from({ length: L }, () => new Float64Array(B * H));
  const dec = moduleBackward(p, g, d, B, { m: 'decoder', caches: fwd.cache.dec, steps: T, above: perStep(dq, T), dh0: zeros, dc0: zeros, table: 'tgt_embedding.weight', ids: tokens.decIn, drop });
  moduleBackward(p, g, d, B, { m: 'encoder', caches: fwd.cache.enc, steps: S, above: perStep(dHbar, S), dh0: dec.dhInit, dc0: dec.dcInit, table: 'src_embedding.weight', ids: srcIds, drop });
  return g;
}

/**
 * Greedy decoding: `steps` decoder steps fed EOS then their own argmax (lowest index on ties),
 * attending at every step. Returns tokens (steps, B) and weights (steps, B, S), time-major.
 */
export function attnGreedyDecode(p: Tensors, d: LstmDims, src: ArrayLike<number>, srcLengths: ArrayLike<number>, steps: number, reverse: boolean): { tokens: Int32Array; weights: Float64Array } {
  const B = srcLengths.length;
  const S = src.length / B;
  const { enc } = encode(p, d, src, srcLengths, B, S, reverse);
  const hbar = stack(enc.top);
  const keys = linear(hbar, p['attention.weight'], S * B, d.H, d.H);
  const h: Float64Array[] = enc.h.map((a) => Float64Array.from(a));
  const c: Float64Array[] = enc.c.map((a) => Float64Array.from(a));
  const tokens = new Int32Array(steps * B);
  const weights = new Float64Array(steps * B * S);
  let prev = new Int32Array(B).fill(d.V - 1);
  for (let t = 0; t < steps; t++) {
    let x: Float64Array = embed(p['tgt_embedding.weight'], prev, 0, B, d.E);
    for (let k = 0; k < d.L; k++) {
      const r = lstmStepForward(x, h[k], c[k], layerWeights(p, 'decoder', k), B, k === 0 ? d.E : d.H, d.H);
      [h[k], c[k], x] = [r.h, r.c, r.h];
    }
    const att = attendForward(p, { R: B, S, B, H: d.H, group: 1 }, x, hbar, keys, srcLengths);
    weights.set(att.weights, t * B * S);
    const logits = outputLayer(p, att.hTilde, B, d.H, d.V);
    prev = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      let best = 0;
      for (let v = 1; v < d.V; v++) if (logits[b * d.V + v] > logits[b * d.V + best]) best = v;
      prev[b] = best;
      tokens[t * B + b] = best;
    }
  }
  return { tokens, weights };
}

/**
 * The float64 attn model's log p(· | prefix) for one source sequence (teacher forcing through
 * attnModelForward), for the reference beam search (reference/beam.ts). Memoised per prefix.
 */
export function attnStepLogProbs(p: Tensors, d: LstmDims, input: number[], reverse: boolean, maxSteps: number): (prefix: number[]) => Float64Array {
  const src = Int32Array.from(input);
  return teacherForcedLogProbs('attnStepLogProbs', d.V, maxSteps, (decIn) => attnModelForward(p, d, { src, srcLengths: [input.length], tgt: new Int32Array(maxSteps), decIn }, reverse).logits);
}
