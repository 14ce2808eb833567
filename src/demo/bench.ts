// The kernel benchmark on the page, through the same page-side runner as `seq2seq bench`
// (src/bench/run.ts): matmul GFLOP/s per kernel and shape, each training op checked and timed
// at the settings' sizes, then the training step of the model in the settings form, with
// per-kernel GPU times (when the device has timestamp queries).
import type { Config } from '../config/index.ts';
import { benchPlan, type BenchMode } from '../bench/plan.ts';
import { runBench, type PageBenchReport } from '../bench/run.ts';

export const BENCH_MODES: { mode: BenchMode; label: string }[] = [
  { mode: 'tiny', label: 'tiny' },
  { mode: 'quick', label: 'quick' },
  { mode: 'full', label: 'full' },
];

/** The mode's matmul sizes and step counts, with the model of the settings form as the one model case. */
export async function runBenchmark(mode: BenchMode, config: Config, onProgress: (text: string) => void): Promise<PageBenchReport> {
  const g = globalThis as { __seq2seqBenchProgress?: (text: string) => unknown };
  const before = g.__seq2seqBenchProgress;
  g.__seq2seqBenchProgress = onProgress;
  try {
    const plan = benchPlan(mode);
    const ops = plan.ops && { ...plan.ops, config };
    return await runBench({ ...plan, ops, models: [{ name: 'settings', config, about: 'the model of the settings above' }] });
  } finally {
    g.__seq2seqBenchProgress = before;
  }
}

/** One row per op of the report: µs per call, GB/s, GFLOP/s (— when it moves more than it computes), max error against float64. False when there are none. */
export function fillOpsTable(body: HTMLElement, report: PageBenchReport): boolean {
  const rows = report.ops?.results ?? [];
  body.replaceChildren(
    ...rows.map((r) => {
      const tr = document.createElement('tr');
      const cells: [string, string][] = [
        [r.op, ''],
        [r.shape, ''],
        [r.us_per_call < 100 ? r.us_per_call.toFixed(1) : r.us_per_call.toFixed(0), 'num'],
        [r.gb_per_s.toPrecision(3), 'num'],
        [r.gflop_per_s === null ? '—' : r.gflop_per_s.toPrecision(3), 'num'],
        [r.max_abs_error.toExponential(1), 'num'],
      ];
      for (const [text, cls] of cells) {
        const td = document.createElement('td');
        td.textContent = text;
        if (cls) td.className = cls;
        tr.append(td);
      }
      return tr;
    }),
  );
  return rows.length > 0;
}
