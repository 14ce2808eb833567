// Whole-model checks of the GPU check: one recorded training step of each model at a small,
// odd size on a batch of mixed lengths (embedding, LSTM or recurrent steps, matmuls, loss,
// reductions, reversal: every kernel of the step) against the float64 reference model fed
// the GPU's own initial parameters: loss and every named gradient; then greedy decoding.
import { decodeLength, defaultsFor, type Config } from '../config/config.ts';
import type { Gpu } from '../gpu/context.ts';
import { view } from '../gpu/buffers.ts';
import { createModel } from '../models/index.ts';
import { initialArena } from '../reference/init.ts';
import { modelEntry, type Tensors } from '../models/registry.ts';
import type { ModelName } from '../specs/index.ts';
import { makeBatch } from '../task/index.ts';
import { compare, maxAbs, type CheckResult } from './compare.ts';

/** Small and odd: nothing divides a workgroup; lengths 1..5 so masks matter. */
export function checkConfig(model: ModelName): Config {
  const odd: Config = { ...defaultsFor(model), model, vocab_size: 17, max_length: 5, batch_size: 6, hidden_size: 14, embedding_size: 6, layers: 2, seed: 3, decode_length: 0 };
  return modelEntry(model).spec.conform(odd);
}

/** One training step (loss, every named gradient) and greedy decoding of `name` against its reference. */
export async function checkModel(gpu: Gpu, name: ModelName): Promise<CheckResult[]> {
  const { reference } = modelEntry(name);
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
    const ref = reference.lossAndGrads(p, config, batch);
    const out = [compare(`${name} loss`, [loss], [ref.loss], 1e-5, 1e-5)];
    for (const e of entries) {
      const want = ref.grads[e.name];
      out.push(compare(`${name} grad ${e.name}`, grads.subarray(e.offset, e.offset + e.length), want, 1e-5 * Math.max(maxAbs(want), 1e-3), 1e-4));
    }
    out.push(compare(`${name} greedy decode`, decoded, reference.greedyDecode(p, config, batch, decodeLength(config))));
    return out;
  } finally {
    model.destroy();
  }
}
