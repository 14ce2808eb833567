// The Node runtime: the GPU code runs in this process on Dawn for Node, no browser. Calls
// import the project's TypeScript modules directly (tsx, or vitest, compiles them; the
// `.wgsl?raw` imports are served by ./wgsl_hooks.mjs or by Vite in tests).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AdapterChoice } from '../../gpu/adapter.ts';
import { checkDawnAdapter, installDawn } from './dawn.ts';
import type { GpuRuntime } from '../runtime.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function webgpuVersion(): string {
  try {
    return (createRequire(import.meta.url)('webgpu/package.json') as { version: string }).version;
  } catch {
    return '?';
  }
}

export async function openNodeRuntime(adapter: AdapterChoice): Promise<GpuRuntime> {
  const { gpu } = await installDawn();
  await checkDawnAdapter(gpu, adapter);
  const exposed = new Set<string>();
  const globals = globalThis as Record<string, unknown>;
  return {
    kind: 'node',
    adapter,
    version: `Dawn for Node (webgpu ${webgpuVersion()}), Node ${process.version}`,
    async call<T>(modulePath: string, fn: string, ...args: unknown[]): Promise<T> {
      const mod = (await import(pathToFileURL(join(PROJECT_ROOT, modulePath)).href)) as Record<string, unknown>;
      const f = mod[fn];
      if (typeof f !== 'function') throw new Error(`${modulePath} has no exported function ${fn}`);
      // A copy, as Chrome's calls pass arguments by value.
      return (await (f as (...a: unknown[]) => unknown)(...structuredClone(args))) as T;
    },
    async expose(name, fn) {
      globals[name] = fn;
      exposed.add(name);
    },
    lost: () => null,
    async close() {
      for (const name of exposed) delete globals[name];
    },
  };
}
