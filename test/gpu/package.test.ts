// The package as a stranger gets it: `npm pack`, installed into an empty project outside the
// repository, then used from a Node program, from a page Vite builds, from the packaged CLI, and
// from a strict TypeScript consumer. One pack and one install serve every test of this file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { launchChrome } from '../../src/runtimes/chrome/launch.ts';
import { serveFolder } from '../helpers/static_server.ts';
import { PROJECT_DIR } from '../helpers/cli.ts';

const run = promisify(execFile);
const FIXTURE = join(PROJECT_DIR, 'test', 'fixtures', 'consumer');
const TSC = join(PROJECT_DIR, 'node_modules', 'typescript', 'bin', 'tsc');
const ENV = { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1', SEQ2SEQ_DEBUG: '' };

let work: string;
let app: string;
/** What the Node program printed: predictions of its checkpoint, greedy and beam 3. */
let fromNode: { greedy: string[]; beam: string[] };
let inputs: string[];

async function sh(cmd: string, args: string[], cwd: string): Promise<string> {
  const { stdout } = await run(cmd, args, { cwd, env: ENV, maxBuffer: 64 << 20 });
  return stdout;
}

/** `npx seq2seq predict` of the installed package on the Node program's checkpoint. */
async function cliPredict(beam: number): Promise<string[]> {
  const out = await sh(process.execPath, [join(app, 'node_modules', '.bin', 'seq2seq'), 'predict', '--runtime', 'node', '--checkpoint', 'public/model.safetensors', '--beam', String(beam), ...inputs], app);
  return out.replace(/\n$/, '').split('\n');
}

/** The README's JavaScript examples under "Use it as a library": the Node one, then the page's. */
function readmeExamples(): { node: string; page: string } {
  const readme = readFileSync(join(PROJECT_DIR, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use it as a library'));
  const blocks = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  return { node: blocks[0], page: blocks[1] };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'seq2seq-package-'));
  await sh('npm', ['pack', '--pack-destination', work, '--silent'], PROJECT_DIR);
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
  app = join(work, 'app');
  cpSync(FIXTURE, app, { recursive: true });
  mkdirSync(join(app, 'public'));
  const readme = readmeExamples();
  writeFileSync(join(app, 'readme-train.mjs'), readme.node);
  writeFileSync(join(app, 'readme.js'), readme.page);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await sh('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--silent'], app);
  inputs = (await import(join(app, 'inputs.json'), { with: { type: 'json' } })).default as string[];
  fromNode = JSON.parse(await sh(process.execPath, ['train.mjs'], app));
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package, installed into an empty project', () => {
  it('a Node program trains, saves and predicts (beam 3) what the packaged `seq2seq predict` predicts', async () => {
    expect(fromNode.greedy).toHaveLength(inputs.length);
    // Beam search against the CLI is test/gpu/export.test.ts's; one CLI start is enough here.
    expect(await cliPredict(3)).toEqual(fromNode.beam);
  }, 300_000);

  it('a page Vite builds from it predicts the same in headless Chrome', async () => {
    await sh(process.execPath, [join(app, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], app);
    const server = await serveFolder(join(app, 'dist'));
    const browser = await launchChrome({ adapter: 'software' });
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      await page.waitForSelector('#out[data-done]', { timeout: 120_000 });
      const text = await page.$eval('#out', (e) => e.textContent ?? '');
      expect(text).not.toMatch(/^error/);
      expect(JSON.parse(text)).toEqual(fromNode);
      // The README's page example, built beside it, on the same checkpoint.
      await page.goto(`${server.url}readme.html`);
      await page.waitForFunction(() => (document.body.textContent ?? '').trim() !== '', { timeout: 120_000 });
      expect(await page.$eval('body', (b) => (b.textContent ?? '').trim())).toMatch(/^greedy: [\d ]*; beam 4: [\d ]*$/);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 240_000);

  it("the README's Node example runs as written", async () => {
    const out = await sh(process.execPath, ['readme-train.mjs'], app);
    expect(out).toMatch(/^round 1: GeoMean \d\.\d{3}\n10 steps, loss \d+\.\d{3}\n\[ '[\d ]*', '[\d ]*' \]\n$/);
  }, 180_000);

  it('its declarations compile in a strict TypeScript consumer', async () => {
    await sh(process.execPath, [TSC, '-p', join(app, 'tsconfig.json')], app);
  }, 120_000);
});
