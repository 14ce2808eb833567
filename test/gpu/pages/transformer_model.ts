// Page side of the transformer model test: one GPU training step (loss, every named gradient,
// the initial parameters), run again for bitwise equality, then greedy decoding, then the
// training step once more (decoding shares the decoder's buffers).
import { Gpu } from '../../../src/gpu/context.ts';
import { view } from '../../../src/gpu/buffers.ts';
import { DEFAULT_CONFIG, type Config } from '../../../src/config/config.ts';
import { createTransformerModel } from '../../../src/models/transformer.ts';
import { toBatch, type PlainBatch } from './lstm.ts';
import { byName } from './by_name.ts';

export async function transformerRun(overrides: Partial<Config>, plain: PlainBatch, step: number) {
  const gpu = await Gpu.create();
  try {
    const config: Config = { ...DEFAULT_CONFIG, ...overrides, model: 'transformer' };
    const model = createTransformerModel(gpu, config);
    model.setBatch(toBatch(plain));
    model.setStep!(step);
    gpu.run(model.trainStep);
    const loss = (await gpu.read(model.loss))[0];
    const gradsAll = await gpu.read(view(model.grads));
    const paramsAll = await gpu.read(view(model.params));
    gpu.run(model.trainStep);
    const bitwiseRepeat = Object.is(loss, (await gpu.read(model.loss))[0]) && (await gpu.read(view(model.grads))).every((v, i) => Object.is(v, gradsAll[i]));
    gpu.run(model.decodeStep);
    const decoded = Array.from(await gpu.readI32(model.decoded));
    gpu.run(model.trainStep);
    const stableAfterDecode = (await gpu.read(view(model.grads))).every((v, i) => Object.is(v, gradsAll[i]));
    const { grads, params } = byName(model.layout, gradsAll, paramsAll);
    gpu.check();
    const out = { loss, grads, params, decoded, bitwiseRepeat, stableAfterDecode, counts: model.counts };
    model.destroy();
    return out;
  } finally {
    gpu.destroy();
  }
}
