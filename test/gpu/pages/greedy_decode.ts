// Page side of the one-dispatch greedy decode tests: builds an lstm or attn model with the
// given `recurrence`, optionally makes the output layer's rows tie in pairs, runs decodeStep
// twice and returns the tokens, the attention weights, the parameters the reference needs,
// and what was recorded; and evaluates a trained checkpoint with either recording.
import { Gpu } from '../../../src/gpu/context.ts';
import { view } from '../../../src/gpu/buffers.ts';
import { createModel } from '../../../src/models/index.ts';
import { DEFAULT_CONFIG, type Config, type RecurrenceName } from '../../../src/config/config.ts';
import { decodeCheckpoint, tensorsIntoArena } from '../../../src/io/checkpoint.ts';
import { fromBase64 } from '../../../src/page_api/base64.ts';
import { evaluateModel } from '../../../src/train/evaluate.ts';
import { toBatch, type PlainBatch } from './lstm.ts';
import type { DecodeKernelChoice } from '../../../src/models/layers/greedy.ts';

/** Output rows 2m + 1 copy rows 2m (weight and bias): every logit ties with its even neighbour. */
async function tieOutputRows(gpu: Gpu, model: ReturnType<typeof createModel>, uploadParams: (data: Float32Array) => void): Promise<void> {
  const all = await gpu.read(view(model.params));
  const w = model.layout.entries.find((e) => e.name === 'output.weight')!;
  const b = model.layout.entries.find((e) => e.name === 'output.bias')!;
  const V = b.length;
  const H = w.length / V;
  for (let v = 1; v < V; v += 2) {
    all.copyWithin(w.offset + v * H, w.offset + (v - 1) * H, w.offset + v * H);
    all[b.offset + v] = all[b.offset + v - 1];
  }
  uploadParams(all);
}

/** `kernel` 'always' (the default here) records the one-dispatch decode on the software adapter too. */
export async function greedyRun(overrides: Partial<Config>, plain: PlainBatch, opts: { tie?: boolean; kernel?: DecodeKernelChoice } = {}) {
  const gpu = await Gpu.create();
  try {
    const config: Config = { ...DEFAULT_CONFIG, ...overrides };
    const model = createModel(gpu, config, { decodeKernel: opts.kernel ?? 'always' }) as ReturnType<typeof createModel> & { uploadParams(data: Float32Array): void; counts: { decodeStep: number } };
    if (opts.tie) await tieOutputRows(gpu, model, model.uploadParams);
    model.setBatch(toBatch(plain));
    gpu.run(model.decodeStep);
    const decoded = Array.from(await gpu.readI32(model.decoded));
    const attention = model.attention ? Array.from(await gpu.read(model.attention)) : null;
    gpu.run(model.decodeStep);
    const again = Array.from(await gpu.readI32(model.decoded));
    const againAttention = model.attention ? Array.from(await gpu.read(model.attention)) : null;
    const bitwiseRepeat = again.every((v, i) => v === decoded[i]) && (attention === null || againAttention!.every((v, i) => Object.is(v, attention[i])));
    const paramsAll = await gpu.read(view(model.params));
    const params: Record<string, number[]> = {};
    for (const e of model.layout.entries) params[e.name] = Array.from(paramsAll.subarray(e.offset, e.offset + e.length));
    gpu.check();
    const out = { decoded, attention, bitwiseRepeat, params, decoding: model.decoding, decodeDispatches: model.decodeStep.length, labels: model.decodeStep.dispatches.map((d) => d.label) };
    model.destroy();
    return out;
  } finally {
    gpu.destroy();
  }
}


/** docs/contract.md §2 evaluation of a checkpoint (base64 safetensors) with decoding recorded as `recurrence` (the kernel asked for always). */
export async function evaluateCheckpoint(base64: string, recurrence: RecurrenceName, opts: { rounds: number; samples: number }) {
  const gpu = await Gpu.create();
  try {
    const checkpoint = decodeCheckpoint(fromBase64(base64));
    const config: Config = { ...DEFAULT_CONFIG, ...checkpoint.config, recurrence };
    const model = createModel(gpu, config, { decodeKernel: 'always' });
    const arena = new Float32Array(model.layout.size);
    tensorsIntoArena(checkpoint.tensors, model.layout.entries, arena);
    gpu.upload(model.params, arena);
    const summary = await evaluateModel(gpu, model, { ...opts, seed: config.seed, beam: 1 });
    const out = { summary, decoding: model.decoding, dispatches: model.decodeStep.length };
    model.destroy();
    return out;
  } finally {
    gpu.destroy();
  }
}
