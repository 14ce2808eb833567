// Loaded by harness.html and index.html: lets the Node harness (harness.ts) import one
// of the project's modules in the page and call one of its exported functions.
declare global {
  interface Window {
    __call(modulePath: string, fn: string, args: unknown[]): Promise<unknown>;
  }
}

window.__call = async (modulePath, fn, args) => {
  const mod = (await import(/* @vite-ignore */ modulePath)) as Record<string, unknown>;
  const f = mod[fn];
  if (typeof f !== 'function') throw new Error(`${modulePath} has no exported function ${fn}`);
  return (f as (...a: unknown[]) => unknown)(...args);
};

export {};
