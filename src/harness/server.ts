// Serves the project (TypeScript, shaders, pages) on 127.0.0.1 at a free port.
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServedProject {
  url: string;
  server: ViteDevServer;
  close(): Promise<void>;
}

export async function serveProject(opts: { watch?: boolean } = {}): Promise<ServedProject> {
  const server = await createServer({
    root: PROJECT_ROOT,
    configFile: `${PROJECT_ROOT}vite.config.ts`,
    logLevel: 'error',
    clearScreen: false,
    // The harness writes run files while it serves: no watching, no reloads.
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: opts.watch ? {} : null },
  });
  await server.listen();
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
