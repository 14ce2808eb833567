// Loaded by harness.html and index.html: lets the Node harness (harness.ts) import one
// of the project's modules in the page and call one of its exported functions.
import { toPageError, type PageReply } from '../../page_api/errors.ts';

declare global {
  interface Window {
    __call(modulePath: string, fn: string, args: unknown[]): Promise<PageReply>;
  }
}

window.__call = async (modulePath, fn, args) => {
  try {
    const mod = (await import(/* @vite-ignore */ modulePath)) as Record<string, unknown>;
    const f = mod[fn];
    if (typeof f !== 'function') throw new Error(`${modulePath} has no exported function ${fn}`);
    return { value: await (f as (...a: unknown[]) => unknown)(...args) };
  } catch (err) {
    // Only data crosses to Node: the error's class travels as a code (src/page_api/errors.ts).
    return { error: toPageError(err) };
  }
};
