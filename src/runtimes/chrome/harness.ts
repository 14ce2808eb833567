// The headless-Chrome harness: serve the project, open a page on 127.0.0.1 (so WebGPU
// exists), import one of the project's modules there, call a function, return its result.
import type { Browser, Page } from 'puppeteer';
import { fromPageError, type PageReply } from '../../page_api/errors.ts';
import { launchChrome, type LaunchOptions } from './launch.ts';
import { serveProject, type ServedProject } from './vite_server.ts';

export interface HarnessOptions extends LaunchOptions {
  /** Page to open, relative to the project root. */
  pagePath?: string;
  /** Print the page's console to stderr (also on with SEQ2SEQ_DEBUG=1). */
  echoConsole?: boolean;
}

export interface Harness {
  readonly url: string;
  readonly page: Page;
  readonly browser: Browser;
  /** Imports `modulePath` (e.g. `/test/gpu/pages/smoke.ts`) in the page and awaits `fn(...args)`. */
  call<T>(modulePath: string, fn: string, ...args: unknown[]): Promise<T>;
  /** Console errors and uncaught page errors seen so far. */
  readonly pageErrors: string[];
  close(): Promise<void>;
}

interface HarnessWindow {
  __call(modulePath: string, fn: string, args: unknown[]): Promise<PageReply>;
}

export class PageCrashedError extends Error {}

const live = new Set<{ browser: Browser; served: ServedProject }>();

// Last resort for any exit path (error, process.exit): kill the browsers synchronously.
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const { browser } of live) browser.process()?.kill('SIGKILL');
  });
}

async function closeParts(h: { browser: Browser; served: ServedProject }): Promise<void> {
  live.delete(h);
  try {
    await Promise.race([h.browser.close(), new Promise((r) => setTimeout(r, 5000))]);
  } finally {
    h.browser.process()?.kill('SIGKILL');
    await h.served.close().catch(() => undefined);
  }
}

export async function openHarness(opts: HarnessOptions = {}): Promise<Harness> {
  installExitHook();
  const served = await serveProject();
  let browser: Browser;
  try {
    browser = await launchChrome(opts);
  } catch (err) {
    await served.close();
    throw err;
  }
  const parts = { browser, served };
  live.add(parts);
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    const echo = opts.echoConsole ?? process.env.SEQ2SEQ_DEBUG === '1';
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
      if (echo) process.stderr.write(`[page ${msg.type()}] ${msg.text()}\n`);
    });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    let crashed: (err: Error) => void = () => undefined;
    const crash = new Promise<never>((_, reject) => {
      crashed = reject;
    });
    crash.catch(() => undefined);
    page.on('error', (err) => crashed(new PageCrashedError(`The browser page crashed: ${err.message}`)));
    browser.on('disconnected', () => crashed(new PageCrashedError('The browser closed unexpectedly.')));

    const url = new URL(opts.pagePath ?? 'harness.html', served.url).href;
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => typeof (window as unknown as HarnessWindow).__call === 'function');

    const call = async <T>(modulePath: string, fn: string, ...args: unknown[]): Promise<T> => {
      const run = page.evaluate(
        // harness.html defines __call; the closure must not import anything itself,
        // since test runners rewrite `import()` in functions they transform.
        (m: string, f: string, a: unknown[]) => (window as unknown as HarnessWindow).__call(m, f, a),
        modulePath,
        fn,
        args,
      );
      const reply = await Promise.race([run, crash]);
      if ('error' in reply) throw fromPageError(reply.error);
      return reply.value as T;
    };
    return {
      url,
      page,
      browser,
      pageErrors,
      call,
      close: () => closeParts(parts),
    };
  } catch (err) {
    await closeParts(parts);
    throw err;
  }
}
