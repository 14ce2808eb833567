// The counters and the scores panel: step and round, and the last evaluation's figures.
import type { Evaluation, Trainer } from '../../lib/index.ts';
import type { Demo } from '../demo.ts';
import { fmt, text } from '../dom.ts';

/** Step and round against the run's totals (`rounds` × `steps` of the settings it trains to). */
export function showPosition(trainer: Trainer, c: { rounds: number; steps: number }): void {
  text('step', `${trainer.step} / ${c.rounds * c.steps}`);
  text('round', `${trainer.round} / ${c.rounds}`);
}

export function showScores(demo: Demo, round: number, s: Evaluation): void {
  demo.state.lastSummary = s;
  text('score-bleu', s.bleu !== undefined ? fmt(s.bleu, 2) : '–');
  text('score-round', `(round ${round}, ${s.count} samples)`);
  for (const key of ['psa', 'lcsr', 'geomean', 'exact_match', 'length_accuracy'] as const) {
    const std = s[`${key}_std`];
    text(`score-${key}`, s.rounds > 1 ? `${fmt(s[key])} ± ${fmt(std)}` : fmt(s[key]));
  }
}

/** Empties the charts, counters and scores for a new model. */
export function clearRun(demo: Demo): void {
  demo.lossChart.clear();
  demo.scoreChart.clear();
  demo.state.lastSummary = null;
  for (const id of ['step', 'round', 'loss', 'rate', 'eta', 'score-psa', 'score-lcsr', 'score-geomean', 'score-exact_match', 'score-length_accuracy', 'score-bleu']) text(id, '–');
  text('score-round', '');
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 1) return '< 1 s';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${sec} s` : `${sec} s`;
}
