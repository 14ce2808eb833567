// Page side of the beam-search GPU tests: the recorded beam search of tiny lstm and blog
// models (with their greedy decodeStep and parameters, for the Node side to compare with the
// float64 reference). One device per page, shared by the calls (pipelines compile once).
import { Gpu } from '../../../src/gpu/context.ts';
import { view } from '../../../src/gpu/buffers.ts';
import { DEFAULT_CONFIG, type Config } from '../../../src/config/config.ts';
import { createModel } from '../../../src/models/index.ts';
import { batchFromSamples } from '../../../src/task/batch.ts';
import { backtrackBeams, beamDecodeBatch, beamProgramFor, destroyBeams, type BeamHypothesis } from '../../../src/train/beam.ts';
import { attentionBatch, attentionInputs, beamAttentionBatch, type AttentionMap } from '../../../src/train/decode.ts';

let shared: Gpu | null = null;
async function device(): Promise<Gpu> {
  shared ??= await Gpu.create();
  return shared;
}

export interface ModelBeamRun {
  params: Record<string, number[]>;
  /** (D, B) greedy decodeStep tokens. */
  greedy: number[];
  /** Per K asked: (B) lists of K final beams, best first. */
  beams: Record<number, BeamHypothesis[][]>;
  /** Per K asked: (B) predictions through beamDecodeBatch. */
  predictions: Record<number, number[][]>;
  /** Dispatches of each beam program. */
  dispatches: Record<number, number>;
  /** Same beams on a second run (bitwise). */
  repeatable: boolean;
  /** Models with attention: greedy's maps, and per K the best beam's maps through the beam program. */
  greedyMaps?: AttentionMap[];
  maps?: Record<number, AttentionMap[]>;
  /** Models with several heads: the same maps with each head's rows (greedy, then per K). */
  greedyHeadMaps?: AttentionMap[];
  headMaps?: Record<number, AttentionMap[]>;
  /** The same inputs' beam-3 maps through attentionInputs with task=file (no target function). */
  fileTaskMaps?: AttentionMap[];
}

/** Builds the model of `overrides` (its seeded init), decodes `inputs` greedily and with each beam width. */
export async function modelBeams(overrides: Partial<Config>, inputs: number[][], widths: number[]): Promise<ModelBeamRun> {
  const gpu = await device();
  const config: Config = { ...DEFAULT_CONFIG, ...overrides };
  const model = createModel(gpu, config);
  try {
    const { batch } = batchFromSamples(config, inputs.map((input) => ({ input })), config.batch_size);
    model.setBatch(batch);
    gpu.run(model.decodeStep);
    const greedy = Array.from(await gpu.readI32(model.decoded));
    const out: ModelBeamRun = { params: {}, greedy, beams: {}, predictions: {}, dispatches: {}, repeatable: true };
    for (const K of widths) {
      const beam = beamProgramFor(model, K);
      model.setBatch(batch);
      gpu.run(beam.program);
      const raw = await gpu.readI32(beam.result);
      out.beams[K] = backtrackBeams(raw, beam.layout);
      out.dispatches[K] = beam.program.length;
      gpu.run(beam.program);
      const again = await gpu.readI32(beam.result);
      if (again.some((v, i) => v !== raw[i])) out.repeatable = false;
      out.predictions[K] = await beamDecodeBatch(gpu, model, batch, K);
    }
    if (model.attention) {
      out.greedyMaps = await attentionBatch(gpu, model, batch, inputs.length);
      out.maps = {};
      for (const K of widths) out.maps[K] = await beamAttentionBatch(gpu, model, batch, inputs.length, K);
      out.fileTaskMaps = await attentionInputs(gpu, model, { ...config, task: 'file' }, inputs, 3);
    }
    if (model.attentionHeads) {
      out.greedyHeadMaps = await attentionBatch(gpu, model, batch, inputs.length, 1, true);
      out.headMaps = {};
      for (const K of widths) out.headMaps[K] = await attentionBatch(gpu, model, batch, inputs.length, K, true);
    }
    const all = await gpu.read(view(model.params));
    for (const e of model.layout.entries) out.params[e.name] = Array.from(all.subarray(e.offset, e.offset + e.length));
    gpu.check();
    // -Infinity does not survive the JSON trip: dead beams are flagged anyway.
    for (const K of widths) for (const beams of out.beams[K]) for (const b of beams) if (!Number.isFinite(b.score)) b.score = -1e30;
    return out;
  } finally {
    destroyBeams(model);
    model.destroy();
  }
}
