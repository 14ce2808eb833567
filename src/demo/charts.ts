// Live charts (uPlot): loss per logged step, and the evaluation figures per round. Data is
// kept decimated (DecimatedSeries) and redrawn at most once per animation frame.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { DecimatedSeries } from './decimate.ts';

const MAX_POINTS = 2000;

abstract class LiveChart {
  protected plot: uPlot;
  private dirty = false;
  private frame = 0;
  /** Times the chart was redrawn with new data (tests read it from the DOM). */
  draws = 0;

  constructor(
    protected readonly root: HTMLElement,
    opts: Omit<uPlot.Options, 'width' | 'height'>,
    empty: uPlot.AlignedData,
  ) {
    // Off the chart the legend shows the latest values instead of uPlot's "--".
    const hooks = { ...opts.hooks, setCursor: [...(opts.hooks?.setCursor ?? []), (u: uPlot) => this.showLatest(u)] };
    this.plot = new uPlot({ ...opts, hooks, ...this.size() }, empty, root);
    // Follow the container's width only (the chart sets its own height), a frame later, so
    // resizing never feeds back into the observer.
    let width = root.clientWidth;
    new ResizeObserver(() => {
      if (root.clientWidth === width) return;
      width = root.clientWidth;
      requestAnimationFrame(() => this.plot.setSize(this.size()));
    }).observe(root);
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(240, this.root.clientWidth || 480), height: 220 };
  }

  /** With no point under the cursor, the legend reads the last point's values. */
  private showLatest(u: uPlot): void {
    const n = u.data[0]?.length ?? 0;
    if (u.cursor.idx == null && n > 0) u.setLegend({ idx: n - 1 });
  }

  protected abstract aligned(): uPlot.AlignedData;
  abstract get points(): number;

  /** Marks the chart for a redraw on the next animation frame. */
  protected invalidate(): void {
    this.dirty = true;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (!this.dirty) return;
      this.dirty = false;
      this.plot.setData(this.aligned());
      this.showLatest(this.plot);
      this.draws++;
      this.root.dataset.points = String(this.points);
    });
  }
}

export class LossChart extends LiveChart {
  private readonly series = new DecimatedSeries(MAX_POINTS);

  constructor(root: HTMLElement) {
    super(
      root,
      {
        title: 'Training loss',
        scales: { x: { time: false } },
        axes: [{ label: 'step' }, { label: 'cross-entropy' }],
        series: [{ label: 'step' }, { label: 'loss', stroke: '#2563eb', width: 1.5, value: (_u, v) => (v == null ? '–' : v.toFixed(4)) }],
        legend: { live: true },
      },
      [[], []],
    );
  }

  add(step: number, loss: number): void {
    this.series.push(step, loss);
    this.invalidate();
  }

  clear(): void {
    this.series.clear();
    this.invalidate();
  }

  get points(): number {
    return this.series.length;
  }

  protected aligned(): uPlot.AlignedData {
    return this.series.data();
  }
}

export const FIGURES = [
  { key: 'psa', label: 'PSA', color: '#2563eb' },
  { key: 'lcsr', label: 'LCSR', color: '#16a34a' },
  { key: 'geomean', label: 'GeoMean', color: '#dc2626' },
  { key: 'exact_match', label: 'exact match', color: '#9333ea' },
] as const;
export type FigureKey = (typeof FIGURES)[number]['key'];

export class ScoreChart extends LiveChart {
  private readonly series = FIGURES.map(() => new DecimatedSeries(MAX_POINTS));

  constructor(root: HTMLElement) {
    super(
      root,
      {
        title: 'Evaluation per round',
        scales: { x: { time: false }, y: { range: [0, 1] } },
        // Rounds are whole numbers: integer ticks only.
        axes: [{ label: 'round', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }, { label: 'score' }],
        series: [
          { label: 'round' },
          ...FIGURES.map((f) => ({
            label: f.label,
            stroke: f.color,
            width: 1.5,
            points: { show: true, size: 5 },
            value: (_u: uPlot, v: number | null) => (v == null ? '–' : v.toFixed(3)),
          })),
        ],
      },
      [[], ...FIGURES.map(() => [])],
    );
  }

  add(round: number, scores: Record<FigureKey, number>): void {
    FIGURES.forEach((f, i) => this.series[i].push(round, scores[f.key]));
    this.invalidate();
  }

  clear(): void {
    for (const s of this.series) s.clear();
    this.invalidate();
  }

  get points(): number {
    return this.series[0].length;
  }

  protected aligned(): uPlot.AlignedData {
    const [xs] = this.series[0].data();
    return [xs, ...this.series.map((s) => s.data()[1])];
  }
}
