// Builds the model a config names.
import type { Config } from '../config/config.ts';
import type { Gpu } from '../gpu/context.ts';
import { createAttnModel } from './attn.ts';
import { createBlogModel } from './blog.ts';
import { createLstmModel } from './lstm.ts';
import { createTransformerModel } from './transformer.ts';
import type { GpuModel } from './model.ts';

export type { GpuModel } from './model.ts';

export function createModel(gpu: Gpu, config: Config): GpuModel {
  if (config.model === 'blog') return createBlogModel(gpu, config);
  if (config.model === 'transformer') return createTransformerModel(gpu, config);
  return config.model === 'attn' ? createAttnModel(gpu, config) : createLstmModel(gpu, config);
}
