// The models, in the order every list shows them. Adding a model: its spec file here, its
// reference and GPU composition in src/models/registry.ts; every list, rule and check reads
// these.
import type { Config } from '../config/config.ts';
import { decodeLength } from '../config/decode_length.ts';
import { attnSpec } from './attn.ts';
import { blogSpec } from './blog.ts';
import { lstmSpec } from './lstm.ts';
import { transformerSpec } from './transformer.ts';
import type { BufferNeed, ModelSpec } from './spec.ts';

export type { BufferNeed, ModelSpec, ParamShapes } from './spec.ts';

export const MODEL_SPECS = [lstmSpec, attnSpec, blogSpec, transformerSpec] as const;

export type ModelName = (typeof MODEL_SPECS)[number]['name'];

export const MODEL_NAMES: readonly ModelName[] = MODEL_SPECS.map((s) => s.name);

export function isModelName(name: unknown): name is ModelName {
  return typeof name === 'string' && (MODEL_NAMES as readonly string[]).includes(name);
}

/** The spec of a validated config's model. */
export function modelSpec(name: ModelName): ModelSpec<ModelName> {
  return MODEL_SPECS.find((s) => s.name === name)!;
}

/** Every large buffer a model built from `c` needs: the shared ones, then the model's own. */
export function bufferNeeds(c: Config): BufferNeed[] {
  const T = c.max_length + 1;
  return [
    { what: 'the logits', formula: 'batch_size × (max_length + 1) × vocab_size', keys: ['batch_size', 'max_length', 'vocab_size'], floats: T * c.batch_size * c.vocab_size },
    { what: 'the decoded tokens', formula: 'batch_size × decode_length', keys: ['batch_size', 'decode_length'], floats: decodeLength(c) * c.batch_size },
    ...modelSpec(c.model).bufferNeeds(c),
  ];
}
