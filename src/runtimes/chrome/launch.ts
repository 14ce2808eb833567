// Finds and launches the system Chrome/Chromium for WebGPU work on 127.0.0.1.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import puppeteer, { type Browser } from 'puppeteer';
import type { AdapterChoice } from '../../gpu/adapter.ts';
import { UserError } from '../../errors.ts';
import { quote } from '../../quote.ts';
import { fsReason } from '../../io/fs_errors.ts';

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

/** A Chrome that cannot be used: one sentence for the user (a UserError, so no stack trace). */
class ChromeNotFoundError extends UserError {}

function findChrome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CHROME_PATH;
  if (fromEnv) {
    const problem = executableProblem(fromEnv);
    if (problem) throw new ChromeNotFoundError(`CHROME_PATH points to ${quote(fromEnv, 200)}, ${problem}; set it to a Chrome or Chromium executable.`);
    return fromEnv;
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  throw new ChromeNotFoundError(
    'No Chrome or Chromium was found: install one (on Debian or Ubuntu: `sudo apt-get install chromium`) or set CHROME_PATH to its executable.',
  );
}

/** Flags that make WebGPU work headless on machines without a GPU and keep Chrome off the network. */
const CHROME_FLAGS = [
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
function adapterFlags(choice: AdapterChoice, platform: NodeJS.Platform = process.platform): string[] {
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

/** Why `path` cannot be run, or null. */
function executableProblem(path: string): string | null {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 'which does not exist';
  }
  if (stat.isDirectory()) return 'which is a directory';
  if (!stat.isFile()) return 'which is not a file';
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return 'which is not executable';
  }
  return null;
}

/** How long Chrome may take to start and answer (SEQ2SEQ_CHROME_TIMEOUT_S overrides it). */
function launchTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const s = Number(env.SEQ2SEQ_CHROME_TIMEOUT_S);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 90_000;
}

/**
 * Starts Chrome, or throws one sentence: a Chrome that exits at once (`/bin/false`) or
 * never answers (a script that sleeps) is killed and named, never waited on forever.
 */
export async function launchChrome(opts: LaunchOptions = {}): Promise<Browser> {
  const executablePath = opts.executablePath ?? findChrome();
  checkTempDir();
  const timeoutMs = launchTimeoutMs();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    return await startChrome(executablePath, opts, abort.signal);
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    const why = abort.signal.aborted
      ? `did not answer within ${Math.round(timeoutMs / 1000)} s`
      : /closed|exited|Failed to launch/i.test(message)
        ? 'exited during start-up'
        : `failed to start (${quote(message, 200)})`;
    throw new ChromeNotFoundError(`Chrome at ${quote(executablePath, 200)} ${why}; set CHROME_PATH to a working Chrome or Chromium.`);
  } finally {
    clearTimeout(timer);
  }
}

/** Puppeteer puts Chrome's profile in the temporary folder: say so when it cannot. */
function checkTempDir(): void {
  const dir = tmpdir();
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new ChromeNotFoundError(`Chrome needs a writable temporary folder, but ${quote(dir, 200)} is not (${fsReason(err)}); set TMPDIR to one that is.`);
  }
}

function startChrome(executablePath: string, opts: LaunchOptions, signal: AbortSignal): Promise<Browser> {
  return puppeteer.launch({
    signal,
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
