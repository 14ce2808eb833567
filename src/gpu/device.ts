// Acquires a WebGPU device, or fails with one sentence that says what to try.
import { requestAdapterFor, summarizeAdapter, type AdapterChoice } from './adapter.ts';
import type { AdapterSummary } from '../io/adapter_summary.ts';


export class WebGpuUnavailableError extends Error {}
export class GpuDeviceLostError extends Error {}

export interface AcquiredDevice {
  device: GPUDevice;
  adapter: AdapterSummary;
  /** True when the device was created with `timestamp-query` (per-kernel GPU times). */
  timestamps: boolean;
  /** True when the device has `subgroups` and WGSL has `subgroup_id` (the quad matmul kernels). */
  subgroups: boolean;
}

export const WEBGPU_HELP =
  'WebGPU is not available here: use a recent Chrome or Edge (113+) on http://127.0.0.1 or https, ' +
  'and if it is still missing enable chrome://flags/#enable-unsafe-webgpu (Linux: start Chrome with --enable-unsafe-webgpu).';

export interface DeviceOptions {
  /** Request timestamp queries when the adapter has them (default true). */
  timestamps?: boolean;
  /** Request subgroups when the adapter has them (default true; false tests the fallback kernels). */
  subgroups?: boolean;
  /** Which adapter to take (docs/contract.md §6 --adapter; default auto). */
  adapter?: AdapterChoice;
}

export async function acquireDevice(opts: DeviceOptions = {}): Promise<AcquiredDevice> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new WebGpuUnavailableError(WEBGPU_HELP);
  const adapter = await requestAdapterFor(gpu, opts.adapter ?? 'auto');
  if (!adapter) throw new WebGpuUnavailableError(`No WebGPU adapter was found. ${WEBGPU_HELP}`);
  const wantTimestamps = (opts.timestamps ?? true) && adapter.features.has('timestamp-query');
  const wgsl = (gpu as { wgslLanguageFeatures?: ReadonlySet<string> }).wgslLanguageFeatures;
  const wantSubgroups = (opts.subgroups ?? true) && adapter.features.has('subgroups') && Boolean(wgsl?.has('subgroup_id'));
  const requiredFeatures: GPUFeatureName[] = [];
  if (wantTimestamps) requiredFeatures.push('timestamp-query');
  if (wantSubgroups) requiredFeatures.push('subgroups' as GPUFeatureName);
  const device = await adapter.requestDevice({ label: 'seq2seq-webgpu', requiredFeatures });
  return { device, timestamps: wantTimestamps, subgroups: wantSubgroups, adapter: summarizeAdapter(adapter) };
}
