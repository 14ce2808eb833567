// Serves the project (TypeScript, shaders, pages) on 127.0.0.1 at a free port.
//
// Vite runs in middleware mode behind our own HTTP server: a listening Vite server
// installs its own SIGTERM handler (and one on stdin's end) that exits the process at
// once, which would throw away a training run instead of letting `train` save it.
import { createServer as createHttpServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServedProject {
  url: string;
  server: ViteDevServer;
  close(): Promise<void>;
}

export async function serveProject(opts: { watch?: boolean } = {}): Promise<ServedProject> {
  const http = createHttpServer();
  const vite = await createServer({
    root: PROJECT_ROOT,
    configFile: `${PROJECT_ROOT}vite.config.ts`,
    logLevel: 'error',
    clearScreen: false,
    appType: 'mpa',
    // The harness writes run files while it serves: no watching, so nothing is ever pushed.
    // Vite's page client still opens its WebSocket, so it is served on our own port (with
    // no socket at all the client logs connection errors into every page).
    server: { middlewareMode: true, hmr: { server: http }, watch: opts.watch ? {} : null },
  });
  http.on('request', vite.middlewares);
  const close = async () => {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await vite.close();
  };
  try {
    await listen(http);
  } catch (err) {
    await vite.close();
    throw err;
  }
  const address = http.address();
  if (!address || typeof address === 'string') {
    await close();
    throw new Error('The project server did not report a TCP address.');
  }
  return { url: `http://127.0.0.1:${address.port}/`, server: vite, close };
}

function listen(http: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
}
