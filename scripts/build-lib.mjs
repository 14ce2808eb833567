// `npm run build` (and `npm pack`, through prepack): the library in dist/. One ESM bundle per
// entry (the page's `index.js`, Node's `node.js`, a shared chunk) with the WGSL inlined as
// strings, so a consumer needs no Vite plugin; declarations from tsc under dist/types; the page
// `seq2seq export` writes (dist/export/app.js).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rawText } from './raw_text.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');

/** Every file under `dir`. */
function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** The declarations import each other as `./x.ts` (the sources' style); consumers resolve `./x.js`. */
function fixDeclarationImports(dir) {
  for (const file of walk(dir).filter((f) => f.endsWith('.d.ts'))) {
    const text = readFileSync(file, 'utf8');
    const fixed = text.replace(/((?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1.js$2');
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

for (const sub of ['index.js', 'node.js', 'chunks', 'types', 'export']) rmSync(join(DIST, sub), { recursive: true, force: true });
await build({
  entryPoints: { index: join(ROOT, 'src/lib/index.ts'), node: join(ROOT, 'src/lib/node.ts') },
  outdir: DIST,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  // node.js alone reaches these (Dawn for Node and the Vulkan search); a page never loads them.
  external: ['webgpu', 'node:*'],
  plugins: [rawText],
  legalComments: 'none',
  logLevel: 'warning',
});
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.lib.json')], { stdio: 'inherit', cwd: ROOT });
fixDeclarationImports(join(DIST, 'types'));
// The page `seq2seq export` writes, for installs without esbuild (src/export/bundle.ts).
const { register } = await import('tsx/esm/api');
register();
const { bundlePage, PREBUILT_PAGE } = await import('../src/export/bundle.ts');
mkdirSync(dirname(PREBUILT_PAGE), { recursive: true });
writeFileSync(PREBUILT_PAGE, await bundlePage());
console.log(`built ${DIST}: index.js, node.js, types/lib/index.d.ts, export/app.js`);
