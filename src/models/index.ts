// Builds the model a config names.
import type { Config } from '../config/config.ts';
import type { Gpu } from '../gpu/context.ts';
import type { GpuModel } from './model.ts';
import { modelEntry } from './registry.ts';

export type { GpuModel } from './model.ts';

export function createModel(gpu: Gpu, config: Config): GpuModel {
  return modelEntry(config.model).create(gpu, config);
}
