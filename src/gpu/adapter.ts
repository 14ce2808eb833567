// Which WebGPU adapter to take (docs/contract.md §6 `--adapter`): `auto` a hardware GPU when there is
// one, else the software adapter; `hardware` a GPU or one sentence; `software` the
// fallback adapter (SwiftShader, WGSL run on the CPU). Shared by Chrome and Dawn for Node.
import type { AdapterSummary } from '../io/adapter_summary.ts';

export const ADAPTER_CHOICES = ['auto', 'hardware', 'software'] as const;
export type AdapterChoice = (typeof ADAPTER_CHOICES)[number];

export class AdapterChoiceError extends Error {}

export function summarizeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacy = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    // SwiftShader is the software adapter whatever flag the runtime sets.
    isFallbackAdapter: Boolean(info?.isFallbackAdapter ?? legacy) || info?.architecture === 'swiftshader',
  };
}

/** The adapter `choice` asks for, or null when the runtime has none of that kind. */
export async function requestAdapterFor(gpu: GPU, choice: AdapterChoice): Promise<GPUAdapter | null> {
  if (choice === 'software') {
    const forced = await gpu.requestAdapter({ forceFallbackAdapter: true });
    const adapter = forced ?? (await gpu.requestAdapter());
    if (adapter && !summarizeAdapter(adapter).isFallbackAdapter) {
      throw new AdapterChoiceError('--adapter software: this runtime offers no software adapter (SwiftShader), only a hardware GPU; use --adapter auto or hardware.');
    }
    return adapter;
  }
  const adapter = (await gpu.requestAdapter({ powerPreference: 'high-performance' })) ?? (await gpu.requestAdapter());
  if (choice === 'hardware' && (!adapter || summarizeAdapter(adapter).isFallbackAdapter)) {
    throw new AdapterChoiceError(
      '--adapter hardware: no hardware GPU adapter was found (only the software one); check the GPU driver (Linux: a Vulkan driver, `vulkaninfo` lists it) or use --adapter auto.',
    );
  }
  return adapter ?? (await gpu.requestAdapter({ forceFallbackAdapter: true }));
}

/** "nvidia/ampere", "google/swiftshader (software)": for header lines. */
export function adapterLabel(a: AdapterSummary): string {
  return `${a.vendor || '?'}/${a.architecture || '?'}${a.description ? ` "${a.description}"` : ''}${a.isFallbackAdapter ? ' (software)' : ''}`;
}
