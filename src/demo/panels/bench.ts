// The benchmark panel: the library's runBenchmark on the settings form's model, its matmul,
// per-op and per-kernel tables.
import { runBenchmark, type BenchMode, type BenchReport } from '../../lib/index.ts';
import { BENCH_MODES, fillOpsTable } from '../bench.ts';
import type { Demo } from '../demo.ts';
import { $, cell, say } from '../dom.ts';

const us = (x: number) => (x < 100 ? x.toFixed(1) : x.toFixed(0));

export function wireBenchPanel(demo: Demo): void {
  const benchMode = $<HTMLSelectElement>('bench-mode');
  for (const m of BENCH_MODES) benchMode.append(new Option(m.label, m.mode));
  benchMode.value = 'quick';
  $('bench').addEventListener('click', () => void bench(demo, benchMode.value as BenchMode));
}

async function bench(demo: Demo, mode: BenchMode): Promise<void> {
  const config = demo.form.read();
  if (!config) return say('bench-message', 'Fix the settings first: the benchmark times their model.');
  demo.state.benchRunning = true;
  demo.render();
  say('bench-message', `Running the ${mode} benchmark…`);
  const t0 = performance.now();
  try {
    const report = await runBenchmark(mode, config, (p) => say('bench-message', `Running the ${mode} benchmark: ${p}…`));
    showBench(report);
    say('bench-message', `Done in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${report.adapter.vendor || 'this adapter'}${report.adapter.is_fallback ? ' (software fallback)' : ''}.`);
  } catch (err) {
    demo.report('bench-message', err);
  } finally {
    demo.state.benchRunning = false;
    demo.render();
  }
}

function showBench(report: BenchReport): void {
  const body = $('bench-table').querySelector('tbody')!;
  body.replaceChildren(
    ...(report.matmul?.results ?? []).map((r) => {
      const tr = document.createElement('tr');
      cell(tr, `matmul ${r.kernel}`);
      cell(tr, r.shape);
      cell(tr, r.gflops.toFixed(2), 'num');
      cell(tr, us(r.ms * 1000), 'num');
      cell(tr, r.method === 'timestamp' ? 'GPU timestamps' : 'submit → done');
      return tr;
    }),
  );
  $('bench-table').hidden = !report.matmul;
  $('bench-ops').hidden = !fillOpsTable($('bench-ops').querySelector('tbody')!, report);
  $('bench-models').replaceChildren(...Object.entries(report.models).map(([name, m], i) => modelBox(name, m, i === 0)));
}

/** One model case: its summary line, and its per-kernel table when the device has timestamp queries. */
function modelBox(name: string, m: BenchReport['models'][string], open: boolean): HTMLElement {
  const box = document.createElement('details');
  box.className = 'bench-model';
  box.open = open;
  const t = m.train_step;
  const summary = document.createElement('summary');
  summary.textContent =
    `${name === 'settings' ? 'Your settings' : name}: ${m.config.model}, hidden ${m.config.hidden_size}, batch ${m.config.batch_size}, max_length ${m.config.max_length} — ` +
    `training step ${t.ms_per_step.toFixed(2)} ms (${t.steps_per_s.toFixed(1)} steps/s, ${t.dispatches} dispatches), decode ${m.decode_step.ms_per_call.toFixed(2)} ms`;
  box.append(summary);
  if (!t.profile) {
    const p = document.createElement('p');
    p.className = 'note';
    p.textContent = 'Per-kernel GPU times need the timestamp-query feature, which this device does not offer.';
    box.append(p);
    return box;
  }
  const table = document.createElement('table');
  table.className = 'bench';
  table.innerHTML = '<thead><tr><th>kernel (training step)</th><th class="num">calls/step</th><th class="num">µs per call</th><th class="num">ms per step</th></tr></thead>';
  const tb = document.createElement('tbody');
  for (const k of t.profile.by_pipeline) {
    const tr = document.createElement('tr');
    cell(tr, k.kernel);
    cell(tr, String(k.calls_per_step), 'num');
    cell(tr, us(k.median_us_per_call), 'num');
    cell(tr, k.total_ms_per_step.toFixed(3), 'num');
    tb.append(tr);
  }
  table.append(tb);
  box.append(table);
  return box;
}
