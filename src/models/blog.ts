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
// decodeStep: the same encoder, L decoder.hh steps, hv over all L·B rows, argmax
//   = 9 + 4·S + 3·L dispatches.
import type { Config } from '../config/config.ts';
import { decodeLength } from '../config/config.ts';
import { ArenaLayout, slice, view, type View } from '../gpu/buffers.ts';
import type { Gpu } from '../gpu/context.ts';
import { Program, type Dispatch } from '../gpu/program.ts';
import { activationBackward } from '../ops/activation.ts';
import { argmax, crossEntropy } from '../ops/cross_entropy.ts';
import { embeddingBackward, embeddingBackwardScratch, embeddingForward } from '../ops/embedding.ts';
import { copy } from '../ops/fill.ts';
import { matmul } from '../ops/matmul.ts';
import { recurrentBackward, recurrentForward } from '../ops/recurrent.ts';
import { columnSum } from '../ops/reduce.ts';
import { blogParamShapes } from '../reference/blog_model.ts';
import type { Batch } from '../task/batch.ts';
import { initialArena } from './init.ts';
import type { GpuModel } from './model.ts';
import { createFactorisedBeam } from './beam.ts';

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

/** One Linear layer of an MLP: `${mlp}.${index}`, in → out. */
interface LinearLayer {
  name: string;
  I: number;
  O: number;
}

export function createBlogModel(gpu: Gpu, config: Config): GpuModel {
  const V = config.vocab_size;
  const E = config.embedding_size;
  const H = config.hidden_size;
  const B = config.batch_size;
  const S = config.max_length;
  const d: Dims = { V, E, H, H2: Math.floor(H / 2), B, S, T: S + 1, L: decodeLength(config) };
  if (d.H2 < 1) throw new RangeError(`The blog model needs hidden_size >= 2 (its MLPs have a hidden_size/2 layer), got ${H}.`);
  for (const [k, v] of [['vocab_size', V], ['embedding_size', E], ['batch_size', B], ['max_length', S]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`The blog model needs a positive integer ${k}, got ${v}.`);
  }
  const { H2, T, L } = d;

  const layout = blogLayout(config);
  const owned: GPUBuffer[] = [];
  const buf = (label: string, elements: number): GPUBuffer => {
    const b = gpu.createBuffer(`blog.${label}`, elements);
    owned.push(b);
    return b;
  };
  /** A fresh buffer seen as one view of `elements`. */
  const tensor = (label: string, elements: number): View => view(buf(label, elements));

  const params = buf('params', layout.size);
  const grads = buf('grads', layout.size);
  gpu.upload(params, initialArena(layout, config));
  const P = (name: string) => layout.viewOf(params, name);
  const G = (name: string) => layout.viewOf(grads, name);

  // Tokens: src (S, B), srcLengths (B), tgt (T, B); read-only everywhere, so one buffer.
  const tokens = buf('tokens', S * B + B + T * B);
  const src = view(tokens, 0, S * B);
  const srcLengths = view(tokens, S * B, B);
  const tgt = view(tokens, S * B + B, T * B);

  const layer = (mlp: string, index: 0 | 2 | 4): LinearLayer => {
    const shape = layout.get(`${mlp}.${index}.weight`).shape;
    return { name: `${mlp}.${index}`, I: shape[1], O: shape[0] };
  };
  /** out (R, O) = act(x (R, I) · Wᵀ + b). */
  const linearForward = (l: LinearLayer, x: View, out: View, R: number, relu: boolean, tag = ''): Dispatch =>
    matmul(gpu, { a: x, b: P(`${l.name}.weight`), bias: P(`${l.name}.bias`), c: out, M: R, N: l.O, K: l.I, transB: true, activation: relu ? 'relu' : 'none', label: `${l.name}.forward${tag}` });
  /** dx (R, I) (+)= dz (R, O) · W. */
  const linearInputGrad = (l: LinearLayer, dz: View, dx: View, R: number, accumulate: boolean, tag = ''): Dispatch =>
    matmul(gpu, { a: dz, b: P(`${l.name}.weight`), c: dx, M: R, N: l.I, K: l.O, accumulate, label: `${l.name}.dx${tag}` });
  /** dW (O, I) = dzᵀ · x and db (O) = Σ_rows dz, over all R rows at once. */
  const linearParamGrads = (l: LinearLayer, dz: View, x: View, R: number): Dispatch[] => [
    matmul(gpu, { a: dz, b: x, c: G(`${l.name}.weight`), M: l.O, N: l.I, K: R, transA: true, label: `${l.name}.dW` }),
    columnSum(gpu, { dy: dz, db: G(`${l.name}.bias`), rows: R, cols: l.O, label: `${l.name}.db` }),
  ];
  const reluBackward = (y: View, dy: View, label: string): Dispatch => activationBackward(gpu, { act: 'relu', y, dy, label });
  const step = (v: View, t: number, width: number): View => slice(v, t * B * width, B * width);

  const xh = [layer('encoder.xh', 0), layer('encoder.xh', 2), layer('encoder.xh', 4)];
  const ehh = [layer('encoder.hh', 0), layer('encoder.hh', 2), layer('encoder.hh', 4)];
  const dhh = [layer('decoder.hh', 0), layer('decoder.hh', 2), layer('decoder.hh', 4)];
  const hv = [layer('decoder.hv', 0), layer('decoder.hv', 2), layer('decoder.hv', 4)];

  // ---------------------------------------------------------------- encoder forward
  const emb = tensor('emb', S * B * E); // (S·B, E)
  const xa1 = tensor('xh.a1', S * B * 2 * H); // (S·B, 2H)
  const xa2 = tensor('xh.a2', S * B * H2); // (S·B, H2)
  const xo = tensor('xh.out', S * B * H); // (S·B, H)
  const hs = tensor('enc.h', (S + 1) * B * H); // (S+1, B, H); h_0 stays zero (never written)
  const ea1 = tensor('enc.hh.a1', S * B * 2 * H); // (S, B, 2H)
  const ea2 = tensor('enc.hh.a2', S * B * H2); // (S, B, H2)
  const eg = tensor('enc.hh.out', B * H); // (B, H) hh(h_t) of the current step
  const encoder = new Program('blog.encoder');
  encoder.add(
    embeddingForward(gpu, { weight: P('embedding.weight'), ids: src, out: emb, vocab: V, dim: E, label: 'embedding.forward' }),
    linearForward(xh[0], emb, xa1, S * B, true),
    linearForward(xh[1], xa1, xa2, S * B, true),
    linearForward(xh[2], xa2, xo, S * B, false),
  );
  for (let t = 0; t < S; t++) {
    const tag = `[t=${t}]`;
    encoder.add(
      linearForward(ehh[0], step(hs, t, H), step(ea1, t, 2 * H), B, true, tag),
      linearForward(ehh[1], step(ea1, t, 2 * H), step(ea2, t, H2), B, true, tag),
      linearForward(ehh[2], step(ea2, t, H2), eg, B, false, tag),
      recurrentForward(gpu, { x: step(xo, t, H), g: eg, hPrev: step(hs, t, H), hOut: step(hs, t + 1, H), lengths: srcLengths, t, B, H, label: `encoder.update${tag}` }),
    );
  }
  const hEnc = step(hs, S, H);

  /** decoder.hh for `steps` steps from h_S: state (steps+1, B, H), a1 (steps, B, 2H), a2 (steps, B, H2). */
  const decoderForward = (steps: number, state: View, a1: View, a2: View, prefix: string): Dispatch[] => {
    const out: Dispatch[] = [copy(gpu, hEnc, step(state, 0, H), `${prefix}.h0`)];
    for (let t = 0; t < steps; t++) {
      const tag = `${prefix}[t=${t}]`;
      out.push(
        linearForward(dhh[0], step(state, t, H), step(a1, t, 2 * H), B, true, tag),
        linearForward(dhh[1], step(a1, t, 2 * H), step(a2, t, H2), B, true, tag),
        linearForward(dhh[2], step(a2, t, H2), step(state, t + 1, H), B, true, tag),
      );
    }
    return out;
  };
  /** hv over R rows of states: a1 (R, 2H), a2 (R, H2), logits (R, V). */
  const hvForward = (states: View, a1: View, a2: View, logits: View, R: number, tag: string): Dispatch[] => [
    linearForward(hv[0], states, a1, R, true, tag),
    linearForward(hv[1], a1, a2, R, true, tag),
    linearForward(hv[2], a2, logits, R, false, tag),
  ];

  // ---------------------------------------------------------------- training step
  const ds = tensor('dec.h', (T + 1) * B * H); // (T+1, B, H): h_S, then d_1..d_T
  const da1 = tensor('dec.hh.a1', T * B * 2 * H); // (T, B, 2H)
  const da2 = tensor('dec.hh.a2', T * B * H2); // (T, B, H2)
  const states = slice(ds, B * H, T * B * H); // (T·B, H) d_1..d_T
  const inputs = slice(ds, 0, T * B * H); // (T·B, H) the input of each decoder step
  const va1 = tensor('hv.a1', T * B * 2 * H); // (T·B, 2H)
  const va2 = tensor('hv.a2', T * B * H2); // (T·B, H2)
  const logits = tensor('logits', T * B * V); // (T·B, V)
  const dlogits = tensor('dlogits', T * B * V); // (T·B, V)
  const loss = tensor('loss', 1); // (1)
  const ceScratch = tensor('ce.scratch', T * B + 1);

  const trainStep = new Program('blog.trainStep');
  trainStep.add(encoder, decoderForward(T, ds, da1, da2, 'train'), hvForward(states, va1, va2, logits, T * B, ''));
  trainStep.add(crossEntropy(gpu, { logits, targets: tgt, dLogits: dlogits, loss, rows: T * B, vocab: V, scratch: ceScratch }));

  // hv backward over all T·B rows.
  const dva2 = tensor('hv.da2', T * B * H2);
  const dva1 = tensor('hv.da1', T * B * 2 * H);
  const dds = tensor('dec.dh', T * B * H); // (T, B, H) gradient of d_1..d_T
  trainStep.add(
    linearParamGrads(hv[2], dlogits, va2, T * B),
    linearInputGrad(hv[2], dlogits, dva2, T * B, false),
    reluBackward(va2, dva2, 'hv.a2.relu_backward'),
    linearParamGrads(hv[1], dva2, va1, T * B),
    linearInputGrad(hv[1], dva2, dva1, T * B, false),
    reluBackward(va1, dva1, 'hv.a1.relu_backward'),
    linearParamGrads(hv[0], dva1, states, T * B),
    linearInputGrad(hv[0], dva1, dds, T * B, false),
  );

  // decoder.hh backward, last step first; step t's input gradient goes to d_t (or h_S).
  const dz3 = tensor('dec.hh.dz3', T * B * H); // (T, B, H)
  const dz2 = tensor('dec.hh.dz2', T * B * H2); // (T, B, H2)
  const dz1 = tensor('dec.hh.dz1', T * B * 2 * H); // (T, B, 2H)
  const dh = tensor('enc.dh', B * H); // (B, H) gradient of the encoder state, updated in place
  for (let t = T - 1; t >= 0; t--) {
    const tag = `[t=${t}]`;
    trainStep.add(
      activationBackward(gpu, { act: 'relu', y: step(ds, t + 1, H), dy: step(dds, t, H), dx: step(dz3, t, H), label: `decoder.hh.out.relu_backward${tag}` }),
      linearInputGrad(dhh[2], step(dz3, t, H), step(dz2, t, H2), B, false, tag),
      reluBackward(step(da2, t, H2), step(dz2, t, H2), `decoder.hh.a2.relu_backward${tag}`),
      linearInputGrad(dhh[1], step(dz2, t, H2), step(dz1, t, 2 * H), B, false, tag),
      reluBackward(step(da1, t, 2 * H), step(dz1, t, 2 * H), `decoder.hh.a1.relu_backward${tag}`),
      t > 0 ? linearInputGrad(dhh[0], step(dz1, t, 2 * H), step(dds, t - 1, H), B, true, tag) : linearInputGrad(dhh[0], step(dz1, t, 2 * H), dh, B, false, tag),
    );
  }
  trainStep.add(linearParamGrads(dhh[2], dz3, da2, T * B), linearParamGrads(dhh[1], dz2, da1, T * B), linearParamGrads(dhh[0], dz1, inputs, T * B));

  // Encoder backward, last step first: the masked update, then hh back to h_t.
  const dpre = tensor('enc.dpre', S * B * H); // (S, B, H) gradient of xh(e_t) + hh(h_t)
  const ez2 = tensor('enc.hh.dz2', S * B * H2); // (S, B, H2)
  const ez1 = tensor('enc.hh.dz1', S * B * 2 * H); // (S, B, 2H)
  for (let t = S - 1; t >= 0; t--) {
    const tag = `[t=${t}]`;
    trainStep.add(
      recurrentBackward(gpu, { h: step(hs, t + 1, H), dh, dcarry: dh, dpre: step(dpre, t, H), lengths: srcLengths, t, B, H, label: `encoder.update_backward${tag}` }),
      linearInputGrad(ehh[2], step(dpre, t, H), step(ez2, t, H2), B, false, tag),
      reluBackward(step(ea2, t, H2), step(ez2, t, H2), `encoder.hh.a2.relu_backward${tag}`),
      linearInputGrad(ehh[1], step(ez2, t, H2), step(ez1, t, 2 * H), B, false, tag),
      reluBackward(step(ea1, t, 2 * H), step(ez1, t, 2 * H), `encoder.hh.a1.relu_backward${tag}`),
    );
    // h_0 is the constant zero: no gradient needed below step 0.
    if (t > 0) trainStep.add(linearInputGrad(ehh[0], step(ez1, t, 2 * H), dh, B, true, tag));
  }
  trainStep.add(linearParamGrads(ehh[2], dpre, ea2, S * B), linearParamGrads(ehh[1], ez2, ea1, S * B), linearParamGrads(ehh[0], ez1, slice(hs, 0, S * B * H), S * B));

  // xh backward over all S·B rows (its output gradient is dpre), then the embedding.
  const dxa2 = tensor('xh.da2', S * B * H2);
  const dxa1 = tensor('xh.da1', S * B * 2 * H);
  const demb = tensor('demb', S * B * E);
  const embScratch = tensor('embedding.scratch', embeddingBackwardScratch(V, S * B));
  trainStep.add(
    linearParamGrads(xh[2], dpre, xa2, S * B),
    linearInputGrad(xh[2], dpre, dxa2, S * B, false),
    reluBackward(xa2, dxa2, 'xh.a2.relu_backward'),
    linearParamGrads(xh[1], dxa2, xa1, S * B),
    linearInputGrad(xh[1], dxa2, dxa1, S * B, false),
    reluBackward(xa1, dxa1, 'xh.a1.relu_backward'),
    linearParamGrads(xh[0], dxa1, emb, S * B),
    linearInputGrad(xh[0], dxa1, demb, S * B, false),
    embeddingBackward(gpu, { dOut: demb, ids: src, dWeight: G('embedding.weight'), vocab: V, dim: E, scratch: embScratch, label: 'embedding.backward' }),
  );

  // ---------------------------------------------------------------- greedy decoding
  const qs = tensor('decode.h', (L + 1) * B * H); // (L+1, B, H)
  const qa1 = tensor('decode.hh.a1', L * B * 2 * H);
  const qa2 = tensor('decode.hh.a2', L * B * H2);
  const qv1 = tensor('decode.hv.a1', L * B * 2 * H);
  const qv2 = tensor('decode.hv.a2', L * B * H2);
  const qlogits = tensor('decode.logits', L * B * V); // (L·B, V)
  const decoded = tensor('decoded', L * B); // (L, B) i32
  const decodeStep = new Program('blog.decodeStep');
  decodeStep.add(
    encoder,
    decoderForward(L, qs, qa1, qa2, 'decode'),
    hvForward(slice(qs, B * H, L * B * H), qv1, qv2, qlogits, L * B, '.decode'),
    argmax(gpu, { x: qlogits, out: decoded, rows: L * B, cols: V, label: 'decode.argmax' }),
  );

  return {
    name: 'blog',
    config,
    layout,
    params,
    grads,
    trainStep,
    loss,
    decodeStep,
    decoded,
    // The decoder never reads its outputs: beam search over the decodeStep's logits (models/beam.ts).
    createBeam: (K: number) => createFactorisedBeam(gpu, { B, D: L, V, logitsProgram: decodeStep, logits: qlogits, label: 'blog' }, K),
    setBatch(batch: Batch) {
      if (batch.B !== B || batch.S !== S || batch.T !== T) {
        throw new RangeError(`The blog model was recorded for batches of B=${B}, S=${S}, T=${T}; got B=${batch.B}, S=${batch.S}, T=${batch.T}.`);
      }
      gpu.upload(src, batch.src);
      gpu.upload(srcLengths, batch.srcLengths);
      gpu.upload(tgt, batch.tgt);
    },
    destroy() {
      for (const b of owned) gpu.destroyBuffer(b);
      owned.length = 0;
    },
  };
}
