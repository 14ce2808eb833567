// The `transformer` model's tensors (docs/contract.md §3): PyTorch state_dict names of
//   src_embedding = nn.Embedding(V, d), tgt_embedding = nn.Embedding(V, d),
//   transformer = nn.Transformer(d, heads, L, L, F, dropout, batch_first=True, norm_first=True),
//   output = nn.Linear(d, V)
// so load_state_dict(strict=True) takes our checkpoints. Letters: V vocabulary, d model width,
// F feed-forward width, L layers (encoder and decoder each).
import { hashString } from '../models/init.ts';

export interface TransformerDims {
  V: number;
  d: number;
  heads: number;
  L: number;
  F: number;
}

export const encLayer = (i: number) => `transformer.encoder.layers.${i}`;
export const decLayer = (i: number) => `transformer.decoder.layers.${i}`;

function attentionShapes(prefix: string, d: number): [string, number[]][] {
  return [
    [`${prefix}.in_proj_weight`, [3 * d, d]],
    [`${prefix}.in_proj_bias`, [3 * d]],
    [`${prefix}.out_proj.weight`, [d, d]],
    [`${prefix}.out_proj.bias`, [d]],
  ];
}

function feedForwardShapes(prefix: string, d: number, F: number): [string, number[]][] {
  return [
    [`${prefix}.linear1.weight`, [F, d]],
    [`${prefix}.linear1.bias`, [F]],
    [`${prefix}.linear2.weight`, [d, F]],
    [`${prefix}.linear2.bias`, [d]],
  ];
}

const normShapes = (prefix: string, d: number): [string, number[]][] => [
  [`${prefix}.weight`, [d]],
  [`${prefix}.bias`, [d]],
];

/** Names and shapes in arena order (PyTorch's state_dict order). */
export function transformerParamShapes(x: TransformerDims): [string, number[]][] {
  const { V, d, L, F } = x;
  const out: [string, number[]][] = [
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
 * The dropout sites of one layer, as nn.Transformer{Encoder,Decoder}Layer names them: after
 * each attention block (dropout1, dropout2 in the decoder), inside the feed-forward block
 * (`dropout`) and after it (dropout2 in the encoder, dropout3 in the decoder).
 */
export const DROPOUT_SITES = { encoder: ['dropout1', 'dropout', 'dropout2'], decoder: ['dropout1', 'dropout2', 'dropout', 'dropout3'] } as const;

/** The tensor id of a dropout site's mask (ops/dropout): a hash of its full name, e.g. `transformer.encoder.layers.0.dropout1`. */
export const dropoutTensorId = (layerPrefix: string, site: string) => hashString(`${layerPrefix}.${site}`);
