// The demo page end to end in headless Chrome: settings with inline errors, a tiny
// training run that moves the charts and the scores, prediction, the kept checkpoint
// across a reload, the benchmark table, a screenshot, and the no-WebGPU message.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../../src/harness/harness.ts';
import { PROJECT_ROOT } from '../../src/harness/server.ts';
import { DecimatedSeries } from '../../src/demo/decimate.ts';
import { parseBeam, parseSequence } from '../../src/demo/predict.ts';
import { WEBGPU_HELP } from '../../src/gpu/device.ts';

const TINY: Record<string, string> = {
  vocab_size: '12',
  max_length: '4',
  embedding_size: '8',
  hidden_size: '16',
  batch_size: '8',
  steps: '20',
  rounds: '1',
  eval_samples: '50',
  evaluate_round: '1',
};

type Page = Harness['page'];

const textOf = (page: Page, sel: string) => page.$eval(sel, (el) => el.textContent ?? '');

async function setField(page: Page, key: string, value: string): Promise<void> {
  await page.$eval(
    `[name="${key}"]`,
    (el, v) => {
      (el as HTMLInputElement).value = v as string;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    },
    value,
  );
}

async function pageReady(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
}

describe('decimated chart series (pure)', () => {
  it('stays under its cap, evenly sampled, with the right means', () => {
    const s = new DecimatedSeries(8);
    for (let i = 0; i < 1000; i++) s.push(i, 2 * i);
    expect(s.length).toBeLessThanOrEqual(8);
    const [xs, ys] = s.data();
    xs.forEach((x, i) => expect(ys[i]).toBeCloseTo(2 * x));
    // Stored buckets are equal-width means of consecutive raw points.
    expect(xs[1] - xs[0]).toBe(s.stride);
    expect(s.count).toBe(1000);
  });

  it('parses the predict box with one sentence per mistake', () => {
    const c = { vocab_size: 12, max_length: 4 };
    expect(parseSequence(' 2, 3 10 ', c)).toEqual([2, 3, 10]);
    expect(() => parseSequence('2 11', c)).toThrow('"11" is not a number from 1 to 10');
    expect(() => parseSequence('1 2 3 4 5', c)).toThrow('at most max_length = 4');
    expect(() => parseSequence('', c)).toThrow('Type a sequence');
    expect(parseBeam(' 3 ')).toBe(3);
    for (const bad of ['0', '17', '2.5', '', 'x']) expect(() => parseBeam(bad)).toThrow('The beam width must be a whole number from 1 (greedy) to 16');
  });
});

describe('demo page in headless Chrome', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({ pagePath: 'index.html' });
    await pageReady(h.page);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('loads with the adapter shown, defaults prefilled and no console errors', async () => {
    expect(await h.page.$eval('#no-webgpu', (el) => (el as HTMLElement).hidden)).toBe(true);
    // A new profile has no saved checkpoint: its box is not shown at all (hidden beats the CSS).
    expect(await h.page.$eval('#saved', (el) => [(el as HTMLElement).hidden, getComputedStyle(el).display])).toEqual([true, 'none']);
    expect(await textOf(h.page, '#adapter')).not.toMatch(/^(none|looking)/);
    expect(await h.page.$eval('[name="model"]', (el) => (el as HTMLSelectElement).value)).toBe('lstm');
    expect(await h.page.$eval('[name="vocab_size"]', (el) => (el as HTMLInputElement).value)).toBe('100');
    expect(h.pageErrors).toEqual([]);
  });

  it('shows the validator sentence beside a wrong setting and blocks Start', async () => {
    await setField(h.page, 'lr', '-1');
    expect(await textOf(h.page, '[data-key="lr"] .field-error')).toMatch(/^lr must be a number > 0/);
    await setField(h.page, 'lr', '0.003');
    await setField(h.page, 'min_length', '9');
    await setField(h.page, 'max_length', '4');
    expect(await textOf(h.page, '#form-error')).toBe('min_length (9) must not exceed max_length (4).');
    await setField(h.page, 'min_length', '1');
    expect(await textOf(h.page, '#form-error')).toBe('');
  });

  it('trains a tiny model: the loss and score charts and the score cells fill', async () => {
    for (const [k, v] of Object.entries(TINY)) await setField(h.page, k, v);
    expect(await textOf(h.page, '#form-error')).toBe('');
    await h.page.click('#start');
    await h.page.waitForFunction(() => document.getElementById('score-geomean')?.textContent !== '–' && document.body.dataset.state === 'ready', {
      timeout: 90_000,
    });
    await h.page.waitForFunction(() => Number((document.getElementById('score-chart') as HTMLElement).dataset.points) >= 1, { timeout: 5000 });
    expect(Number(await h.page.$eval('#loss-chart', (el) => (el as HTMLElement).dataset.points))).toBeGreaterThanOrEqual(2);
    for (const key of ['psa', 'lcsr', 'geomean', 'exact_match', 'length_accuracy']) {
      const v = Number(await textOf(h.page, `#score-${key}`));
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(await textOf(h.page, '#step')).toBe('20 / 20');
    expect(await textOf(h.page, '#round')).toBe('1 / 1');
    expect(Number(await textOf(h.page, '#rate'))).toBeGreaterThan(0);
    expect(await textOf(h.page, '#eta')).toBe('done');
    // Off the charts, their legends read the latest values, not uPlot's "--".
    await h.page.waitForFunction(() => [...document.querySelectorAll('#loss-chart .u-value, #score-chart .u-value')].every((e) => /\d/.test(e.textContent ?? '')), { timeout: 5000 });
    expect(await h.page.$$eval('#score-chart .u-value', (els) => els.length)).toBe(5);
    // The finished checkpoint is kept in IndexedDB.
    await h.page.waitForFunction(() => !(document.getElementById('saved') as HTMLElement).hidden, { timeout: 10_000 });
    expect(await textOf(h.page, '#saved-text')).toMatch(/^lstm, step 20, round 1/);
    expect(await h.page.$eval('#page-error', (el) => (el as HTMLElement).hidden)).toBe(true);
  });

  it('answers in the predict box, beside the true primes', async () => {
    // A token outside the vocabulary gets one sentence.
    await h.page.type('#predict-input', '3 50');
    await h.page.click('#predict');
    await h.page.waitForFunction(() => (document.getElementById('predict-error')?.textContent ?? '') !== '');
    expect(await textOf(h.page, '#predict-error')).toBe('"50" is not a number from 1 to 10 (this model\'s vocab_size is 12).');
    await h.page.$eval('#predict-input', (el) => ((el as HTMLInputElement).value = ''));
    await h.page.type('#predict-input', '2 4 7 9');
    await h.page.click('#predict');
    await h.page.waitForFunction(() => !(document.getElementById('predict-result') as HTMLElement).hidden, { timeout: 10_000 });
    expect(await textOf(h.page, '#predict-error')).toBe('');
    expect(await textOf(h.page, '#predict-in')).toBe('2 4 7 9');
    expect(await textOf(h.page, '#predict-true')).toBe('2 7');
    expect(await textOf(h.page, '#predict-out')).toMatch(/^(\(none\)|\d+( \d+)*)$/);
    expect(await textOf(h.page, '#predict-decoding')).toBe('greedy');

    // A bad beam width gets one sentence; a good one decodes by beam search.
    const setBeam = (v: string) => h.page.$eval('#predict-beam', (el, value) => ((el as HTMLInputElement).value = value), v);
    await setBeam('0');
    await h.page.click('#predict');
    await h.page.waitForFunction(() => (document.getElementById('predict-error')?.textContent ?? '') !== '');
    expect(await textOf(h.page, '#predict-error')).toBe('The beam width must be a whole number from 1 (greedy) to 16, got "0".');
    await setBeam('3');
    await h.page.click('#predict');
    await h.page.waitForFunction(() => !(document.getElementById('predict-result') as HTMLElement).hidden, { timeout: 30_000 });
    expect(await textOf(h.page, '#predict-error')).toBe('');
    expect(await textOf(h.page, '#predict-decoding')).toBe('beam search, width 3');
    expect(await textOf(h.page, '#predict-out')).toMatch(/^(\(none\)|\d+( \d+)*)$/);
  });

  it('writes a screenshot after training', async () => {
    mkdirSync(`${PROJECT_ROOT}test-artifacts`, { recursive: true });
    await h.page.setViewport({ width: 1200, height: 900 });
    await new Promise((r) => setTimeout(r, 300));
    await h.page.screenshot({ path: `${PROJECT_ROOT}test-artifacts/demo.png`, fullPage: true });
  });

  it('fills the benchmark tables (tiny mode)', async () => {
    await h.page.select('#bench-mode', 'tiny');
    await h.page.click('#bench');
    await h.page.waitForFunction(() => /^(Done|[^R])/.test(document.getElementById('bench-message')?.textContent ?? '') && !(document.getElementById('bench') as HTMLButtonElement).disabled, {
      timeout: 90_000,
    });
    expect(await textOf(h.page, '#bench-message')).toMatch(/^Done in /);
    const rows = await h.page.$$eval('#bench-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? '')));
    expect(rows.length).toBeGreaterThan(0);
    for (const [kernel, , gflops, us] of rows) {
      expect(kernel).toMatch(/^matmul /);
      expect(Number(gflops)).toBeGreaterThan(0);
      expect(Number(us)).toBeGreaterThan(0);
    }
    // The model of the settings, its training step timed (and profiled per kernel when it can be).
    const models = await h.page.$$eval('#bench-models summary', (els) => els.map((e) => e.textContent ?? ''));
    expect(models).toHaveLength(1);
    const section = await h.page.$('#bench-section');
    await section!.screenshot({ path: `${PROJECT_ROOT}test-artifacts/demo-bench.png` });
    expect(models[0]).toMatch(/^Your settings: lstm, hidden 16, batch 8, max_length 4 — training step \d+\.\d+ ms/);
  });

  it('keeps the finished checkpoint across a reload, loads it back, continues, pauses and stops', async () => {
    await h.page.reload({ waitUntil: 'load' });
    await pageReady(h.page);
    expect(await h.page.$eval('#saved', (el) => (el as HTMLElement).hidden)).toBe(false);
    await h.page.click('#saved-load');
    await h.page.waitForFunction(() => document.body.dataset.state === 'ready', { timeout: 60_000 });
    expect(await textOf(h.page, '#checkpoint-message')).toMatch(/^Loaded .*model lstm, step 20, round 1, GeoMean \d\.\d+\. Predict/);
    // The loaded model's own scores fill the panel.
    expect(Number(await textOf(h.page, '#score-geomean'))).toBeGreaterThanOrEqual(0);
    expect(await textOf(h.page, '#score-round')).toMatch(/^\(round 1, \d+ samples\)$/);
    expect(await h.page.$eval('[name="vocab_size"]', (el) => (el as HTMLInputElement).value)).toBe('12');
    expect(await h.page.$eval('#predict', (el) => (el as HTMLButtonElement).disabled)).toBe(false);

    // Continue training it (more rounds need no new session), pause, resume, stop.
    await setField(h.page, 'rounds', '50');
    await h.page.click('#continue');
    await h.page.waitForFunction(() => document.body.dataset.state === 'training' && /^[2-9]\d /.test(document.getElementById('step')?.textContent ?? ''), {
      timeout: 30_000,
    });
    await h.page.click('#pause');
    await h.page.waitForFunction(() => document.body.dataset.state === 'paused', { timeout: 30_000 });
    const pausedAt = await textOf(h.page, '#step');
    await new Promise((r) => setTimeout(r, 500));
    expect(await textOf(h.page, '#step')).toBe(pausedAt);
    expect(await textOf(h.page, '#pause')).toBe('Resume');
    await h.page.click('#pause');
    await h.page.waitForFunction(() => document.body.dataset.state === 'training', { timeout: 5000 });
    await h.page.click('#stop');
    await h.page.waitForFunction(() => document.body.dataset.state === 'ready', { timeout: 30_000 });
    expect(await textOf(h.page, '#train-message')).toMatch(/^Stopped at step \d+\./);
    expect(Number((await textOf(h.page, '#step')).split(' / ')[0])).toBeLessThan(1000);

    await h.page.click('#saved-remove');
    await h.page.waitForFunction(() => (document.getElementById('saved') as HTMLElement).hidden);
    expect(await h.page.$eval('#page-error', (el) => (el as HTMLElement).hidden)).toBe(true);
    expect(h.pageErrors).toEqual([]);
  });

  it('says in one sentence why a chosen file is not a checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-'));
    const file = join(dir, 'notes.safetensors');
    writeFileSync(file, 'this is not a safetensors file');
    try {
      const input = await h.page.$('#load');
      await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(file);
      await h.page.waitForFunction(() => document.getElementById('checkpoint-message')?.classList.contains('error-text'), { timeout: 10_000 });
      expect(await textOf(h.page, '#checkpoint-message')).toMatch(/^notes\.safetensors [^\n]*\.$/);
      expect(await h.page.$eval('#page-error', (el) => (el as HTMLElement).hidden)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows the one WebGPU message when navigator.gpu is missing', async () => {
    await h.page.evaluateOnNewDocument(() => {
      delete (Navigator.prototype as { gpu?: unknown }).gpu;
    });
    await h.page.reload({ waitUntil: 'load' });
    await pageReady(h.page);
    expect(await h.page.$eval('#no-webgpu', (el) => (el as HTMLElement).hidden)).toBe(false);
    expect(await textOf(h.page, '#no-webgpu-text')).toBe(WEBGPU_HELP);
    expect(await h.page.$eval('#start', (el) => (el as HTMLButtonElement).disabled)).toBe(true);
    expect(h.pageErrors).toEqual([]);
  });

  it('shows the message when the browser finds no adapter', async () => {
    await h.page.evaluateOnNewDocument(() => {
      Object.defineProperty(Navigator.prototype, 'gpu', { configurable: true, get: () => ({ requestAdapter: async () => null }) });
    });
    await h.page.reload({ waitUntil: 'load' });
    await pageReady(h.page);
    expect(await h.page.$eval('#no-webgpu', (el) => (el as HTMLElement).hidden)).toBe(false);
    expect(await textOf(h.page, '#no-webgpu-text')).toBe(`No WebGPU adapter was found. ${WEBGPU_HELP}`);
    expect(h.pageErrors).toEqual([]);
  });
});

