// Installs WebGPU into Node from Dawn (npm `webgpu`): the GPU* globals and navigator.gpu,
// so the same GPU code that runs in Chrome (acquireDevice reads navigator.gpu) runs here.
import { requestAdapterFor, type AdapterChoice } from '../../gpu/adapter.ts';
import { addSwiftShaderIcd, DAWN_NEEDS, preloadVulkanLoader, vulkanFolders } from './vulkan.ts';

class DawnUnavailableError extends Error {}

/** What a Dawn module exports (npm `webgpu`, or a dawn.node loaded by path). */
export interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

export interface DawnSetup {
  gpu: GPU;
  vulkanLoader: string | null;
  swiftShaderIcd: string | null;
}

let installed: DawnSetup | null = null;

/**
 * Prepares Vulkan, loads Dawn (`load`, by default npm `webgpu`), and sets globalThis's GPU
 * classes and navigator.gpu. Once per process; `folders` are searched first for Chromium's
 * Vulkan loader and SwiftShader (the gpu-check folder carries its own).
 */
export async function installDawn(load: () => Promise<DawnModule> = loadWebgpuPackage, folders: string[] = []): Promise<DawnSetup> {
  if (installed) return installed;
  const search = vulkanFolders(process.env, folders);
  const vulkanLoader = preloadVulkanLoader(search);
  const swiftShaderIcd = addSwiftShaderIcd(search);
  if (!vulkanLoader) throw new DawnUnavailableError(`Dawn for Node found no Vulkan loader (libvulkan.so.1): ${DAWN_NEEDS}.`);
  const dawn = await load();
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  installed = { gpu, vulkanLoader, swiftShaderIcd };
  return installed;
}

async function loadWebgpuPackage(): Promise<DawnModule> {
  return (await import('webgpu')) as unknown as DawnModule;
}

/** Fails with one sentence when Dawn finds no adapter of the kind asked for. */
export async function checkDawnAdapter(gpu: GPU, choice: AdapterChoice): Promise<void> {
  const adapter = await requestAdapterFor(gpu, choice);
  if (!adapter) throw new DawnUnavailableError(`Dawn for Node found no WebGPU adapter: ${DAWN_NEEDS}.`);
}
