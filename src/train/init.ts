// Initial parameters: the paper's U(-init_scale, init_scale) for the LSTM, PyTorch's
// defaults for the seed's blog model (as its PyTorch code gets them).
import type { Config } from '../config/config.ts';
import type { GpuModel } from '../models/model.ts';
import { pytorchDefaultInit, uniformInit } from '../models/init.ts';

export function initialParams(model: GpuModel, config: Config): Float32Array {
  return config.model === 'blog' ? pytorchDefaultInit(model.layout, config.seed) : uniformInit(model.layout, config.seed, config.init_scale);
}
