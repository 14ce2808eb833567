// The GPU check's work, imported once Dawn has set WebGPU's globals (the GPU modules read
// them when they load): kernel and model checks, timings, training; one JSON object.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterChoice } from '../gpu/adapter.ts';
import { adapterJson } from '../io/adapter_summary.ts';
import { Gpu } from '../gpu/context.ts';
import { MODEL_NAMES } from '../specs/index.ts';
import type { DawnSetup } from '../runtimes/node/dawn.ts';
import type { CheckResult } from '../check/compare.ts';
import { checkKitOps, matmulKernelsChecked } from './kernels.ts';
import { checkModel } from './models.ts';
import { timeKernelsAndSteps, trainDefault } from './timing.ts';

type Log = (text: string) => void;

async function checks(gpu: Gpu, log: Log) {
  const results: CheckResult[] = [];
  log('checking every op of the check kit, every matmul kernel that fits among them');
  results.push(...(await checkKitOps(gpu)));
  for (const model of MODEL_NAMES) {
    log(`checking a training step and decoding of ${model} against the float64 reference`);
    results.push(...(await checkModel(gpu, model)));
  }
  const failed = results.filter((r) => !r.ok);
  return { passed: results.length - failed.length, failed: failed.length, failures: failed, matmul_kernels: matmulKernelsChecked(results) };
}

function buildInfo(folder: string): unknown {
  const path = join(folder, 'BUILD.json');
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
}

/** Runs everything on the adapter asked for; returns the exit status (1: a check failed). */
export async function runGpuCheck(dawn: DawnSetup, adapter: AdapterChoice, steps: number, folder: string, log: Log, started: number): Promise<number> {
  const gpu = await Gpu.create({ adapter });
  log(`adapter ${gpu.adapter.vendor}/${gpu.adapter.architecture} "${gpu.adapter.description}"${gpu.adapter.isFallbackAdapter ? ' (software)' : ''}`);
  const limits = gpu.device.limits;
  const header = {
    gpu_check: 1,
    build: buildInfo(folder),
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    adapter: adapterJson(gpu.adapter),
    vulkan: { loader: dawn.vulkanLoader, swiftshader_icd: dawn.swiftShaderIcd },
    limits: { max_compute_workgroup_storage_size: limits.maxComputeWorkgroupStorageSize, max_compute_invocations_per_workgroup: limits.maxComputeInvocationsPerWorkgroup, max_storage_buffer_binding_size: limits.maxStorageBufferBindingSize },
  };
  let kernelChecks;
  try {
    kernelChecks = await checks(gpu, log);
  } finally {
    gpu.destroy();
  }
  log(`checks: ${kernelChecks.passed} passed, ${kernelChecks.failed} failed; timing kernels and training steps`);
  const timing = await timeKernelsAndSteps({ adapter }, header.adapter.fallback, log);
  log(`training the default model for ${steps} steps`);
  const training = await trainDefault(steps, { adapter }, log);
  const report = { ...header, checks: kernelChecks, timing, training, elapsed_s: Math.round((performance.now() - started) / 100) / 10 };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  return kernelChecks.failed === 0 ? 0 : 1;
}
