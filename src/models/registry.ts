// Each model's three faces in one table: its spec (src/specs/: settings, names and shapes,
// buffer sizes), its GPU composition, and its float64 reference. The session, the GPU check
// and the tests look a model up here; nothing else needs to know which models exist.
import type { Config } from '../config/config.ts';
import type { Gpu } from '../gpu/context.ts';
import { attnGreedyDecode, attnModelBackward, attnModelForward } from '../reference/attn_model.ts';
import { blogDecode, blogLossAndGrads } from '../reference/blog_model.ts';
import { lstmGreedyDecode, lstmModelBackward, lstmModelForward } from '../reference/lstm_model.ts';
import { transformerGreedyDecode, transformerModelForward } from '../reference/transformer_model.ts';
import { transformerDimsOf } from '../specs/transformer.ts';
import { lstmDims } from '../specs/lstm.ts';
import { modelSpec, type ModelName, type ModelSpec } from '../specs/index.ts';
import type { Batch } from '../task/batch.ts';
import { createAttnModel } from './attn.ts';
import { createBlogModel } from './blog.ts';
import { createLstmModel, type LstmOptions } from './lstm.ts';
import { createTransformerModel } from './transformer.ts';
import type { GpuModel } from './model.ts';

export type Tensors = Record<string, Float64Array>;

/** A model's float64 reference over one batch, fed named parameters. */
export interface ReferenceModel {
  /** Mean cross-entropy of the batch and the gradient of every named tensor. */
  lossAndGrads(p: Tensors, c: Config, b: Batch): { loss: number; grads: Tensors };
  /** (D, B) i32 greedy tokens, time-major, D = decodeLength(c). */
  greedyDecode(p: Tensors, c: Config, b: Batch, steps: number): Int32Array;
}

/** Recording choices a model may take beside its config (bench and tests compare recordings); others ignore them. */
export type ModelOptions = LstmOptions;

export interface ModelEntry {
  spec: ModelSpec<ModelName>;
  create(gpu: Gpu, config: Config, options?: ModelOptions): GpuModel;
  reference: ReferenceModel;
}

/** Training options for a reference: dropout masks at step 0, the step word of a model no session has stepped. */
const trainingOf = (c: Config) => ({ smoothing: c.label_smoothing, dropout: c.dropout > 0 ? { p: c.dropout, seed: c.seed, step: 0 } : undefined });

const blogDims = (c: Config) => ({ V: c.vocab_size, E: c.embedding_size, H: c.hidden_size, B: c.batch_size, S: c.max_length, T: c.max_length + 1 });

const ENTRIES: Record<ModelName, Omit<ModelEntry, 'spec'>> = {
  lstm: {
    create: (gpu, c, options) => createLstmModel(gpu, c, options),
    reference: {
      lossAndGrads(p, c, b) {
        const fwd = lstmModelForward(p, lstmDims(c), b, c.reverse_source, trainingOf(c));
        return { loss: fwd.loss, grads: lstmModelBackward(p, lstmDims(c), fwd) };
      },
      greedyDecode: (p, c, b, steps) => lstmGreedyDecode(p, lstmDims(c), b.src, b.srcLengths, steps, c.reverse_source),
    },
  },
  attn: {
    create: (gpu, c, options) => createAttnModel(gpu, c, options),
    reference: {
      lossAndGrads(p, c, b) {
        const fwd = attnModelForward(p, lstmDims(c), b, c.reverse_source, trainingOf(c));
        return { loss: fwd.loss, grads: attnModelBackward(p, lstmDims(c), fwd) };
      },
      greedyDecode: (p, c, b, steps) => attnGreedyDecode(p, lstmDims(c), b.src, b.srcLengths, steps, c.reverse_source).tokens,
    },
  },
  blog: {
    create: (gpu, c) => createBlogModel(gpu, c),
    reference: {
      lossAndGrads: (p, c, b) => blogLossAndGrads(p, blogDims(c), b, trainingOf(c)),
      greedyDecode: (p, c, b, steps) => blogDecode(p, blogDims(c), b.src, b.srcLengths, steps),
    },
  },
  transformer: {
    create: (gpu, c) => createTransformerModel(gpu, c),
    reference: {
      lossAndGrads(p, c, b) {
        const fwd = transformerModelForward(p, transformerDimsOf(c), b, { reverse: c.reverse_source, ...trainingOf(c) });
        return { loss: fwd.loss, grads: fwd.grads() };
      },
      greedyDecode: (p, c, b, steps) => transformerGreedyDecode(p, transformerDimsOf(c), b.src, b.srcLengths, steps, c.reverse_source),
    },
  },
};

/** The registry entry of a model. */
export function modelEntry(name: ModelName): ModelEntry {
  return { spec: modelSpec(name), ...ENTRIES[name] };
}
