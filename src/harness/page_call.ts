// Loaded by harness.html and index.html: lets the Node harness (harness.ts) import one
// of the project's modules in the page and call one of its exported functions.
import { PAGE_USER_ERROR, UserError } from '../errors.ts';

declare global {
  interface Window {
    __call(modulePath: string, fn: string, args: unknown[]): Promise<unknown>;
  }
}

window.__call = async (modulePath, fn, args) => {
  const mod = (await import(/* @vite-ignore */ modulePath)) as Record<string, unknown>;
  const f = mod[fn];
  if (typeof f !== 'function') throw new Error(`${modulePath} has no exported function ${fn}`);
  try {
    return await (f as (...a: unknown[]) => unknown)(...args);
  } catch (err) {
    // Only the message crosses to Node: mark the user's mistakes so it can tell them apart.
    if (err instanceof UserError) throw new Error(`${PAGE_USER_ERROR}${err.message}`);
    throw err;
  }
};
