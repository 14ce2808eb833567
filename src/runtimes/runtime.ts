// One interface over the two places the GPU code runs (docs/contract.md §6 `--runtime`): headless
// Chrome (./chrome/, through puppeteer) and Node itself (Dawn for Node, npm `webgpu`).
// Either imports the project's modules and calls their exported functions; the CLI's
// train, eval, predict and bench speak only to this interface.
import type { AdapterChoice } from '../gpu/adapter.ts';

export const RUNTIME_CHOICES = ['chrome', 'node'] as const;
export type RuntimeChoice = (typeof RUNTIME_CHOICES)[number];

export interface RuntimeOptions {
  runtime: RuntimeChoice;
  adapter: AdapterChoice;
}

export interface GpuRuntime {
  readonly kind: RuntimeChoice;
  /** The adapter the GPU code must ask for (acquireDevice's `adapter`). */
  readonly adapter: AdapterChoice;
  /** "Chrome/156.0…" or "Dawn for Node (webgpu 0.6.2), Node v20.20.2". */
  readonly version: string;
  /** Imports `modulePath` (project-relative, e.g. `/src/page_api/api.ts`) and awaits `fn(...args)`. */
  call<T>(modulePath: string, fn: string, ...args: unknown[]): Promise<T>;
  /** Makes `fn` callable by the GPU code as `globalThis[name]` (progress sinks). */
  expose(name: string, fn: (...args: never[]) => unknown): Promise<void>;
  /** Why the runtime can no longer run GPU work (Chrome exited), or null. */
  lost(): string | null;
  close(): Promise<void>;
}

/** Opens the runtime asked for; each is imported only when chosen (Node never loads puppeteer). */
export async function openRuntime(opts: RuntimeOptions): Promise<GpuRuntime> {
  if (opts.runtime === 'node') {
    const { openNodeRuntime } = await import('./node/runtime.ts');
    return openNodeRuntime(opts.adapter);
  }
  const { openChromeRuntime } = await import('./chrome/runtime.ts');
  return openChromeRuntime(opts.adapter);
}
