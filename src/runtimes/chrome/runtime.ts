// The Chrome runtime: the project served by Vite, a headless Chrome page, calls through
// puppeteer (harness.ts). Chrome is launched with the flags of the adapter asked for.
import type { AdapterChoice } from '../../gpu/adapter.ts';
import { openHarness, type HarnessOptions } from './harness.ts';
import type { GpuRuntime } from '../runtime.ts';

export async function openChromeRuntime(adapter: AdapterChoice, opts: HarnessOptions = {}): Promise<GpuRuntime> {
  const h = await openHarness({ ...opts, adapter });
  const version = await h.browser.version();
  return {
    kind: 'chrome',
    adapter,
    version,
    call: (modulePath, fn, ...args) => h.call(modulePath, fn, ...args),
    expose: (name, fn) => h.page.exposeFunction(name, fn as (...a: unknown[]) => unknown),
    lost: () => (h.browser.connected ? null : 'Chrome exited'),
    close: () => h.close(),
  };
}
