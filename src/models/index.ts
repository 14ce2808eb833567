// Builds the model a config names.
import type { Config } from '../config/config.ts';
import type { Gpu } from '../gpu/context.ts';
import { createAttnModel } from './attn.ts';
import { createBlogModel } from './blog.ts';
import { createLstmModel, type LstmOptions } from './lstm.ts';
import type { GpuModel } from './model.ts';

export type { GpuModel } from './model.ts';

/** `options` reach lstm and attn (their recording choices); blog has none. */
export function createModel(gpu: Gpu, config: Config, options: LstmOptions = {}): GpuModel {
  if (config.model === 'blog') return createBlogModel(gpu, config);
  return config.model === 'attn' ? createAttnModel(gpu, config, options) : createLstmModel(gpu, config, options);
}
