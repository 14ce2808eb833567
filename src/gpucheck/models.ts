// Whole-model checks of the GPU check: one recorded training step of each model at a small,
// odd size on a batch of mixed lengths (embedding, LSTM or recurrent steps, matmuls, loss,
// reductions, reversal: every kernel of the step) against the float64 reference model fed
// the GPU's own initial parameters: loss and every named gradient; then greedy decoding.
import { defaultsFor, type Config } from '../config/config.ts';
import type { Gpu } from '../gpu/context.ts';
import { view } from '../gpu/buffers.ts';
import { createModel } from '../models/index.ts';
import { initialArena } from '../models/init.ts';
import { attnGreedyDecode, attnModelBackward, attnModelForward } from '../reference/attn_model.ts';
import { blogDecode, blogLossAndGrads } from '../reference/blog_model.ts';
import { lstmGreedyDecode, lstmModelBackward, lstmModelForward } from '../reference/lstm_model.ts';
import { transformerGreedyDecode, transformerModelForward } from '../reference/transformer_model.ts';
import { makeBatch, type Batch } from '../task/index.ts';
import { compare, maxAbs, type CheckResult } from './compare.ts';

type Tensors = Record<string, Float64Array>;

interface Reference {
  loss: number;
  grads: Tensors;
  decoded: Int32Array;
}

/** The float64 reference of each model with one; a model without one is reported unchecked. */
const REFERENCES: Partial<Record<string, (p: Tensors, c: Config, b: Batch) => Reference>> = {
  lstm(p, c, b) {
    const d = { V: c.vocab_size, E: c.embedding_size, H: c.hidden_size, L: c.layers };
    const fwd = lstmModelForward(p, d, b, c.reverse_source);
    return { loss: fwd.loss, grads: lstmModelBackward(p, d, fwd), decoded: lstmGreedyDecode(p, d, b.src, b.srcLengths, c.max_length + 1, c.reverse_source) };
  },
  attn(p, c, b) {
    const d = { V: c.vocab_size, E: c.embedding_size, H: c.hidden_size, L: c.layers };
    const fwd = attnModelForward(p, d, b, c.reverse_source);
    return { loss: fwd.loss, grads: attnModelBackward(p, d, fwd), decoded: attnGreedyDecode(p, d, b.src, b.srcLengths, c.max_length + 1, c.reverse_source).tokens };
  },
  transformer(p, c, b) {
    const d = { V: c.vocab_size, d: c.hidden_size, heads: c.heads, L: c.layers, F: c.ff_size };
    const fwd = transformerModelForward(p, d, b, { reverse: c.reverse_source, smoothing: c.label_smoothing });
    return { loss: fwd.loss, grads: fwd.grads(), decoded: transformerGreedyDecode(p, d, b.src, b.srcLengths, c.max_length + 1, c.reverse_source) };
  },
  blog(p, c, b) {
    const d = { V: c.vocab_size, E: c.embedding_size, H: c.hidden_size, B: c.batch_size, S: c.max_length, T: c.max_length + 1 };
    const r = blogLossAndGrads(p, d, b);
    return { loss: r.loss, grads: r.grads, decoded: blogDecode(p, d, b.src, b.srcLengths, d.T) };
  },
};

/** Small and odd: nothing divides a workgroup; lengths 1..5 so masks matter. */
export function checkConfig(model: string): Config {
  const base: Config = { ...defaultsFor(model), model: model as Config['model'], vocab_size: 17, max_length: 5, batch_size: 6, hidden_size: 14, embedding_size: 6, layers: 2, seed: 3, decode_length: 0 };
  // One width d for the transformer, split over 3 heads.
  return model === 'transformer' ? { ...base, hidden_size: 6, embedding_size: 6, heads: 3, ff_size: 7 } : base;
}

export async function checkModel(gpu: Gpu, name: string): Promise<CheckResult[] | { name: string; checked: false; reason: string }> {
  const reference = REFERENCES[name];
  if (!reference) return { name, checked: false, reason: 'no float64 reference model is wired into the GPU check for it' };
  const config = checkConfig(name);
  const model = createModel(gpu, config);
  try {
    const entries = model.layout.entries;
    gpu.upload(model.params, initialArena(model.layout, config));
    const batch = makeBatch(config, 'train', 11, 0, config.batch_size);
    model.setBatch(batch);
    gpu.run(model.trainStep);
    const loss = (await gpu.read(model.loss))[0];
    const grads = await gpu.read(view(model.grads, 0, model.layout.size));
    const params = await gpu.read(view(model.params, 0, model.layout.size));
    gpu.run(model.decodeStep);
    const decoded = await gpu.readI32(model.decoded);
    const p: Tensors = Object.fromEntries(entries.map((e) => [e.name, Float64Array.from(params.subarray(e.offset, e.offset + e.length))]));
    const ref = reference(p, config, batch);
    const out = [compare(`${name} loss`, [loss], [ref.loss], 1e-5, 1e-5)];
    for (const e of entries) {
      const want = ref.grads[e.name];
      out.push(compare(`${name} grad ${e.name}`, grads.subarray(e.offset, e.offset + e.length), want, 1e-5 * Math.max(maxAbs(want), 1e-3), 1e-4));
    }
    out.push(compare(`${name} greedy decode`, decoded, ref.decoded));
    return out;
  } finally {
    model.destroy();
  }
}
