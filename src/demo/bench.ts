// The benchmark's modes as the page offers them, and its per-op table (the library's
// runBenchmark runs it: the same page-side runner as `seq2seq bench`).
import type { BenchMode, BenchReport } from '../lib/index.ts';

export const BENCH_MODES: { mode: BenchMode; label: string }[] = [
  { mode: 'tiny', label: 'tiny' },
  { mode: 'quick', label: 'quick' },
  { mode: 'full', label: 'full' },
];

/** One row per op of the report: µs per call, GB/s, GFLOP/s (— when it moves more than it computes), max error against float64. False when there are none. */
export function fillOpsTable(body: HTMLElement, report: BenchReport): boolean {
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
