// Writes docs/demo-train.png and docs/demo-predict.png: the demo page in headless Chromium after a
// short attn run on the reverse task (the charts with a few rounds), then a prediction with its
// attention heat map. Run: npx tsx scripts/demo-screenshots.ts
import { join } from 'node:path';
import { openHarness } from '../src/runtimes/chrome/harness.ts';
import { PROJECT_ROOT } from '../src/runtimes/chrome/vite_server.ts';

const SETTINGS: Record<string, string> = {
  model: 'attn',
  task: 'reverse',
  vocab_size: '12',
  max_length: '5',
  embedding_size: '16',
  hidden_size: '32',
  batch_size: '32',
  lr: '0.01',
  steps: '100',
  rounds: '4',
  eval_samples: '100',
};
const WAIT = 600_000;

const h = await openHarness({ pagePath: 'index.html' });
try {
  const { page } = h;
  await page.setViewport({ width: 1200, height: 900 });
  await page.waitForSelector('body[data-ready="true"]', { timeout: WAIT });
  for (const [key, value] of Object.entries(SETTINGS)) {
    await page.$eval(`[name="${key}"]`, (el, v) => {
      (el as HTMLInputElement).value = v as string;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, value);
  }
  await page.click('#start');
  await page.waitForFunction(() => document.body.dataset.state === 'ready' && /^Finished/.test(document.getElementById('train-message')?.textContent ?? ''), { timeout: WAIT });
  await page.type('#predict-input', '3 1 4 5');
  await page.click('#predict');
  await page.waitForFunction(() => !(document.getElementById('predict-attention') as HTMLElement).hidden, { timeout: WAIT });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: join(PROJECT_ROOT, 'docs/demo-train.png'), fullPage: true });
  await (await page.$('#predict-section'))!.screenshot({ path: join(PROJECT_ROOT, 'docs/demo-predict.png') });
  if (h.pageErrors.length > 0) throw new Error(`The page reported errors: ${h.pageErrors.join(' | ')}`);
} finally {
  await h.close();
}
