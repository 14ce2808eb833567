// The `blog` model (docs/contract.md §3): the seed's MLP-RNN, replicated faithfully: a tanh
// recurrence over MLP-projected embeddings, and a decoder that applies a ReLU MLP to its
// own state at every step without ever reading its outputs.
import type { Config } from '../config/config.ts';
import { decodeLength } from '../config/decode_length.ts';
import { fnv1a32 } from '../hash.ts';
import { floatsOf, type ModelSpec, type ParamShapes } from './spec.ts';

export interface BlogSizes {
  V: number;
  E: number;
  H: number;
}

/** The three Linear layers of an MLP: in → 2H → ⌊H/2⌋ → out, as [out, in]. */
export function blogMlpDims(inSize: number, H: number, outSize: number): [number, number][] {
  const H2 = Math.floor(H / 2);
  return [
    [2 * H, inSize],
    [H2, 2 * H],
    [outSize, H2],
  ];
}

export const BLOG_MLPS = ['encoder.xh', 'encoder.hh', 'decoder.hh', 'decoder.hv'] as const;

/** Every named tensor and its shape, in arena order (PyTorch state_dict names; weights [out, in]). */
export function blogParamShapes(d: BlogSizes): ParamShapes {
  const out: ParamShapes = [['embedding.weight', [d.V, d.E]]];
  const io: Record<(typeof BLOG_MLPS)[number], [number, number]> = {
    'encoder.xh': [d.E, d.H],
    'encoder.hh': [d.H, d.H],
    'decoder.hh': [d.H, d.H],
    'decoder.hv': [d.H, d.V],
  };
  for (const m of BLOG_MLPS) {
    blogMlpDims(io[m][0], d.H, io[m][1]).forEach(([o, i], k) => {
      out.push([`${m}.${2 * k}.weight`, [o, i]]);
      out.push([`${m}.${2 * k}.bias`, [o]]);
    });
  }
  return out;
}

/**
 * The dropout sites of `blog` in training, where Joey NMT would put them for this architecture
 * (the seed itself has none): the embedded source (`embedding.dropout`), after each hidden
 * ReLU of the feed-forward MLPs (`encoder.xh.dropout{1,2}`, `decoder.hv.dropout{1,2}`, as Joey's
 * feed-forward blocks drop between their layers), and the decoder states that the output MLP
 * reads (`decoder.dropout`, Joey's hidden dropout before the output layer; the recurrence goes on
 * from the undropped states). The recurrent MLPs `encoder.hh` and `decoder.hh` are the cell of a
 * one-layer RNN, and Joey never drops inside a recurrence. Each site's tensor spans every time
 * step, time-major: element i = (t·B + b)·W + j.
 */
export const BLOG_DROPOUT_SITES = ['embedding.dropout', 'encoder.xh.dropout1', 'encoder.xh.dropout2', 'decoder.dropout', 'decoder.hv.dropout1', 'decoder.hv.dropout2'] as const;
export type BlogDropoutSite = (typeof BLOG_DROPOUT_SITES)[number];

/** The tensor id of a site's mask (ops/dropout): the FNV-1a hash of its name. */
export const blogDropoutId = (site: BlogDropoutSite) => fnv1a32(site);

export const blogSpec: ModelSpec<'blog'> = {
  name: 'blog',
  summary: "the seed's MLP-RNN, replicated with its weaknesses",
  // Its decoder applies a ReLU MLP to its state at every step, so activations can grow
  // geometrically: at lr 0.01 it diverges within a hundred steps; the seed trained it at 1e-3.
  defaults: { lr: 0.001, lr_schedule: 'constant' },
  problems: (c) => [
    ...(c.hidden_size % 2 !== 0 ? [`hidden_size must be even for model "blog" (its MLPs use hidden_size / 2), got ${c.hidden_size}.`] : []),
  ],
  paramShapes: (c) => blogParamShapes({ V: c.vocab_size, E: c.embedding_size, H: c.hidden_size }),
  bufferNeeds: (c) => [
    {
      what: 'the MLP activations',
      formula: 'batch_size × (max_length + decode_length) × 2·hidden_size',
      keys: ['batch_size', 'max_length', 'decode_length', 'hidden_size'],
      floats: (c.max_length + Math.max(c.max_length + 1, decodeLength(c))) * c.batch_size * 2 * c.hidden_size,
    },
    {
      what: 'the parameters',
      formula: 'vocab_size × (embedding_size + hidden_size)',
      keys: ['vocab_size', 'embedding_size', 'hidden_size'],
      floats: floatsOf(blogParamShapes({ V: c.vocab_size, E: c.embedding_size, H: c.hidden_size })),
    },
  ],
  stepLayers: () => 1,
  recurrence: false,
  attention: false,
  farBelowNote: 'this is expected of the blog model (its decoder never reads its own outputs); --model lstm learns the task',
  conform: (c) => (c.hidden_size % 2 === 0 ? c : { ...c, hidden_size: c.hidden_size + 1 }),
};
