// Whole-model checks of the GPU check: one recorded training step of each model at a small,
// odd size on a batch of mixed lengths (embedding, LSTM or recurrent steps, matmuls, loss,
// reductions, reversal: every kernel of the step) against the float64 reference model fed
// the GPU's own initial parameters: loss and every named gradient; then greedy decoding (models
// with the recurrence setting: recorded both ways, recurrence=sequence's one dispatch and steps).
import { decodeLength, defaultsFor, type Config } from '../config/config.ts';
import type { Gpu } from '../gpu/context.ts';
import { view } from '../gpu/buffers.ts';
import { createModel } from '../models/index.ts';
import { initialArena } from '../reference/init.ts';
import { modelEntry, type Tensors } from '../models/registry.ts';
import type { ModelName } from '../specs/index.ts';
import { makeBatch, type Batch } from '../task/index.ts';
import { compare, EXACT, maxAbs, type CheckResult } from '../check/compare.ts';

/** Small and odd: nothing divides a workgroup; lengths 1..5 so masks matter. */
export function checkConfig(model: ModelName): Config {
  const odd: Config = { ...defaultsFor(model), model, vocab_size: 17, max_length: 5, batch_size: 6, hidden_size: 14, embedding_size: 6, layers: 2, seed: 3, decode_length: 0, recurrence: 'sequence' };
  return modelEntry(model).spec.conform(odd);
}

/** One training step (loss, every named gradient) and greedy decoding of `name` against its reference. */
export async function checkModel(gpu: Gpu, name: ModelName): Promise<CheckResult[]> {
  const { reference } = modelEntry(name);
  const config = checkConfig(name);
  // The one-dispatch decode on any adapter (the software one records per step by default).
  const model = createModel(gpu, config, { decodeKernel: 'always' });
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
    const out = [compare(`${name} loss`, [loss], [ref.loss], { atol: 1e-5, rtol: 1e-5 })];
    for (const e of entries) {
      const want = ref.grads[e.name];
      out.push(compare(`${name} grad ${e.name}`, grads.subarray(e.offset, e.offset + e.length), want, { atol: 1e-5 * Math.max(maxAbs(want), 1e-3), rtol: 1e-4 }));
    }
    const refDecoded = reference.greedyDecode(p, config, batch, decodeLength(config));
    if (!model.decoding) out.push(compare(`${name} greedy decode`, decoded, refDecoded, EXACT));
    else {
      out.push(compare(`${name} greedy decode (recurrence=${model.decoding.recording})`, decoded, refDecoded, EXACT));
      out.push(compare(`${name} greedy decode (recurrence=steps)`, await decodeSteps(gpu, config, params, batch), refDecoded, EXACT));
    }
    return out;
  } finally {
    model.destroy();
  }
}

/** Greedy tokens (D, B) of `config`'s model recorded per step, with parameters `params`. */
async function decodeSteps(gpu: Gpu, config: Config, params: Float32Array, batch: Batch): Promise<Int32Array> {
  const model = createModel(gpu, { ...config, recurrence: 'steps' });
  try {
    gpu.upload(model.params, params);
    model.setBatch(batch);
    gpu.run(model.decodeStep);
    return await gpu.readI32(model.decoded);
  } finally {
    model.destroy();
  }
}
