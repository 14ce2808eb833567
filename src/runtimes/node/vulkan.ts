// Dawn for Node runs WebGPU on Vulkan (Linux). It needs the Vulkan loader (libvulkan.so.1)
// and a driver: a GPU's, or SwiftShader's CPU one, which Chromium ships beside itself
// (Debian's lavapipe is refused by Dawn). This finds both before Dawn starts.
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';

/** glibc's RTLD_NODELETE: the library stays loaded after node's failed addon check closes it. */
const RTLD_NODELETE = 0x1000;

/** Folders that may hold Chromium's libvulkan.so.1 and SwiftShader (vk_swiftshader_icd.json). */
export function vulkanFolders(env: NodeJS.ProcessEnv = process.env, extra: string[] = []): string[] {
  const chrome = env.CHROME_PATH ? [dirname(env.CHROME_PATH)] : [];
  return [...extra, ...chrome, '/usr/lib/chromium', '/usr/lib/chromium-browser', '/opt/google/chrome', '/snap/chromium/current/usr/lib/chromium-browser'];
}

/**
 * Loads a Vulkan loader for Dawn: the system's when it has one, else the first found in
 * `folders`. Dawn later opens "libvulkan.so.1" by name and gets the one already loaded
 * (glibc matches it by soname). Not RTLD_GLOBAL: a loader whose vk* symbols are global
 * can shadow the drivers' own (with Debian's loader 1.3.239, SwiftShader's ICD then gave
 * no device).
 * Returns the path or soname loaded, or null when there is none.
 */
export function preloadVulkanLoader(folders: string[]): string | null {
  if (process.platform !== 'linux') return 'system';
  for (const candidate of ['libvulkan.so.1', ...folders.map((f) => join(f, 'libvulkan.so.1')).filter((p) => existsSync(p))]) {
    try {
      process.dlopen({ exports: {} }, candidate, constants.dlopen.RTLD_NOW | RTLD_NODELETE);
      return candidate; // never reached: the loader is not a Node addon
    } catch (err) {
      // Loaded (and kept by RTLD_NODELETE) but not an addon: exactly what we want.
      if (/did not self-register|Module did not/.test(String((err as Error).message))) return candidate;
    }
  }
  return null;
}

/**
 * Adds SwiftShader's ICD to the drivers the Vulkan loader sees (beside any GPU's), unless
 * the user chose drivers (VK_ICD_FILENAMES / VK_DRIVER_FILES). Returns the ICD used or null.
 */
export function addSwiftShaderIcd(folders: string[], env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES) return env.VK_ICD_FILENAMES ?? env.VK_DRIVER_FILES ?? null;
  const icd = folders.map((f) => join(f, 'vk_swiftshader_icd.json')).find((p) => existsSync(p));
  if (!icd) return null;
  env.VK_ADD_DRIVER_FILES = env.VK_ADD_DRIVER_FILES ? `${env.VK_ADD_DRIVER_FILES}:${icd}` : icd;
  return icd;
}

/** Ends the sentences of ./dawn.ts: what Dawn for Node needs. */
export const DAWN_NEEDS =
  'it needs a Vulkan driver: a GPU with its Vulkan driver (Debian/Ubuntu: `apt-get install libvulkan1 mesa-vulkan-drivers`, ' +
  'or the vendor driver), or SwiftShader\'s Vulkan ICD, which Chromium ships (`apt-get install chromium`, or set VK_ICD_FILENAMES to a vk_swiftshader_icd.json)';
