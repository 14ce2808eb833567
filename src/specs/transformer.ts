// The `transformer` model (docs/contract.md §3): Vaswani et al. 2017 as PyTorch's
// nn.Transformer(norm_first=True, batch_first=True) between two embeddings and a Linear d→V.
// Its tensors carry PyTorch's state_dict names of
//   src_embedding = nn.Embedding(V, d), tgt_embedding = nn.Embedding(V, d),
//   transformer = nn.Transformer(d, heads, L, L, F, dropout, batch_first=True, norm_first=True),
//   output = nn.Linear(d, V)
// so load_state_dict(strict=True) takes our checkpoints. Letters: V vocabulary, d model width
// (hidden_size), F feed-forward width (ff_size), L layers (encoder and decoder each).
import type { Config } from '../config/config.ts';
import { fnv1a32 } from '../hash.ts';
import { floatsOf, type BufferNeed, type ModelSpec, type ParamShapes } from './spec.ts';

export interface TransformerDims {
  V: number;
  d: number;
  heads: number;
  L: number;
  F: number;
}

export const transformerDimsOf = (c: Config): TransformerDims => ({ V: c.vocab_size, d: c.hidden_size, heads: c.heads, L: c.layers, F: c.ff_size });

export const encLayer = (i: number) => `transformer.encoder.layers.${i}`;
export const decLayer = (i: number) => `transformer.decoder.layers.${i}`;

function attentionShapes(prefix: string, d: number): ParamShapes {
  return [
    [`${prefix}.in_proj_weight`, [3 * d, d]],
    [`${prefix}.in_proj_bias`, [3 * d]],
    [`${prefix}.out_proj.weight`, [d, d]],
    [`${prefix}.out_proj.bias`, [d]],
  ];
}

function feedForwardShapes(prefix: string, d: number, F: number): ParamShapes {
  return [
    [`${prefix}.linear1.weight`, [F, d]],
    [`${prefix}.linear1.bias`, [F]],
    [`${prefix}.linear2.weight`, [d, F]],
    [`${prefix}.linear2.bias`, [d]],
  ];
}

const normShapes = (prefix: string, d: number): ParamShapes => [
  [`${prefix}.weight`, [d]],
  [`${prefix}.bias`, [d]],
];

/** Names and shapes in arena order (PyTorch's state_dict order). */
export function transformerParamShapes(x: TransformerDims): ParamShapes {
  const { V, d, L, F } = x;
  const out: ParamShapes = [
    ['src_embedding.weight', [V, d]],
    ['tgt_embedding.weight', [V, d]],
  ];
  for (let i = 0; i < L; i++) {
    const p = encLayer(i);
    out.push(...attentionShapes(`${p}.self_attn`, d), ...feedForwardShapes(p, d, F), ...normShapes(`${p}.norm1`, d), ...normShapes(`${p}.norm2`, d));
  }
  out.push(...normShapes('transformer.encoder.norm', d));
  for (let i = 0; i < L; i++) {
    const p = decLayer(i);
    out.push(...attentionShapes(`${p}.self_attn`, d), ...attentionShapes(`${p}.multihead_attn`, d), ...feedForwardShapes(p, d, F));
    out.push(...normShapes(`${p}.norm1`, d), ...normShapes(`${p}.norm2`, d), ...normShapes(`${p}.norm3`, d));
  }
  out.push(...normShapes('transformer.decoder.norm', d), ['output.weight', [V, d]], ['output.bias', [V]]);
  return out;
}

/**
 * The tensor id of a dropout site's mask (ops/dropout): a hash of its full name as
 * nn.Transformer names the module, e.g. `transformer.encoder.layers.0.dropout1` or
 * `transformer.decoder.layers.1.self_attn` (the attention weights).
 */
export const dropoutTensorId = (layerPrefix: string, site: string) => fnv1a32(`${layerPrefix}.${site}`);

function transformerProblems(c: Config): string[] {
  const out: string[] = [];
  if (c.embedding_size !== c.hidden_size) out.push(`embedding_size (${c.embedding_size}) must equal hidden_size (${c.hidden_size}) for model "transformer" (both are d_model).`);
  if (c.hidden_size % c.heads !== 0) out.push(`heads (${c.heads}) must divide hidden_size (${c.hidden_size}) for model "transformer".`);
  return out;
}

/** Its largest single buffers (each sublayer owns one of each kind). */
function transformerNeeds(c: Config): BufferNeed[] {
  const [B, S, d, F, h] = [c.batch_size, c.max_length, c.hidden_size, c.ff_size, c.heads];
  const Tm = S + 1; // the training target; decoding keeps one row per step and input
  const rows: BufferNeed['keys'] = ['batch_size', 'max_length'];
  return [
    { what: 'the attention weights', formula: 'batch_size × heads × (max_length + 1)²', keys: [...rows, 'heads'], floats: B * h * Tm * Tm },
    { what: 'the feed-forward activations', formula: 'batch_size × (max_length + 1) × ff_size', keys: [...rows, 'ff_size'], floats: B * Tm * F },
    { what: 'the attention projections', formula: 'batch_size × (max_length + 1) × 3·hidden_size', keys: [...rows, 'hidden_size'], floats: B * Tm * 3 * d },
    { what: 'the parameters', formula: 'about 2·vocab_size × hidden_size + 10·layers·hidden_size² + 4·layers·hidden_size·ff_size', keys: ['vocab_size', 'hidden_size', 'layers', 'ff_size'], floats: floatsOf(transformerParamShapes(transformerDimsOf(c))) },
  ];
}

/** The largest head count up to `heads` that divides `d`. */
const fittingHeads = (d: number, heads: number) => Array.from({ length: heads }, (_, i) => heads - i).find((h) => d % h === 0) ?? 1;

export const transformerSpec: ModelSpec<'transformer'> = {
  name: 'transformer',
  summary: 'pre-norm Transformer encoder-decoder (Vaswani et al. 2017, as nn.Transformer)',
  // d_model both embedding and width, the source in order, Adam after a linear warm-up.
  defaults: { embedding_size: 64, hidden_size: 64, layers: 2, reverse_source: false, lr: 0.001, warmup_steps: 100 },
  problems: transformerProblems,
  paramShapes: (c) => transformerParamShapes(transformerDimsOf(c)),
  bufferNeeds: transformerNeeds,
  // Attention over whole sequences: no dispatch per time step, so none per time step and layer.
  // N(0, 1/d): scaled by √d before the positions are added, the embeddings have unit variance.
  embeddingStd: (d) => 1 / Math.sqrt(d),
  stepLayers: () => 0,
  attention: true,
  recurrence: false,
  conform: (c) => ({ ...c, embedding_size: c.hidden_size, heads: fittingHeads(c.hidden_size, c.heads) }),
};
