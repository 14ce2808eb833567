// Serves the project (TypeScript, shaders, pages) on 127.0.0.1 at a free port.
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';

export const PROJECT_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface ServedProject {
  url: string;
  server: ViteDevServer;
  close(): Promise<void>;
}

/**
 * A listening Vite server installs a SIGTERM handler (and one on stdin's end) that exits
 * the process at once, which would throw away a training run instead of letting `train`
 * save it: the handlers it adds are taken off again; the commands handle signals.
 */
function withoutExitHandlers<T>(start: () => Promise<T>): Promise<T> {
  const before = { term: new Set(process.listeners('SIGTERM')), end: new Set(process.stdin.listeners('end')) };
  const strip = () => {
    for (const l of process.listeners('SIGTERM')) if (!before.term.has(l)) process.off('SIGTERM', l);
    for (const l of process.stdin.listeners('end')) if (!before.end.has(l)) process.stdin.off('end', l as () => void);
  };
  return start().finally(strip);
}

export async function serveProject(opts: { watch?: boolean } = {}): Promise<ServedProject> {
  const server = await withoutExitHandlers(async () => {
    const s = await createServer({
      root: PROJECT_ROOT,
      configFile: `${PROJECT_ROOT}vite.config.ts`,
      logLevel: 'error',
      clearScreen: false,
      // The harness writes run files while it serves: no watching, no reloads.
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: opts.watch ? {} : null },
    });
    await s.listen();
    return s;
  });
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') {
    await server.close();
    throw new Error('The project server did not report a TCP address.');
  }
  return {
    url: `http://127.0.0.1:${address.port}/`,
    server,
    close: () => server.close(),
  };
}
