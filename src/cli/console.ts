// What the train command shows: a progress bar on stderr, a table of round scores and a
// final JSON line on stdout.
import cliProgress from 'cli-progress';
import type { Summary } from '../metrics/index.ts';

export function progressBar(total: number, start: number): cliProgress.SingleBar {
  const bar = new cliProgress.SingleBar(
    {
      format: 'train |{bar}| step {value}/{total} | loss {loss} | {rate} steps/s | ETA {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      // Off a terminal (CI, logs) print a line every 10 s instead of redrawing.
      noTTYOutput: true,
      notTTYSchedule: 10_000,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, start, { loss: '-', rate: '-' });
  return bar;
}

const COLUMNS = ['round', 'step', 'loss', 'psa', 'lcsr', 'geomean', 'exact', 'len_acc', 'time_s'] as const;

/** `bleu`: a file task, whose evaluations add corpus BLEU (docs/contract.md §2). */
export function tableHeader(bleu = false): string {
  const columns: string[] = bleu ? [...COLUMNS.slice(0, -1), 'bleu', 'time_s'] : [...COLUMNS];
  return `${columns.map((c) => c.padStart(8)).join(' ')}\n`;
}

export function tableRow(round: number, step: number, loss: number, s: Summary & { bleu?: number }, elapsed: number): string {
  const cells = [
    String(round),
    String(step),
    loss.toFixed(4),
    s.psa.toFixed(4),
    s.lcsr.toFixed(4),
    s.geomean.toFixed(4),
    s.exact_match.toFixed(4),
    s.length_accuracy.toFixed(4),
    ...(s.bleu !== undefined ? [s.bleu.toFixed(2)] : []),
    elapsed.toFixed(1),
  ];
  return `${cells.map((c) => c.padStart(8)).join(' ')}\n`;
}
