// When matmul() takes the workgroup-memory tiled kernel: only on a hardware adapter whose
// limits hold its tile, and only for outputs its 64x64 tiles mostly cover. No GPU needed.
import { describe, expect, it } from 'vitest';
import type { MatmulDevice } from '../src/ops/matmul.ts';
import type { View } from '../src/gpu/buffers.ts';

// The GPU modules read WebGPU's usage flags at load; plain Node has none.
Object.assign(globalThis, { GPUBufferUsage: (globalThis as { GPUBufferUsage?: object }).GPUBufferUsage ?? { STORAGE: 128, COPY_SRC: 4, COPY_DST: 8, UNIFORM: 64, MAP_READ: 1, QUERY_RESOLVE: 512 } });
const { chooseKernel, planMatmul } = await import('../src/ops/matmul.ts');
const { TILED_WORKGROUP_BYTES } = await import('../src/ops/matmul_tiled.ts');

const buffer = (label: string) => ({ label }) as unknown as GPUBuffer;
const v = (label: string, length: number, offset = 0): View => ({ buffer: buffer(label), offset, length });
const LIMITS = { maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupSizeY: 256 } as GPUSupportedLimits;

function device(fallback: boolean, limits: Partial<GPUSupportedLimits> = {}, subgroups = false): MatmulDevice {
  return { subgroups, adapter: { isFallbackAdapter: fallback }, device: { limits: { ...LIMITS, ...limits } as GPUSupportedLimits } };
}

function kernelFor(M: number, N: number, K: number, dev: MatmulDevice): string {
  return chooseKernel(planMatmul({ a: v('a', M * K), b: v('b', K * N), c: v('c', M * N), M, N, K }), dev).name;
}

describe('matmul kernel choice', () => {
  it('a hardware adapter takes the tiled kernel for outputs its tiles cover', () => {
    expect(kernelFor(256, 256, 256, device(false))).toBe('tiled64');
    expect(kernelFor(64, 256, 64, device(false, {}, true))).toBe('tiled64');
    expect(kernelFor(1344, 100, 64, device(false))).toBe('tiled64');
  });

  it('the software adapter keeps the register-blocked kernels', () => {
    expect(kernelFor(256, 256, 256, device(true))).toBe('nn16x8-wg16');
    expect(kernelFor(256, 256, 256, device(true, {}, true))).toMatch(/quad/);
  });

  it('limits too small for the tile, or mostly padding, keep the others', () => {
    expect(kernelFor(256, 256, 256, device(false, { maxComputeWorkgroupStorageSize: TILED_WORKGROUP_BYTES - 4 }))).toBe('nn16x8-wg16');
    expect(kernelFor(256, 256, 256, device(false, { maxComputeInvocationsPerWorkgroup: 128 }))).toBe('nn16x8-wg16');
    expect(kernelFor(64, 8, 64, device(false))).not.toBe('tiled64');
    // A device object without adapter facts (a test double) never gets it.
    expect(chooseKernel(planMatmul({ a: v('a', 64 * 64), b: v('b', 64 * 64), c: v('c', 64 * 64), M: 64, N: 64, K: 64 }), { subgroups: false }).name).not.toBe('tiled64');
  });
});
