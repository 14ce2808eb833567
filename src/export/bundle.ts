// The one script of an exported page (src/export/page.ts over the public API, shaders inlined):
// bundled now by esbuild when it is installed (a checkout), else the copy `npm run build` made
// (an installed package), so the page always matches the code that exports it.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.ts';

const ROOT = new URL('../../', import.meta.url);
const PAGE = fileURLToPath(new URL('src/export/page.ts', ROOT));
/** Where `npm run build` leaves the bundled page. */
export const PREBUILT_PAGE = fileURLToPath(new URL('dist/export/app.js', ROOT));

/** Bundles the page with esbuild; null when esbuild is not installed. */
export async function bundlePage(): Promise<string | null> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    return null;
  }
  const { rawText } = await import('../../scripts/raw_text.mjs');
  const result = await esbuild.build({
    entryPoints: [PAGE],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    plugins: [rawText],
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/** The page's script: bundled fresh, else prebuilt; one sentence when neither can be had. */
export async function pageScript(): Promise<string> {
  const fresh = await bundlePage();
  if (fresh !== null) return fresh;
  if (existsSync(PREBUILT_PAGE)) return readFileSync(PREBUILT_PAGE, 'utf8');
  throw new UserError('export needs the page script: run `npm run build` in the seq2seq-webgpu package (or install esbuild) first.');
}

/** The page itself. */
export function pageHtml(): string {
  return readFileSync(new URL('src/export/index.html', ROOT), 'utf8');
}
