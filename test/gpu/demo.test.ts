// The demo page end to end in headless Chrome: settings with inline errors, a tiny
// training run that moves the charts and the scores, prediction, the kept checkpoint
// across a reload, the benchmark table, a screenshot, and the no-WebGPU message.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openHarness, type Harness } from '../../src/runtimes/chrome/harness.ts';
import { PROJECT_ROOT } from '../../src/runtimes/chrome/vite_server.ts';
import { DecimatedSeries } from '../../src/demo/decimate.ts';
import { parseBeam, parseSequence } from '../../src/demo/predict.ts';
import { WEBGPU_HELP } from '../../src/gpu/device.ts';
import { isHeldOut } from '../../src/data/split.ts';
import { OP_KIT } from '../../src/check/cases/index.ts';

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

// Waits are for page events (a state, a filled cell), bounded only generously: on a loaded
// machine SwiftShader runs many times slower, and a bound that ends early only fails the test.
const WAIT = 300_000;
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

async function pageReady(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: WAIT });
}

/** Opens the demo page, ready, before a describe's tests (handing it to `use`) and closes it after them. */
function useDemoPage(use: (h: Harness) => void): void {
  let opened: Harness | undefined;
  beforeAll(async () => {
    opened = await openHarness({ pagePath: 'index.html' });
    await pageReady(opened.page);
    use(opened);
  });
  afterAll(async () => {
    await opened?.close();
  });
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
    expect(() => parseSequence('2 11', c)).toThrow('The sequence holds 11; numbers must be from 1 to 10');
    expect(() => parseSequence('1 2 3 4 5', c)).toThrow('at most max_length = 4');
    expect(() => parseSequence('', c)).toThrow('Type a sequence');
    expect(parseBeam(' 3 ')).toBe(3);
    for (const bad of ['0', '17', '2.5', '', 'x']) expect(() => parseBeam(bad)).toThrow('The beam width must be a whole number from 1 (greedy) to 16');
  });
});

describe('demo page in headless Chrome', () => {
  let h: Harness;
  useDemoPage((opened) => (h = opened));

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
      timeout: WAIT,
    });
    await h.page.waitForFunction(() => Number((document.getElementById('score-chart') as HTMLElement).dataset.points) >= 1, { timeout: WAIT });
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
    await h.page.waitForFunction(() => [...document.querySelectorAll('#loss-chart .u-value, #score-chart .u-value')].every((e) => /\d/.test(e.textContent ?? '')), { timeout: WAIT });
    expect(await h.page.$$eval('#score-chart .u-value', (els) => els.length)).toBe(5);
    // The finished checkpoint is kept in IndexedDB.
    await h.page.waitForFunction(() => !(document.getElementById('saved') as HTMLElement).hidden, { timeout: WAIT });
    expect(await textOf(h.page, '#saved-text')).toMatch(/^lstm, step 20, round 1/);
    expect(await h.page.$eval('#page-error', (el) => (el as HTMLElement).hidden)).toBe(true);
  });

  it('answers in the predict box, beside the true primes', async () => {
    // A token outside the vocabulary gets one sentence.
    await h.page.type('#predict-input', '3 50');
    await h.page.click('#predict');
    await h.page.waitForFunction(() => (document.getElementById('predict-error')?.textContent ?? '') !== '');
    expect(await textOf(h.page, '#predict-error')).toBe('The sequence holds 50; numbers must be from 1 to 10 (vocab_size 12).');
    await h.page.$eval('#predict-input', (el) => ((el as HTMLInputElement).value = ''));
    await h.page.type('#predict-input', '2 4 7 9');
    await h.page.click('#predict');
    await h.page.waitForFunction(() => !(document.getElementById('predict-result') as HTMLElement).hidden, { timeout: WAIT });
    expect(await textOf(h.page, '#predict-error')).toBe('');
    expect(await textOf(h.page, '#predict-in')).toBe('2 4 7 9');
    expect(await textOf(h.page, '#predict-true')).toBe('2 7');
    expect(await textOf(h.page, '#predict-out')).toMatch(/^(\(none\)|\d+( \d+)*)$/);
    expect(await textOf(h.page, '#predict-decoding')).toBe('greedy');
    // lstm has no attention: no heat map.
    expect(await h.page.$eval('#predict-attention', (el) => (el as HTMLElement).hidden)).toBe(true);

    // A bad beam width gets one sentence; a good one decodes by beam search.
    const setBeam = (v: string) => h.page.$eval('#predict-beam', (el, value) => ((el as HTMLInputElement).value = value), v);
    await setBeam('0');
    await h.page.click('#predict');
    await h.page.waitForFunction(() => (document.getElementById('predict-error')?.textContent ?? '') !== '');
    expect(await textOf(h.page, '#predict-error')).toBe('The beam width must be a whole number from 1 (greedy) to 16, got "0".');
    await setBeam('3');
    await h.page.click('#predict');
    await h.page.waitForFunction(() => !(document.getElementById('predict-result') as HTMLElement).hidden, { timeout: WAIT });
    expect(await textOf(h.page, '#predict-error')).toBe('');
    expect(await textOf(h.page, '#predict-decoding')).toBe('beam search, width 3');
    expect(await textOf(h.page, '#predict-out')).toMatch(/^(\(none\)|\d+( \d+)*)$/);
  });

  it('writes a screenshot after training', async () => {
    mkdirSync(`${PROJECT_ROOT}test-artifacts`, { recursive: true });
    await h.page.setViewport({ width: 1200, height: 900 });
    // Laid out again at the new size: two animation frames later.
    await h.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await h.page.screenshot({ path: `${PROJECT_ROOT}test-artifacts/demo.png`, fullPage: true });
  });

  it('fills the benchmark tables (tiny mode)', async () => {
    await h.page.select('#bench-mode', 'tiny');
    await h.page.click('#bench');
    await h.page.waitForFunction(() => /^(Done|[^R])/.test(document.getElementById('bench-message')?.textContent ?? '') && !(document.getElementById('bench') as HTMLButtonElement).disabled, {
      timeout: WAIT,
    });
    expect(await textOf(h.page, '#bench-message')).toMatch(/^Done in /);
    const rows = await h.page.$$eval('#bench-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? '')));
    expect(rows.length).toBeGreaterThan(0);
    for (const [kernel, , gflops, us] of rows) {
      expect(kernel).toMatch(/^matmul /);
      expect(Number(gflops)).toBeGreaterThan(0);
      expect(Number(us)).toBeGreaterThan(0);
    }
    // Every training op, checked and timed at the settings' sizes.
    const ops = await h.page.$$eval('#bench-ops tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? '')));
    expect(ops.map((r) => r[0])).toEqual(OP_KIT.map((e) => e.op));
    for (const [op, shape, us, gbs] of ops) {
      expect(shape, op).toMatch(/=/);
      expect(Number(us), op).toBeGreaterThan(0);
      expect(Number(gbs), op).toBeGreaterThan(0);
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
    await h.page.waitForFunction(() => document.body.dataset.state === 'ready', { timeout: WAIT });
    expect(await textOf(h.page, '#checkpoint-message')).toMatch(/^Loaded .*model lstm, step 20, round 1, GeoMean \d\.\d+\. Predict/);
    // The loaded model's own scores fill the panel.
    expect(Number(await textOf(h.page, '#score-geomean'))).toBeGreaterThanOrEqual(0);
    expect(await textOf(h.page, '#score-round')).toMatch(/^\(round 1, \d+ samples\)$/);
    expect(await h.page.$eval('[name="vocab_size"]', (el) => (el as HTMLInputElement).value)).toBe('12');
    expect(await h.page.$eval('#predict', (el) => (el as HTMLButtonElement).disabled)).toBe(false);

    // Continue training it (more rounds need no new session), pause, resume, stop.
    await setField(h.page, 'rounds', '50');
    await h.page.click('#continue');
    await h.page.waitForFunction(() => document.body.dataset.state === 'training' && Number(document.getElementById('step')?.textContent?.split(' / ')[0]) > 20, {
      timeout: WAIT,
    });
    await h.page.click('#pause');
    await h.page.waitForFunction(() => document.body.dataset.state === 'paused', { timeout: WAIT });
    const pausedAt = await textOf(h.page, '#step');
    await new Promise((r) => setTimeout(r, 500));
    expect(await textOf(h.page, '#step')).toBe(pausedAt);
    expect(await textOf(h.page, '#pause')).toBe('Resume');
    await h.page.click('#pause');
    await h.page.waitForFunction(() => document.body.dataset.state === 'training', { timeout: WAIT });
    await h.page.click('#stop');
    await h.page.waitForFunction(() => document.body.dataset.state === 'ready', { timeout: WAIT });
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
      await h.page.waitForFunction(() => document.getElementById('checkpoint-message')?.classList.contains('error-text'), { timeout: WAIT });
      expect(await textOf(h.page, '#checkpoint-message')).toMatch(/^notes\.safetensors [^\n]*\.$/);
      expect(await h.page.$eval('#page-error', (el) => (el as HTMLElement).hidden)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('task=file: a pairs file is read in the page (vocabulary and samples shown), an eval_data file chosen and dropped, trains with BLEU on it, and predicts text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-pairs-'));
    const upload = async (name: string, text: string, into = '#data-file') => {
      writeFileSync(join(dir, name), text);
      const input = await h.page.$(into);
      await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(join(dir, name));
    };
    const infoIs = (text: string) => h.page.waitForFunction((t) => document.getElementById('data-info')?.textContent === t, { timeout: WAIT }, text);
    try {
      await h.page.select('[name="task"]', 'file');
      expect(await h.page.$eval('#file-task', (el) => (el as HTMLElement).hidden)).toBe(false);
      await h.page.select('[name="tokenize"]', 'chars');
      await upload('bad.tsv', 'ab\tba\nno tab here\n');
      await h.page.waitForFunction(() => document.getElementById('data-info')?.classList.contains('error-text'), { timeout: WAIT });
      expect(await textOf(h.page, '#data-info')).toBe('Line 2 of bad.tsv has no tab between source and target.');

      // Every word of 1 to 3 letters from "abcd" (84 lines; the hash rule holds out 2 of them).
      const lines: string[] = [];
      for (const n of [1, 2, 3]) for (let i = 0; i < 4 ** n; i++) lines.push(Array.from({ length: n }, (_, k) => 'abcd'[Math.floor(i / 4 ** k) % 4]).join(''));
      const text = lines.map((w) => `${w}\t${[...w].reverse().join('')}`).join('\n');
      await upload('pairs.tsv', text);
      await h.page.waitForFunction(() => /^pairs\.tsv: /.test(document.getElementById('data-info')?.textContent ?? ''), { timeout: WAIT });
      const training = text.split('\n').filter((l) => !isHeldOut(l));
      const byHash = `pairs.tsv: ${training.length} training pairs, ${lines.length - training.length} held out (1 line in about 20, by hash), vocabulary 7 tokens (tokenize=chars), max_length 3.`;
      expect(await textOf(h.page, '#data-info')).toBe(byHash);
      const rows = await h.page.$$eval('#data-samples tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      expect(rows).toEqual(training.slice(0, 5).map((l) => l.split('\t')));

      // eval_data as on the command line: every pair of the chosen file is held out (an
      // unknown letter included), every line of pairs.tsv is trained on; dropping it goes
      // back to the hash rule.
      expect(await h.page.$eval('#eval-clear', (el) => (el as HTMLElement).hidden)).toBe(true);
      await upload('held.tsv', 'dab\tbad\nce\tec\ncab\tbac\n', '#eval-file');
      const byFile = `pairs.tsv: ${lines.length} training pairs, 3 held out (from held.tsv), vocabulary 7 tokens (tokenize=chars), max_length 3.`;
      await infoIs(byFile);
      expect(await textOf(h.page, '#eval-info')).toBe('Held-out pairs: every pair of held.tsv (eval_data).');
      await h.page.click('#eval-clear');
      await infoIs(byHash);
      expect(await textOf(h.page, '#eval-info')).toBe('Held-out pairs: about 1 line in 20 of the pairs file, by hash.');
      await upload('held.tsv', 'dab\tbad\nce\tec\ncab\tbac\n', '#eval-file');
      await infoIs(byFile);

      for (const [k, v] of Object.entries({ hidden_size: '16', embedding_size: '8', batch_size: '8', steps: '20', rounds: '1' })) await setField(h.page, k, v);
      await h.page.click('#start');
      await h.page.waitForFunction(() => document.getElementById('score-bleu')?.textContent !== '–' && document.body.dataset.state === 'ready', { timeout: WAIT });
      expect(Number(await textOf(h.page, '#score-bleu'))).toBeGreaterThanOrEqual(0);
      expect(await textOf(h.page, '#score-round')).toBe('(round 1, 3 samples)');

      await h.page.$eval('#predict-input', (el) => ((el as HTMLInputElement).value = ''));
      await h.page.type('#predict-input', 'abc');
      await h.page.click('#predict');
      await h.page.waitForFunction(() => !(document.getElementById('predict-result') as HTMLElement).hidden, { timeout: WAIT });
      expect(await textOf(h.page, '#predict-in')).toBe('abc');
      expect(await textOf(h.page, '#predict-out')).toMatch(/^([abcd]+|\(none\))$/);
      expect(await h.page.$eval('#predict-true-row', (el) => (el as HTMLElement).hidden)).toBe(true);
      expect(h.pageErrors).toEqual([]);
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


describe('demo page: the attn model and its attention heat map', () => {
  let h: Harness;
  useDemoPage((opened) => (h = opened));

  it('choosing attn brings its defaults; a trained attn model draws its weights under the prediction', async () => {
    expect(await h.page.$eval('[name="reverse_source"]', (el) => (el as HTMLInputElement).checked)).toBe(true);
    await setField(h.page, 'model', 'attn');
    expect(await h.page.$eval('[name="reverse_source"]', (el) => (el as HTMLInputElement).checked)).toBe(false);
    for (const [k, v] of Object.entries({ ...TINY, task: 'reverse' })) await setField(h.page, k, v);
    expect(await textOf(h.page, '#form-error')).toBe('');
    await h.page.click('#start');
    await h.page.waitForFunction(() => document.getElementById('score-geomean')?.textContent !== '–' && document.body.dataset.state === 'ready', { timeout: WAIT });
    await h.page.type('#predict-input', '3 1 4');
    await h.page.click('#predict');
    await h.page.waitForFunction(() => !(document.getElementById('predict-result') as HTMLElement).hidden, { timeout: WAIT });
    expect(await textOf(h.page, '#predict-true')).toBe('4 1 3');
    const out = await textOf(h.page, '#predict-out');
    const predicted = out === '(none)' ? 0 : out.split(' ').length;
    expect(await h.page.$eval('#predict-attention', (el) => (el as HTMLElement).hidden)).toBe(false);
    const head = await h.page.$$eval('#predict-attention thead th', (ths) => ths.map((th) => th.textContent));
    expect(head).toEqual(['out \\ in', '3', '1', '4']);
    const rows = await h.page.$$eval('#predict-attention tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => (c as HTMLElement).title || c.textContent)));
    // One row per output token up to the EOS (at most max_length + 1 = 5), one cell per input number.
    expect(rows).toHaveLength(Math.min(predicted + 1, 5));
    for (const row of rows) {
      expect(row).toHaveLength(4);
      const sum = row.slice(1).reduce((a, t) => a + Number(/: ([\d.]+)$/.exec(t ?? '')![1]), 0);
      expect(sum).toBeCloseTo(1, 3);
    }
    mkdirSync(`${PROJECT_ROOT}test-artifacts`, { recursive: true });
    await (await h.page.$('#predict-section'))!.screenshot({ path: `${PROJECT_ROOT}test-artifacts/demo-attention.png` });

    // With a beam, the map is the chosen beam's: one row per token of the beam's prediction.
    await h.page.$eval('#predict-beam', (el) => ((el as HTMLInputElement).value = '3'));
    await h.page.click('#predict');
    await h.page.waitForFunction(() => document.getElementById('predict-decoding')?.textContent === 'beam search, width 3', { timeout: WAIT });
    const beamOut = await textOf(h.page, '#predict-out');
    const beamRows = await h.page.$$eval('#predict-attention tbody tr', (trs) => trs.map((tr) => tr.firstElementChild?.textContent));
    expect(beamRows).toEqual([...(beamOut === '(none)' ? [] : beamOut.split(' ')), 'EOS'].slice(0, 5));
    expect(h.pageErrors).toEqual([]);
  }, 600_000);
});
