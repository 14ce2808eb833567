// Builds the model a config names.
import type { Config } from '../config/config.ts';
import type { Gpu } from '../gpu/context.ts';
import type { GpuModel } from './model.ts';
import { modelEntry, type ModelOptions } from './registry.ts';

export type { GpuModel } from './model.ts';

export function createModel(gpu: Gpu, config: Config, options: ModelOptions = {}): GpuModel {
  return modelEntry(config.model).create(gpu, config, options);
}
