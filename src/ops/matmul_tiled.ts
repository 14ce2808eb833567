// The workgroup-memory tiled matmul (shaders/matmul_tiled.wgsl) and when matmul() takes it:
// on a hardware adapter whose limits hold its 64x64 tile, for outputs the tile mostly
// covers. On the software adapter (SwiftShader) barriers cost more than the shared loads
// save, so the register-blocked kernels of matmul.ts stay there.
import code from '../../shaders/matmul_tiled.wgsl?raw';
import type { MatmulKernel, MatmulPlan } from './matmul.ts';

/** 16x16 invocations, 4x4 outputs each: a 64x64 tile of C per workgroup (non-flat grid). */
export const TILED_KERNEL: MatmulKernel = { name: 'tiled64', code, entryPoint: 'mm_tiled', blockM: 4, blockN: 4, wgx: 16, wgy: 16 };

/** Workgroup memory of the kernel: two (16, 65) f32 slices. */
export const TILED_WORKGROUP_BYTES = 2 * 16 * 65 * 4;

/** Below this share of real outputs in its 64x64 tiles the kernel computes mostly padding. */
const MIN_TILE_USE = 0.4;

/** What the choice reads from the Gpu: the adapter's kind and the device's limits. */
export interface TiledDevice {
  readonly adapter?: { readonly isFallbackAdapter: boolean };
  readonly device?: { readonly limits: GPUSupportedLimits };
}

/** True when the device can run the kernel at all (limits), on any adapter. */
export function tiledFits(dev: TiledDevice): boolean {
  const l = dev.device?.limits;
  if (!l) return false;
  return l.maxComputeWorkgroupStorageSize >= TILED_WORKGROUP_BYTES && l.maxComputeInvocationsPerWorkgroup >= 256 && l.maxComputeWorkgroupSizeX >= 16 && l.maxComputeWorkgroupSizeY >= 16;
}

function tileUse(plan: MatmulPlan): number {
  const { M, N } = plan.args;
  return (M * N) / (Math.ceil(M / 64) * 64 * Math.ceil(N / 64) * 64);
}

/** The tiled kernel when matmul() should take it for this plan on this device, else null. */
export function tiledKernelFor(plan: MatmulPlan, dev: TiledDevice): MatmulKernel | null {
  if (dev.adapter?.isFallbackAdapter !== false || !tiledFits(dev)) return null;
  return tileUse(plan) >= MIN_TILE_USE ? TILED_KERNEL : null;
}
