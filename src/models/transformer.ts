// The `transformer` model (Vaswani et al. 2017 as nn.Transformer(norm_first=True); docs/contract.md
// §3) recorded on the GPU for one batch shape: embeddings ·√d + sinusoidal positions, L pre-norm
// encoder and decoder layers (layers/transformer_blocks.ts), final norms, the output layer and
// loss (layers/output.ts). Float64 reference: src/reference/transformer_model.ts.
// Greedy decoding and beam search run the encoder once, then the decoder one position per step
// over cached keys and values (layers/transformer_decode.ts).
// Letters: B batch, S source length, T = S + 1, D decode steps, Tm = max(T, D), d width.
import type { Config } from '../config/config.ts';
import { decodeLength } from '../config/config.ts';
import { ArenaLayout, slice, view, type View } from '../gpu/buffers.ts';
import type { Gpu } from '../gpu/context.ts';
import { Program, type Dispatch } from '../gpu/program.ts';
import { beamResultLayout, checkBeamWidth } from '../ops/beam.ts';
import { embeddingBackward, embeddingBackwardScratch, embeddingForward } from '../ops/embedding.ts';
import { fill } from '../ops/fill.ts';
import { layerNormBackward, layerNormForward } from '../ops/layer_norm.ts';
import { positionsBackward, positionsForward } from '../ops/positions.ts';
import { reverseSequences } from '../ops/sequence.ts';
import { positionTable } from '../reference/positions.ts';
import { decLayer, encLayer, transformerParamShapes, type TransformerDims } from '../specs/transformer.ts';
import type { Batch } from '../task/batch.ts';
import type { GpuModel } from './model.ts';
import { createOwnedArena, type OwnedArena } from './layers/arena.ts';
import { createOutputLayer, outputBackward, outputForward, type OutputLayer } from './layers/output.ts';
import * as blocks from './layers/transformer_blocks.ts';
import type { BlockCtx, Memory, Pass, Sub } from './layers/transformer_blocks.ts';
import { recordCachedDecode, type DecodeSource } from './layers/transformer_decode.ts';
import type { BeamProgram } from './beam.ts';

export type TransformerGpuDims = TransformerDims & { B: number; S: number; T: number; D: number; Tm: number };

export interface TransformerGpuModel extends GpuModel {
  readonly name: 'transformer';
  readonly dims: TransformerGpuDims;
  uploadParams(data: Float32Array): void;
  readonly counts: { trainStep: number; decodeStep: number };
}

export function transformerDims(config: Config): TransformerGpuDims {
  const [V, d, heads, L, F, B, S] = [config.vocab_size, config.hidden_size, config.heads, config.layers, config.ff_size, config.batch_size, config.max_length];
  if (config.embedding_size !== d) throw new RangeError(`The transformer needs embedding_size (${config.embedding_size}) equal to hidden_size (${d}).`);
  if (d % heads !== 0) throw new RangeError(`The transformer needs heads (${heads}) to divide hidden_size (${d}).`);
  const T = S + 1;
  const D = decodeLength(config);
  return { V, d, heads, L, F, B, S, T, D, Tm: Math.max(T, D) };
}

export function transformerLayout(x: TransformerDims): ArenaLayout {
  const layout = new ArenaLayout();
  for (const [name, shape] of transformerParamShapes(x)) layout.add(name, shape);
  return layout;
}

/** One stream (encoder or decoder): its residual states X_0..X_n, sublayers, final norm and running gradient. */
interface Stream {
  X: View[]; // (Nm·B, d) each
  subs: Sub[];
  stats: View; // (Nm·B, 2) final norm
  out: View; // (Nm·B, d) final norm output
  dX: View; // (Nm·B, d)
  emb: string;
  norm: string;
}

interface Tf {
  gpu: Gpu;
  config: Config;
  x: TransformerGpuDims;
  owned: OwnedArena;
  c: BlockCtx;
  enc: Stream;
  dec: Stream;
  out: OutputLayer;
  /** Tokens (i32): src, encIds (reversed or not) (S, B); lengths, allT, eos (B); tgt, decIn (T, B); decoded (D, B). */
  tok: Record<'src' | 'encIds' | 'lengths' | 'allT' | 'tgt' | 'decIn' | 'eos' | 'decoded', View>;
  pe: View; // (Tm, d): training reads T rows, decoding D
  embScratch: View[]; // encoder, decoder
}

type Kind = 'self' | 'cross' | 'ff';
const KINDS: Record<'encoder' | 'decoder', Kind[]> = { encoder: ['self', 'ff'], decoder: ['self', 'cross', 'ff'] };
const SITES: Record<'encoder' | 'decoder', string[]> = { encoder: ['dropout1', 'dropout2'], decoder: ['dropout1', 'dropout2', 'dropout3'] };

/** The sublayers of one stream of Nm positions, each with the buffers its kind saves. */
function allocSubs(tf: Pick<Tf, 'x' | 'owned' | 'c'>, which: 'encoder' | 'decoder', Nm: number): Sub[] {
  const { d, F, B, heads, S, L } = tf.x;
  const R = Nm * B;
  const buf = (label: string, n: number) => view(tf.owned.buf(label, n));
  const subs: Sub[] = [];
  for (let i = 0; i < L; i++) {
    const layer = which === 'encoder' ? encLayer(i) : decLayer(i);
    KINDS[which].forEach((kind, j) => {
      const tag = `${which}${i}.${kind}`;
      const s: Sub = { layer, norm: `norm${j + 1}`, site: SITES[which][j], n: buf(`${tag}.n`, R * d), stats: buf(`${tag}.stats`, R * 2), branch: buf(`${tag}.branch`, R * d) };
      if (kind !== 'ff') {
        const M = kind === 'self' ? Nm : S;
        Object.assign(s, { proj: buf(`${tag}.proj`, R * (kind === 'self' ? 3 * d : d)), weights: buf(`${tag}.weights`, B * heads * Nm * M), att: buf(`${tag}.att`, R * d) });
        if (tf.c.p > 0) s.dropped = buf(`${tag}.dropped`, B * heads * Nm * M);
        if (kind === 'cross') s.kv = buf(`${tag}.kv`, S * B * 2 * d);
      } else {
        s.h = buf(`${tag}.h`, R * F);
        if (tf.c.p > 0) s.hDropped = buf(`${tag}.hDropped`, R * F);
      }
      subs.push(s);
    });
  }
  return subs;
}

function allocStream(tf: Pick<Tf, 'x' | 'owned' | 'c'>, which: 'encoder' | 'decoder', Nm: number): Stream {
  const { d, B } = tf.x;
  const subs = allocSubs(tf, which, Nm);
  const buf = (label: string, n: number) => view(tf.owned.buf(`${which}.${label}`, n));
  return {
    X: Array.from({ length: subs.length + 1 }, (_, k) => buf(`X${k}`, Nm * B * d)),
    subs,
    stats: buf('norm.stats', Nm * B * 2),
    out: buf('norm.out', Nm * B * d),
    dX: buf('dX', Nm * B * d),
    emb: which === 'encoder' ? 'src_embedding.weight' : 'tgt_embedding.weight',
    norm: `transformer.${which}.norm`,
  };
}

function createTf(gpu: Gpu, config: Config): Tf {
  const x = transformerDims(config);
  const { V, d, heads, F, B, S, T, D, Tm } = x;
  const owned = createOwnedArena(gpu, config, 'transformer', transformerLayout(x));
  const buf = (label: string, n: number) => view(owned.buf(label, n));
  // The backward's longest stream is the decoder's T = S + 1 positions (decoding has its own buffers).
  const scratch = { dBranch: buf('dBranch', T * B * d), dN: buf('dN', T * B * d), dAtt: buf('dAtt', T * B * d), dQKV: buf('dQKV', T * B * 3 * d), dKV: buf('dKV', S * B * 2 * d), dH: buf('dH', T * B * F), dScores: buf('dScores', B * heads * T * T) };
  const c: BlockCtx = { gpu, arena: owned.arena, d, heads, F, B, p: config.dropout, seed: config.seed, step: buf('step', 1), scratch };
  const src = buf('src', S * B);
  const tok = { src, encIds: config.reverse_source ? buf('srcReversed', S * B) : src, lengths: buf('srcLengths', B), allT: buf('allT', B), tgt: buf('tgt', T * B), decIn: buf('decIn', T * B), eos: buf('eos', B), decoded: buf('decoded', D * B) };
  gpu.upload(tok.eos, new Int32Array(B).fill(V - 1)); // the first decoding step's previous token
  gpu.upload(tok.allT, new Int32Array(B).fill(T)); // the decoder's keys are never padded
  const pe = buf('positions', Tm * d);
  gpu.upload(pe, Float32Array.from(positionTable(Tm, d)));
  const base = { x, owned, c };
  const out = createOutputLayer(gpu, owned.arena, T * B, d, V, owned.buf, config.label_smoothing);
  const embScratch = [S, T].map((n, i) => buf(`embScratch${i}`, embeddingBackwardScratch(V, n * B)));
  return { gpu, config, ...base, enc: allocStream(base, 'encoder', S), dec: allocStream(base, 'decoder', T), out, tok, pe, embScratch };
}

const P = (tf: Tf, name: string) => tf.owned.arena.layout.viewOf(tf.owned.arena.params, name);
const G = (tf: Tf, name: string) => tf.owned.arena.layout.viewOf(tf.owned.arena.grads, name);
const rows = (v: View, R: number, w: number) => slice(v, 0, R * w);

/** The encoder's memory as the decoder's cross-attention reads it. */
const memoryOf = (tf: Tf, dMemory: View): Memory => ({ S: tf.x.S, x: rows(tf.enc.out, tf.x.S * tf.x.B, tf.x.d), lengths: tf.tok.lengths, dx: dMemory });

/** Sublayer j of a stream over N positions: X_j -> X_{j+1}. */
function subForward(tf: Tf, st: Stream, j: number, pass: Pass, causal: boolean, dMemory: View): Dispatch[] {
  const s = st.subs[j];
  const R = pass.N * tf.x.B;
  const [x, out] = [rows(st.X[j], R, tf.x.d), rows(st.X[j + 1], R, tf.x.d)];
  if (s.h) return blocks.feedForwardForward(tf.c, s, x, out, pass);
  if (s.kv) return blocks.crossAttentionForward(tf.c, s, x, out, pass, memoryOf(tf, dMemory));
  return blocks.selfAttentionForward(tf.c, s, x, out, pass, causal ? tf.tok.allT : tf.tok.lengths, causal);
}

function subBackward(tf: Tf, st: Stream, j: number, N: number, causal: boolean, dMemory: View): Dispatch[] {
  const s = st.subs[j];
  const R = N * tf.x.B;
  const [x, dX] = [rows(st.X[j], R, tf.x.d), rows(st.dX, R, tf.x.d)];
  if (s.h) return blocks.feedForwardBackward(tf.c, s, x, dX, N);
  if (s.kv) return blocks.crossAttentionBackward(tf.c, s, x, dX, N, memoryOf(tf, dMemory));
  return blocks.selfAttentionBackward(tf.c, s, x, dX, N, causal ? tf.tok.allT : tf.tok.lengths, causal);
}

/** Embeddings ·√d + positions, every sublayer, the final norm: ids (N, B) -> st.out (N·B, d). */
function streamForward(tf: Tf, st: Stream, ids: View, pass: Pass, dMemory: View): Dispatch[] {
  const { d, B } = tf.x;
  const R = pass.N * B;
  const causal = st === tf.dec;
  const x0 = rows(st.X[0], R, d);
  const out: Dispatch[] = [
    embeddingForward(tf.gpu, { weight: P(tf, st.emb), ids: slice(ids, 0, R), out: x0, vocab: tf.x.V, dim: d, label: `${st.emb}.forward` }),
    positionsForward(tf.gpu, { R, d, P: pass.N, div: B, scale: Math.sqrt(d), x: x0, table: rows(tf.pe, pass.N, d) }),
  ];
  for (let j = 0; j < st.subs.length; j++) out.push(...subForward(tf, st, j, pass, causal, dMemory));
  const n = st.X.length - 1;
  out.push(layerNormForward(tf.gpu, { R, D: d, x: rows(st.X[n], R, d), gamma: P(tf, `${st.norm}.weight`), beta: P(tf, `${st.norm}.bias`), y: rows(st.out, R, d), stats: rows(st.stats, R, 2), label: st.norm }));
  return out;
}

/** dOut (N·B, d), the gradient of st.out, back through the stream into its embedding table. */
function streamBackward(tf: Tf, st: Stream, ids: View, N: number, dOut: View, dMemory: View, embScratch: View): Dispatch[] {
  const { d, B } = tf.x;
  const R = N * B;
  const dX = rows(st.dX, R, d);
  const n = st.X.length - 1;
  const causal = st === tf.dec;
  const out: Dispatch[] = layerNormBackward(tf.gpu, { R, D: d, x: rows(st.X[n], R, d), gamma: P(tf, `${st.norm}.weight`), stats: rows(st.stats, R, 2), dy: dOut, dx: dX, dGamma: G(tf, `${st.norm}.weight`), dBeta: G(tf, `${st.norm}.bias`), label: `${st.norm}.backward` });
  for (let j = st.subs.length - 1; j >= 0; j--) out.push(...subBackward(tf, st, j, N, causal, dMemory));
  out.push(positionsBackward(tf.gpu, { R, d, P: N, div: B, scale: Math.sqrt(d), dx: dX }));
  out.push(...embeddingBackward(tf.gpu, { dOut: dX, ids: slice(ids, 0, R), dWeight: G(tf, st.emb), vocab: tf.x.V, dim: d, scratch: embScratch, label: `${st.emb}.backward` }));
  return out;
}

function sourceIds(tf: Tf): Dispatch[] {
  const { S, B } = tf.x;
  return tf.config.reverse_source ? [reverseSequences(tf.gpu, { tokens: tf.tok.src, lengths: tf.tok.lengths, out: tf.tok.encIds, steps: S, batch: B })] : [];
}

function recordTrainStep(tf: Tf): Program {
  const { S, T, B, d } = tf.x;
  const dMemory = view(tf.owned.buf('dMemory', S * B * d)); // (S·B, d) summed over the decoder layers
  const dDecOut = view(tf.owned.buf('dDecOut', T * B * d));
  const h = rows(tf.dec.out, T * B, d);
  return new Program('transformer.trainStep').add(
    sourceIds(tf),
    streamForward(tf, tf.enc, tf.tok.encIds, { N: S, train: true }, dMemory),
    streamForward(tf, tf.dec, tf.tok.decIn, { N: T, train: true }, dMemory),
    outputForward(tf.out, h, tf.tok.tgt),
    outputBackward(tf.out, h, dDecOut),
    fill(tf.gpu, dMemory, 0, 'dMemory.clear'),
    streamBackward(tf, tf.dec, tf.tok.decIn, T, dDecOut, dMemory, tf.embScratch[1]),
    streamBackward(tf, tf.enc, tf.tok.encIds, S, dMemory, dMemory, tf.embScratch[0]),
  );
}

/** The encoder over the batch last set, then the cached decoder's source (models/layers/transformer_decode.ts). */
function decodeSource(tf: Tf): { encoder: Dispatch[]; source: DecodeSource } {
  const { S, B, d, D, V, L } = tf.x;
  const unused = tf.c.scratch.dKV; // no backward while decoding: the memory's gradient is never written
  const encoder = [...sourceIds(tf), ...streamForward(tf, tf.enc, tf.tok.encIds, { N: S, train: false }, unused)];
  return { encoder, source: { c: tf.c, V, L, S, D, pe: tf.pe, memory: rows(tf.enc.out, S * B, d), lengths: tf.tok.lengths } };
}

/** Greedy: the encoder once, then one cached decoder step per position (argmax fed back). */
function recordDecodeStep(tf: Tf): { program: Program; attention: View; attentionHeads: View } {
  const { encoder, source } = decodeSource(tf);
  const dec = recordCachedDecode(source, 1, { kind: 'greedy', decoded: tf.tok.decoded, first: tf.tok.eos }, (label, n) => view(tf.owned.buf(`decode.${label}`, n)));
  return { program: new Program('transformer.decodeStep').add(encoder, dec.dispatches), attention: dec.attention, attentionHeads: dec.attentionHeads };
}

/** Beam search of width K on the same cached step; its buffers are the program's own. */
function createTransformerBeam(tf: Tf, K: number, keepAttention: boolean): BeamProgram {
  checkBeamWidth('transformer beam search', K);
  const { B, D, V } = tf.x;
  const own: GPUBuffer[] = [];
  const alloc = (label: string, n: number) => {
    const b = tf.gpu.createBuffer(`transformer.beam${K}.${label}`, n);
    own.push(b);
    return view(b);
  };
  const layout = beamResultLayout(D, B, K);
  const result = alloc('result', layout.size);
  const first = alloc('eos', B * K);
  tf.gpu.upload(first, new Int32Array(B * K).fill(V - 1));
  const { encoder, source } = decodeSource(tf);
  const dec = recordCachedDecode(source, K, { kind: 'beam', result, first }, alloc);
  const program = new Program(`transformer.beam${K}`).add(encoder, dec.dispatches);
  return {
    K, B, D, program, result, layout,
    attention: keepAttention ? dec.attention : undefined,
    attentionHeads: keepAttention ? dec.attentionHeads : undefined,
    destroy() {
      for (const b of own) tf.gpu.destroyBuffer(b);
      own.length = 0;
    },
  };
}

function setBatch(tf: Tf, batch: Batch): void {
  const { B, S, T } = tf.x;
  if (batch.B !== B || batch.S !== S || batch.T !== T) throw new RangeError(`transformer.setBatch: the model was recorded for B=${B}, S=${S}, T=${T}, but the batch is B=${batch.B}, S=${batch.S}, T=${batch.T}.`);
  tf.gpu.upload(tf.tok.src, batch.src);
  tf.gpu.upload(tf.tok.lengths, batch.srcLengths);
  tf.gpu.upload(tf.tok.tgt, batch.tgt);
  tf.gpu.upload(tf.tok.decIn, batch.decIn);
}

export function createTransformerModel(gpu: Gpu, config: Config): TransformerGpuModel {
  const tf = createTf(gpu, config);
  const trainStep = recordTrainStep(tf);
  const decode = recordDecodeStep(tf);
  const decodeStep = decode.program;
  return {
    name: 'transformer',
    config,
    dims: tf.x,
    layout: tf.owned.arena.layout,
    params: tf.owned.arena.params,
    grads: tf.owned.arena.grads,
    trainStep,
    loss: tf.out.loss,
    decodeStep,
    decoded: tf.tok.decoded,
    attention: decode.attention,
    attentionHeads: { weights: decode.attentionHeads, heads: tf.x.heads },
    createBeam: (K: number, keepAttention = false) => createTransformerBeam(tf, K, keepAttention),
    counts: { trainStep: trainStep.length, decodeStep: decodeStep.length },
    setBatch: (batch) => setBatch(tf, batch),
    setStep: (step) => gpu.upload(tf.c.step, new Uint32Array([step])),
    uploadParams: tf.owned.uploadParams,
    destroy: tf.owned.destroy,
  };
}
