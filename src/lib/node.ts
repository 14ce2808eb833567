// The Node side of the public API: WebGPU in Node from Dawn (npm `webgpu`), so createTrainer and
// loadModel run there as in a page. Kept apart from the main entry, which a page imports.
import { checkDawnAdapter, installDawn } from '../runtimes/node/dawn.ts';
import type { AdapterChoice } from '../gpu/adapter.ts';
import { Seq2SeqError } from './errors.ts';

/**
 * Installs WebGPU into this Node process (navigator.gpu and the GPU* globals) from Dawn for Node,
 * finding a Vulkan driver (a GPU's, or the SwiftShader that Chromium ships); once per process.
 * Rejects with a Seq2SeqError `webgpu_unavailable` that says what to install.
 */
export async function useDawn(adapter: AdapterChoice = 'auto'): Promise<void> {
  try {
    const { gpu } = await installDawn();
    await checkDawnAdapter(gpu, adapter);
  } catch (err) {
    throw new Seq2SeqError('webgpu_unavailable', err instanceof Error ? err.message : String(err), { cause: err });
  }
}
