// An esbuild plugin: `import code from './x.wgsl?raw'` becomes the file's text, as Vite gives it,
// so a bundle needs no Vite to load its shaders.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const rawText = {
  name: 'raw-text',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({ path: resolve(args.resolveDir, args.path.slice(0, -'?raw'.length)), namespace: 'raw' }));
    b.onLoad({ filter: /.*/, namespace: 'raw' }, (args) => ({ contents: readFileSync(args.path, 'utf8'), loader: 'text' }));
  },
};
