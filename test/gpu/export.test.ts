// `seq2seq export` end to end: the folder it writes, served by a plain static server and opened in
// headless Chrome, predicts exactly what `seq2seq predict` predicts (greedy and beam) and fetches
// nothing from elsewhere; a non-empty folder is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer';
import { cli, PROJECT_DIR } from '../helpers/cli.ts';
import { serveFolder, type StaticServer } from '../helpers/static_server.ts';
import { launchChrome } from '../../src/runtimes/chrome/launch.ts';

const TINY = ['model=attn', 'task=reverse', 'vocab_size=13', 'max_length=7', 'batch_size=5', 'hidden_size=12', 'embedding_size=6', 'lr=0.003', 'eval_samples=10', 'seed=4'];
const INPUTS = ['1 2 3', '9 8 7 6 5 4 3', '', '5', '2 11 4 4'];

let work: string;
let checkpoint: string;
let site: string;
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'seq2seq-export-'));
  const trained = await cli(['train', '--runtime', 'node', '--out', join(work, 'run'), '--rounds', '1', '--steps', '3', ...TINY]);
  expect(trained.code, trained.stderr).toBe(0);
  checkpoint = join(work, 'run', readdirSync(join(work, 'run')).find((f) => f.endsWith('.safetensors'))!);
  site = join(work, 'site');
  const exported = await cli(['export', '--checkpoint', checkpoint, '--out', site]);
  expect(exported.code, exported.stderr).toBe(0);
  server = await serveFolder(site);
  browser = await launchChrome({ adapter: 'software' });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function cliPredict(beam: number): Promise<string[]> {
  const r = await cli(['predict', '--runtime', 'node', '--checkpoint', checkpoint, '--beam', String(beam), ...INPUTS]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.replace(/\n$/, '').split('\n');
}

/** Types the inputs, sets the beam, presses Predict and reads the predictions. */
async function pagePredict(page: Page, beam: number): Promise<string[]> {
  await page.$eval('#inputs', (e, v) => ((e as HTMLTextAreaElement).value = v), INPUTS.join('\n'));
  await page.$eval('#beam', (e, v) => ((e as HTMLInputElement).value = v), String(beam));
  await page.click('#predict');
  await page.waitForFunction((b) => document.getElementById('status')?.textContent?.endsWith(`beam ${b}.`), { timeout: 120_000 }, beam);
  return page.$$eval('#predictions li', (items) => items.map((li) => li.textContent ?? ''));
}

describe('seq2seq export', () => {
  it('writes exactly index.html, app.js and the model', () => {
    expect(readdirSync(site).sort()).toEqual(['app.js', 'index.html', 'model.safetensors']);
  });

  it('refuses a folder that is not empty, in one sentence', async () => {
    const full = join(work, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep.txt'), 'mine');
    const r = await cli(['export', '--checkpoint', checkpoint, '--out', full]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^--out ".*full" is not empty; name a new or empty folder \(export never overwrites\)\.$/);
    expect(readdirSync(full)).toEqual(['keep.txt']);
  });

  it('predicts in Chrome what `seq2seq predict` predicts, greedy and beam, with the attention map, fetching nothing from elsewhere', async () => {
    const page = await browser.newPage();
    const fetched: string[] = [];
    page.on('request', (req) => void fetched.push(req.url()));
    await page.goto(server.url);
    await page.waitForFunction(() => document.getElementById('status')?.dataset.state === 'done', { timeout: 120_000 });
    expect(await pagePredict(page, 1)).toEqual(await cliPredict(1));
    expect(await page.$$eval('#attention td', (cells) => cells.length)).toBeGreaterThan(3);
    mkdirSync(join(PROJECT_DIR, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(PROJECT_DIR, 'test-artifacts', 'export-page.png') });
    expect(await pagePredict(page, 3)).toEqual(await cliPredict(3));
    expect(fetched.filter((u) => !u.startsWith(server.url))).toEqual([]);
    await page.close();
  }, 300_000);
});
