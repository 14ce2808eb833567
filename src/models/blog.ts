// The `blog` model (docs/contract.md §3, the seed's MLP-RNN: classes Seq_1 and Seq_2) recorded on the
// GPU once and replayed every step. Float64 reference: src/reference/blog_model.ts.
//
// Letters: B batch, S source length (max_length), T = S + 1 target steps, L decode steps,
// E embedding, H hidden, H2 = ⌊H/2⌋, V vocabulary. Every activation is time-major.
//
// The source is fed in order (the seed does not reverse it; `reverse_source` is an LSTM key).
//
// trainStep (dispatch counts in brackets), one command buffer:
//   forward   embedding [1]; xh over all S·B rows [3]; per source step: hh [3] + masked
//             tanh update [1]; h_S → decoder state 0 [1]; per target step: decoder.hh [3];
//             hv over all T·B rows [3]; cross-entropy [3]
//   backward  hv over all T·B rows [11]; per target step: 3 ReLU backward + 3 matmuls [6];
//             decoder.hh weight and bias gradients over all T·B rows at once [6]; per source
//             step: update backward + 2 matmuls + 2 ReLU backward [5] and the h_{t-1}
//             gradient [1, not at t = 0]; encoder.hh gradients over all S·B rows [6]; xh [11];
//             embedding backward [4]
//   = 48 + 10·S + 9·T dispatches (437 at S = 20). Every gradient is overwritten each step.
//   With dropout (specs/blog.ts BLOG_DROPOUT_SITES), 6 more in the forward and 6 in the
//   backward: one per site and direction over all its rows, so none per time step. With
//   dropout 0 the step is recorded exactly as without the setting.
// decodeStep: the same encoder, L decoder.hh steps, hv over all L·B rows, argmax
//   = 9 + 4·S + 3·L dispatches, never dropping (with dropout the encoder is recorded twice).
import type { Config } from '../config/config.ts';
import { decodeLength } from '../config/config.ts';
import { ArenaLayout, slice, view, type View } from '../gpu/buffers.ts';
import type { Gpu } from '../gpu/context.ts';
import { Program, type Dispatch } from '../gpu/program.ts';
import { activationBackward } from '../ops/activation.ts';
import { argmax, crossEntropy } from '../ops/cross_entropy.ts';
import { dropout } from '../ops/dropout.ts';
import { embeddingBackward, embeddingBackwardScratch, embeddingForward } from '../ops/embedding.ts';
import { copy } from '../ops/fill.ts';
import { recurrentBackward, recurrentForward } from '../ops/recurrent.ts';
import { blogParamShapes } from '../reference/blog_model.ts';
import { blogDropoutId, type BlogDropoutSite } from '../specs/blog.ts';
import type { Batch } from '../task/batch.ts';
import type { GpuModel } from './model.ts';
import { createFactorisedBeam } from './beam.ts';
import { createOwnedArena } from './layers/arena.ts';
import { linearForward, linearInputGrad, linearParamGrads, mlpBackward, mlpOf, reluBackward, type Linear } from './layers/linear.ts';
import type { Arena } from './layers/lstm_stack.ts';

/** The named tensors of docs/contract.md §3 in one arena (PyTorch state_dict names, weights [out, in]). */
export function blogLayout(config: Pick<Config, 'vocab_size' | 'embedding_size' | 'hidden_size'>): ArenaLayout {
  const layout = new ArenaLayout();
  for (const [name, shape] of blogParamShapes({ V: config.vocab_size, E: config.embedding_size, H: config.hidden_size })) layout.add(name, shape);
  return layout;
}

interface Dims {
  V: number;
  E: number;
  H: number;
  H2: number;
  B: number;
  S: number;
  T: number;
  L: number;
}

/** What every part of the recording reads: sizes, parameters, tokens and the four MLPs. */
interface Blog {
  gpu: Gpu;
  d: Dims;
  arena: Arena;
  /** A fresh buffer the model owns, seen as one view of `elements`. */
  tensor: (label: string, elements: number) => View;
  /** src (S, B), srcLengths (B), tgt (T, B) i32. */
  src: View;
  srcLengths: View;
  tgt: View;
  /** Label smoothing ε of the loss (config label_smoothing). */
  smoothing: number;
  /** The training step's dropout key, when config.dropout > 0. */
  drop?: BlogDropout;
  xh: Mlp;
  ehh: Mlp;
  dhh: Mlp;
  hv: Mlp;
}

type Mlp = [Linear, Linear, Linear];

interface BlogDropout {
  p: number;
  seed: number;
  /** (1) u32 the training step, written by setStep. */
  step: View;
}

/** The encoder's activations, kept for the backward pass. */
interface EncoderState {
  emb: View; // (S·B, E)
  xa1: View; // (S·B, 2H)
  xa2: View; // (S·B, H2)
  /** (S·B, H) xh(e_t) for every step. */
  xo: View;
  /** (S+1, B, H); h_0 stays zero (never written). */
  hs: View;
  ea1: View; // (S, B, 2H)
  ea2: View; // (S, B, H2)
  /** The encoder as decoding records it, never dropping. */
  program: Program;
  /** The encoder as the training step records it: `program` itself without dropout. */
  trainProgram: Program;
}

/** The decoder's training activations: states (T+1, B, H) h_S then d_1..d_T, a1 (T, B, 2H), a2 (T, B, H2). */
interface DecoderState {
  ds: View;
  da1: View;
  da2: View;
}

/** Rows [t·B, (t+1)·B) of a time-major (·, B, width) view. */
const step = (b: Blog, v: View, t: number, width: number): View => slice(v, t * b.d.B * width, b.d.B * width);

function blogDims(config: Config): Dims {
  const [V, E, H, B, S] = [config.vocab_size, config.embedding_size, config.hidden_size, config.batch_size, config.max_length];
  const d: Dims = { V, E, H, H2: Math.floor(H / 2), B, S, T: S + 1, L: decodeLength(config) };
  if (d.H2 < 1) throw new RangeError(`The blog model needs hidden_size >= 2 (its MLPs have a hidden_size/2 layer), got ${H}.`);
  for (const [k, v] of [['vocab_size', V], ['embedding_size', E], ['batch_size', B], ['max_length', S]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`The blog model needs a positive integer ${k}, got ${v}.`);
  }
  return d;
}

export function createBlogModel(gpu: Gpu, config: Config): GpuModel {
  const d = blogDims(config);
  const { B, S, T, L, V } = d;
  const owned = createOwnedArena(gpu, config, 'blog', blogLayout(config));
  const { arena, buf } = owned;
  // Tokens: src (S, B), srcLengths (B), tgt (T, B); read-only everywhere, so one buffer.
  const tokens = buf('tokens', S * B + B + T * B);
  const mlp = (name: string) => mlpOf(gpu, arena, name);
  const b: Blog = {
    gpu,
    d,
    arena,
    tensor: (label, elements) => view(buf(label, elements)),
    src: view(tokens, 0, S * B),
    srcLengths: view(tokens, S * B, B),
    tgt: view(tokens, S * B + B, T * B),
    smoothing: config.label_smoothing,
    drop: config.dropout > 0 ? { p: config.dropout, seed: config.seed, step: view(buf('dropout.step', 1)) } : undefined,
    xh: mlp('encoder.xh'),
    ehh: mlp('encoder.hh'),
    dhh: mlp('decoder.hh'),
    hv: mlp('decoder.hv'),
  };
  const enc = encoderForward(b);
  const { trainStep, loss } = recordTrainStep(b, enc);
  const { decodeStep, decoded, logits } = recordDecodeStep(b, enc);
  return {
    name: 'blog',
    config,
    layout: arena.layout,
    params: arena.params,
    grads: arena.grads,
    trainStep,
    loss,
    decodeStep,
    decoded,
    // The dropout masks' step; without dropout nothing reads it.
    setStep: b.drop ? (n: number) => gpu.upload(b.drop!.step, Uint32Array.of(n)) : undefined,
    // The decoder never reads its outputs: beam search over the decodeStep's logits (models/beam.ts).
    createBeam: (K: number) => createFactorisedBeam(gpu, { B, D: L, V, logitsProgram: decodeStep, logits, label: 'blog' }, K),
    setBatch(batch: Batch) {
      if (batch.B !== B || batch.S !== S || batch.T !== T) {
        throw new RangeError(`The blog model was recorded for batches of B=${B}, S=${S}, T=${T}; got B=${batch.B}, S=${batch.S}, T=${batch.T}.`);
      }
      gpu.upload(b.src, batch.src);
      gpu.upload(b.srcLengths, batch.srcLengths);
      gpu.upload(b.tgt, batch.tgt);
    },
    destroy: owned.destroy,
  };
}

/** y = drop(x) at `site` (in place when y is omitted), or the same map back on a gradient; nothing without dropout. */
function dropSite(b: Blog, site: BlogDropoutSite, x: View, y?: View, label: string = site): Dispatch[] {
  if (!b.drop) return [];
  return [dropout(b.gpu, { p: b.drop.p, seed: b.drop.seed, step: b.drop.step, tensor: blogDropoutId(site), x, y, label })];
}

/** The forward's in-place drops: at their sites in training, none when decoding. */
const forwardDrops = (b: Blog, training: boolean) => (site: BlogDropoutSite, x: View) => (training ? dropSite(b, site, x) : []);

/** A gradient taken back through `site` in place (the forward's mask again). */
const dropBack = (b: Blog, site: BlogDropoutSite, dx: View) => dropSite(b, site, dx, undefined, `${site}.backward`);

type EncoderActs = Omit<EncoderState, 'program' | 'trainProgram'>;

/** The encoder's buffers, recorded for decoding and, apart when it drops, for training. */
function encoderForward(b: Blog): EncoderState {
  const { tensor } = b;
  const { E, H, H2, B, S } = b.d;
  const e: EncoderActs = {
    emb: tensor('emb', S * B * E),
    xa1: tensor('xh.a1', S * B * 2 * H),
    xa2: tensor('xh.a2', S * B * H2),
    xo: tensor('xh.out', S * B * H),
    hs: tensor('enc.h', (S + 1) * B * H),
    ea1: tensor('enc.hh.a1', S * B * 2 * H),
    ea2: tensor('enc.hh.a2', S * B * H2),
  };
  const eg = tensor('enc.hh.out', B * H); // (B, H) hh(h_t) of the current step
  const program = new Program('blog.encoder').add(encoderDispatches(b, e, eg, false));
  const trainProgram = b.drop ? new Program('blog.encoder.train').add(encoderDispatches(b, e, eg, true)) : program;
  return { ...e, program, trainProgram };
}

/** Embedding and xh over all S·B rows (dropping at their sites in training), then per source step hh and the masked tanh update. */
function encoderDispatches(b: Blog, e: EncoderActs, eg: View, training: boolean): Dispatch[] {
  const { V, E, H, H2, B, S } = b.d;
  const drop = forwardDrops(b, training);
  const embedding = b.arena.layout.viewOf(b.arena.params, 'embedding.weight');
  const out: Dispatch[] = [
    embeddingForward(b.gpu, { weight: embedding, ids: b.src, out: e.emb, vocab: V, dim: E, label: 'embedding.forward' }),
    ...drop('embedding.dropout', e.emb),
    linearForward(b.xh[0], e.emb, e.xa1, S * B, true),
    ...drop('encoder.xh.dropout1', e.xa1),
    linearForward(b.xh[1], e.xa1, e.xa2, S * B, true),
    ...drop('encoder.xh.dropout2', e.xa2),
    linearForward(b.xh[2], e.xa2, e.xo, S * B, false),
  ];
  for (let t = 0; t < S; t++) {
    const tag = `[t=${t}]`;
    out.push(
      linearForward(b.ehh[0], step(b, e.hs, t, H), step(b, e.ea1, t, 2 * H), B, true, tag),
      linearForward(b.ehh[1], step(b, e.ea1, t, 2 * H), step(b, e.ea2, t, H2), B, true, tag),
      linearForward(b.ehh[2], step(b, e.ea2, t, H2), eg, B, false, tag),
      recurrentForward(b.gpu, { x: step(b, e.xo, t, H), g: eg, hPrev: step(b, e.hs, t, H), hOut: step(b, e.hs, t + 1, H), lengths: b.srcLengths, t, B, H, label: `encoder.update${tag}` }),
    );
  }
  return out;
}

/** decoder.hh for `steps` steps from h_S: state (steps+1, B, H), a1 (steps, B, 2H), a2 (steps, B, H2). */
function decoderForward(b: Blog, enc: EncoderState, steps: number, dec: DecoderState, prefix: string): Dispatch[] {
  const { H, H2, B, S } = b.d;
  const out: Dispatch[] = [copy(b.gpu, step(b, enc.hs, S, H), step(b, dec.ds, 0, H), `${prefix}.h0`)];
  for (let t = 0; t < steps; t++) {
    const tag = `${prefix}[t=${t}]`;
    out.push(
      linearForward(b.dhh[0], step(b, dec.ds, t, H), step(b, dec.da1, t, 2 * H), B, true, tag),
      linearForward(b.dhh[1], step(b, dec.da1, t, 2 * H), step(b, dec.da2, t, H2), B, true, tag),
      linearForward(b.dhh[2], step(b, dec.da2, t, H2), step(b, dec.ds, t + 1, H), B, true, tag),
    );
  }
  return out;
}

/** hv over R rows of states: a1 (R, 2H), a2 (R, H2), logits (R, V); in training a1 and a2 dropped in place. */
function hvForward(b: Blog, states: View, a1: View, a2: View, logits: View, R: number, tag: string, training: boolean): Dispatch[] {
  const drop = forwardDrops(b, training);
  return [
    linearForward(b.hv[0], states, a1, R, true, tag),
    ...drop('decoder.hv.dropout1', a1),
    linearForward(b.hv[1], a1, a2, R, true, tag),
    ...drop('decoder.hv.dropout2', a2),
    linearForward(b.hv[2], a2, logits, R, false, tag),
  ];
}

/** Forward over every step (teacher forcing has no inputs: the decoder reads only its state), loss, backward. */
function recordTrainStep(b: Blog, enc: EncoderState): { trainStep: Program; loss: View } {
  const { gpu, tensor } = b;
  const { V, H, H2, B, T } = b.d;
  const dec: DecoderState = { ds: tensor('dec.h', (T + 1) * B * H), da1: tensor('dec.hh.a1', T * B * 2 * H), da2: tensor('dec.hh.a2', T * B * H2) };
  const states = slice(dec.ds, B * H, T * B * H); // (T·B, H) d_1..d_T
  const va1 = tensor('hv.a1', T * B * 2 * H); // (T·B, 2H)
  const va2 = tensor('hv.a2', T * B * H2); // (T·B, H2)
  const logits = tensor('logits', T * B * V); // (T·B, V)
  const dlogits = tensor('dlogits', T * B * V); // (T·B, V)
  const loss = tensor('loss', 1); // (1)
  const ceScratch = tensor('ce.scratch', T * B + 1);
  // With dropout hv reads the states dropped into a buffer of their own: the recurrence goes on from them whole.
  const hvIn = b.drop ? tensor('dropout.states', T * B * H) : states; // (T·B, H)
  const trainStep = new Program('blog.trainStep');
  trainStep.add(enc.trainProgram, decoderForward(b, enc, T, dec, 'train'), dropSite(b, 'decoder.dropout', states, hvIn), hvForward(b, hvIn, va1, va2, logits, T * B, '', true));
  trainStep.add(crossEntropy(gpu, { logits, targets: b.tgt, dLogits: dlogits, loss, rows: T * B, vocab: V, smoothing: b.smoothing, scratch: ceScratch }));
  // hv backward over all T·B rows.
  const dds = tensor('dec.dh', T * B * H); // (T, B, H) gradient of d_1..d_T
  const [dva2, dva1] = [tensor('hv.da2', T * B * H2), tensor('hv.da1', T * B * 2 * H)];
  const hvBack = [dropBack(b, 'decoder.hv.dropout1', dva1), dropBack(b, 'decoder.hv.dropout2', dva2)] as const;
  trainStep.add(mlpBackward(b.hv, { dOut: dlogits, x: hvIn, a1: va1, a2: va2, da1: dva1, da2: dva2, dx: dds, R: T * B, prefix: 'hv', dropBack: hvBack }));
  trainStep.add(dropBack(b, 'decoder.dropout', dds));
  const dh = tensor('enc.dh', B * H); // (B, H) gradient of the encoder state, updated in place
  trainStep.add(decoderBackward(b, dec, dds, dh));
  trainStep.add(encoderBackward(b, enc, dh));
  return { trainStep, loss };
}

/** decoder.hh backward, last step first; step t's input gradient goes to d_t (or, at t = 0, to h_S: `dh`). */
function decoderBackward(b: Blog, dec: DecoderState, dds: View, dh: View): Dispatch[] {
  const { gpu, tensor, dhh } = b;
  const { H, H2, B, T } = b.d;
  const dz3 = tensor('dec.hh.dz3', T * B * H); // (T, B, H)
  const dz2 = tensor('dec.hh.dz2', T * B * H2); // (T, B, H2)
  const dz1 = tensor('dec.hh.dz1', T * B * 2 * H); // (T, B, 2H)
  const out: Dispatch[] = [];
  for (let t = T - 1; t >= 0; t--) {
    const tag = `[t=${t}]`;
    out.push(
      activationBackward(gpu, { act: 'relu', y: step(b, dec.ds, t + 1, H), dy: step(b, dds, t, H), dx: step(b, dz3, t, H), label: `decoder.hh.out.relu_backward${tag}` }),
      linearInputGrad(dhh[2], step(b, dz3, t, H), step(b, dz2, t, H2), B, false, tag),
      reluBackward(gpu, step(b, dec.da2, t, H2), step(b, dz2, t, H2), `decoder.hh.a2.relu_backward${tag}`),
      linearInputGrad(dhh[1], step(b, dz2, t, H2), step(b, dz1, t, 2 * H), B, false, tag),
      reluBackward(gpu, step(b, dec.da1, t, 2 * H), step(b, dz1, t, 2 * H), `decoder.hh.a1.relu_backward${tag}`),
      t > 0 ? linearInputGrad(dhh[0], step(b, dz1, t, 2 * H), step(b, dds, t - 1, H), B, true, tag) : linearInputGrad(dhh[0], step(b, dz1, t, 2 * H), dh, B, false, tag),
    );
  }
  const inputs = slice(dec.ds, 0, T * B * H); // (T·B, H) the input of each decoder step
  out.push(...linearParamGrads(dhh[2], dz3, dec.da2, T * B), ...linearParamGrads(dhh[1], dz2, dec.da1, T * B), ...linearParamGrads(dhh[0], dz1, inputs, T * B));
  return out;
}

/** Encoder backward, last step first (the masked update, then hh back to h_t), then xh and the embedding. */
function encoderBackward(b: Blog, enc: EncoderState, dh: View): Dispatch[] {
  const { gpu, tensor, ehh } = b;
  const { V, E, H, H2, B, S } = b.d;
  const dpre = tensor('enc.dpre', S * B * H); // (S, B, H) gradient of xh(e_t) + hh(h_t)
  const ez2 = tensor('enc.hh.dz2', S * B * H2); // (S, B, H2)
  const ez1 = tensor('enc.hh.dz1', S * B * 2 * H); // (S, B, 2H)
  const out: Dispatch[] = [];
  for (let t = S - 1; t >= 0; t--) {
    const tag = `[t=${t}]`;
    out.push(
      recurrentBackward(gpu, { h: step(b, enc.hs, t + 1, H), dh, dcarry: dh, dpre: step(b, dpre, t, H), lengths: b.srcLengths, t, B, H, label: `encoder.update_backward${tag}` }),
      linearInputGrad(ehh[2], step(b, dpre, t, H), step(b, ez2, t, H2), B, false, tag),
      reluBackward(gpu, step(b, enc.ea2, t, H2), step(b, ez2, t, H2), `encoder.hh.a2.relu_backward${tag}`),
      linearInputGrad(ehh[1], step(b, ez2, t, H2), step(b, ez1, t, 2 * H), B, false, tag),
      reluBackward(gpu, step(b, enc.ea1, t, 2 * H), step(b, ez1, t, 2 * H), `encoder.hh.a1.relu_backward${tag}`),
    );
    // h_0 is the constant zero: no gradient needed below step 0.
    if (t > 0) out.push(linearInputGrad(ehh[0], step(b, ez1, t, 2 * H), dh, B, true, tag));
  }
  out.push(...linearParamGrads(ehh[2], dpre, enc.ea2, S * B), ...linearParamGrads(ehh[1], ez2, enc.ea1, S * B), ...linearParamGrads(ehh[0], ez1, slice(enc.hs, 0, S * B * H), S * B));
  // xh backward over all S·B rows (its output gradient is dpre), then the embedding.
  const [dxa2, dxa1] = [tensor('xh.da2', S * B * H2), tensor('xh.da1', S * B * 2 * H)];
  const demb = tensor('demb', S * B * E);
  const embScratch = tensor('embedding.scratch', embeddingBackwardScratch(V, S * B));
  const xhBack = [dropBack(b, 'encoder.xh.dropout1', dxa1), dropBack(b, 'encoder.xh.dropout2', dxa2)] as const;
  out.push(...mlpBackward(b.xh, { dOut: dpre, x: enc.emb, a1: enc.xa1, a2: enc.xa2, da1: dxa1, da2: dxa2, dx: demb, R: S * B, prefix: 'xh', dropBack: xhBack }));
  out.push(...dropBack(b, 'embedding.dropout', demb));
  const dWeight = b.arena.layout.viewOf(b.arena.grads, 'embedding.weight');
  out.push(...embeddingBackward(gpu, { dOut: demb, ids: b.src, dWeight, vocab: V, dim: E, scratch: embScratch, label: 'embedding.backward' }));
  return out;
}

/** Greedy decoding: the same encoder, L decoder.hh steps, hv over all L·B rows, argmax. */
function recordDecodeStep(b: Blog, enc: EncoderState): { decodeStep: Program; decoded: View; logits: View } {
  const { gpu, tensor } = b;
  const { V, H, H2, B, L } = b.d;
  const dec: DecoderState = { ds: tensor('decode.h', (L + 1) * B * H), da1: tensor('decode.hh.a1', L * B * 2 * H), da2: tensor('decode.hh.a2', L * B * H2) };
  const qv1 = tensor('decode.hv.a1', L * B * 2 * H);
  const qv2 = tensor('decode.hv.a2', L * B * H2);
  const logits = tensor('decode.logits', L * B * V); // (L·B, V)
  const decoded = tensor('decoded', L * B); // (L, B) i32
  const decodeStep = new Program('blog.decodeStep');
  decodeStep.add(
    enc.program,
    decoderForward(b, enc, L, dec, 'decode'),
    hvForward(b, slice(dec.ds, B * H, L * B * H), qv1, qv2, logits, L * B, '.decode', false),
    argmax(gpu, { x: logits, out: decoded, rows: L * B, cols: V, label: 'decode.argmax' }),
  );
  return { decodeStep, decoded, logits };
}
