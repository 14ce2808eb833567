// The `lstm` model (docs/contract.md §3): Sutskever et al. 2014, an LSTM encoder-decoder over
// token embeddings, its decoder started from the encoder's final state, a Linear H→V output.
import type { Config } from '../config/config.ts';
import { decodeLength } from '../config/decode_length.ts';
import { fnv1a32 } from '../hash.ts';
import { floatsOf, type BufferNeed, type ModelSpec, type ParamShapes } from './spec.ts';

/** The sizes an LSTM stack is built from (vocabulary, embedding, hidden, layers). */
export interface LstmDims {
  V: number;
  E: number;
  H: number;
  L: number;
}

export const lstmDims = (c: Config): LstmDims => ({ V: c.vocab_size, E: c.embedding_size, H: c.hidden_size, L: c.layers });

/** docs/contract.md §3 names and shapes, in arena order. */
export function lstmParamShapes(d: LstmDims): ParamShapes {
  const out: ParamShapes = [
    ['src_embedding.weight', [d.V, d.E]],
    ['tgt_embedding.weight', [d.V, d.E]],
  ];
  for (const m of ['encoder', 'decoder']) {
    for (let k = 0; k < d.L; k++) {
      const I = k === 0 ? d.E : d.H;
      out.push([`${m}.weight_ih_l${k}`, [4 * d.H, I]]);
      out.push([`${m}.weight_hh_l${k}`, [4 * d.H, d.H]]);
      out.push([`${m}.bias_ih_l${k}`, [4 * d.H]]);
      out.push([`${m}.bias_hh_l${k}`, [4 * d.H]]);
    }
  }
  out.push(['output.weight', [d.V, d.H]]);
  out.push(['output.bias', [d.V]]);
  return out;
}

/**
 * The dropout sites of `lstm` and `attn` (Joey NMT's places), each a mask of its own: the
 * embedded inputs (`src_embedding.dropout`, `tgt_embedding.dropout`), the input of stacked
 * layer k ≥ 1 (`encoder.dropout_l{k}`, `decoder.dropout_l{k}`), and what the output layer
 * reads (`output.dropout`: the decoder's top outputs, or attn's h̃). Element i of a site's
 * (steps·B, width) tensor is row t·B + b, time-major.
 */
export type LstmDropoutSite = `${'src' | 'tgt'}_embedding.dropout` | `${'encoder' | 'decoder'}.dropout_l${number}` | 'output.dropout';

/** The tensor id of a site's mask (ops/dropout): the FNV-1a hash of its name. */
export const lstmDropoutId = (site: LstmDropoutSite) => fnv1a32(site);

/** The site of the input of layer k of a module (its embedding's for k = 0). */
export const inputSite = (m: 'encoder' | 'decoder', k: number): LstmDropoutSite =>
  k === 0 ? (m === 'encoder' ? 'src_embedding.dropout' : 'tgt_embedding.dropout') : `${m}.dropout_l${k}`;

/** The buffers of the LSTM stack (src/models/layers/lstm_stack.ts) and the parameters `shapes`. */
export function lstmStackNeeds(c: Config, shapes: ParamShapes): BufferNeed[] {
  const [V, H, B, S] = [c.vocab_size, c.hidden_size, c.batch_size, c.max_length];
  const Tm = Math.max(S + 1, decodeLength(c));
  const grows: BufferNeed['keys'] = ['batch_size', 'max_length', 'decode_length', 'hidden_size'];
  return [
    { what: 'the LSTM gate activations', formula: 'batch_size × (max_length + decode_length) × 4·hidden_size', keys: grows, floats: (S + Tm) * B * 4 * H },
    { what: 'the LSTM states', formula: 'layers × batch_size × (max_length + decode_length) × hidden_size', keys: ['layers', ...grows], floats: c.layers * (1 + S + Tm) * B * H },
    { what: 'the input projection tables', formula: '2 × vocab_size × 4·hidden_size', keys: ['vocab_size', 'hidden_size'], floats: 2 * V * 4 * H },
    // Training with dropout (models/layers/stack_dropout.ts): the embedded inputs gathered and dropped; the
    // dropped inputs of layers k ≥ 1, H wide, are smaller than the gate activations.
    ...(c.dropout > 0
      ? [{ what: 'the dropped embeddings', formula: 'batch_size × (2·max_length + 1) × embedding_size', keys: ['batch_size', 'max_length', 'embedding_size'] as BufferNeed['keys'], floats: (2 * S + 1) * B * c.embedding_size }]
      : []),
    {
      what: 'the parameters',
      formula: 'about vocab_size × (2·embedding_size + hidden_size) + 8·layers·hidden_size²',
      keys: ['vocab_size', 'embedding_size', 'hidden_size', 'layers'],
      floats: floatsOf(shapes),
    },
  ];
}

export const lstmSpec: ModelSpec<'lstm'> = {
  name: 'lstm',
  summary: 'LSTM encoder-decoder (Sutskever et al. 2014)',
  defaults: {},
  problems: () => [],
  paramShapes: (c) => lstmParamShapes(lstmDims(c)),
  bufferNeeds: (c) => lstmStackNeeds(c, lstmParamShapes(lstmDims(c))),
  stepLayers: (c) => c.layers,
  recurrence: true,
  attention: false,
  conform: (c) => c,
};
