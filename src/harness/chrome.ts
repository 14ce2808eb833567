// Finds and launches the system Chrome/Chromium for WebGPU work on 127.0.0.1.
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer';
import type { AdapterChoice } from '../gpu/adapter.ts';

/** Where Chrome usually lives; CHROME_PATH wins over all of them. */
const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

export class ChromeNotFoundError extends Error {}

export function findChrome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CHROME_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new ChromeNotFoundError(`CHROME_PATH points to ${fromEnv}, which does not exist.`);
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  throw new ChromeNotFoundError(
    'No Chrome or Chromium was found: install one (on Debian or Ubuntu: `sudo apt-get install chromium`) or set CHROME_PATH to its executable.',
  );
}

/** Flags that make WebGPU work headless on machines without a GPU and keep Chrome off the network. */
export const CHROME_FLAGS = [
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--enable-unsafe-webgpu',
  // Exact heap figures in performance.memory, for the leak checks of long runs.
  '--enable-precise-memory-info',
  // The adapter's description and device id in adapter.info, for the records of every run.
  '--enable-webgpu-developer-features',
];

/**
 * Flags per --adapter. A hardware GPU needs Vulkan on Linux (Chrome's WebGPU default
 * there is off) and no GPU blocklist; the software adapter stays allowed as auto's
 * fallback; `software` pins WebGPU to SwiftShader.
 */
export function adapterFlags(choice: AdapterChoice, platform: NodeJS.Platform = process.platform): string[] {
  if (choice === 'software') return ['--use-webgpu-adapter=swiftshader', '--enable-unsafe-swiftshader'];
  const gpu = ['--ignore-gpu-blocklist', '--enable-unsafe-swiftshader'];
  return platform === 'linux' ? [...gpu, '--enable-features=Vulkan'] : gpu;
}

export interface LaunchOptions {
  executablePath?: string;
  /** Extra flags, e.g. to disable WebGPU in a test. */
  extraArgs?: string[];
  headless?: boolean;
  /** Which WebGPU adapter the browser should offer (default auto). */
  adapter?: AdapterChoice;
}

export async function launchChrome(opts: LaunchOptions = {}): Promise<Browser> {
  const executablePath = opts.executablePath ?? findChrome();
  return puppeteer.launch({
    executablePath,
    headless: opts.headless ?? true,
    args: [...CHROME_FLAGS, ...adapterFlags(opts.adapter ?? 'auto'), ...(opts.extraArgs ?? [])],
    // A pipe instead of a websocket: when our process dies, even by SIGKILL, the pipe
    // closes and Chrome exits with it, so no orphan browser is left behind.
    pipe: true,
    // We tear down ourselves (see harness.ts) so that state is saved before exit.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    protocolTimeout: 0,
  });
}
