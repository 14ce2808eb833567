// What `seq2seq train` does with the training driver's events (src/train/driver.ts): the
// progress bar and step lines of metrics.jsonl, each round's checkpoint, its evaluation
// line, best.safetensors, the table row and the stop_at sentence; and the final JSON line.
import type { SingleBar } from 'cli-progress';
import type { Config } from '../../config/index.ts';
import { adapterJson } from '../../io/adapter_summary.ts';
import type { AdapterSummary } from '../../io/adapter_summary.ts';
import { progressBar, tableRow } from '../console.ts';
import { BestTracker, stopAtMessage } from '../../rundir/outcome.ts';
import type { RunDir } from '../../rundir/rundir.ts';
import type { RuntimeChoice } from '../../runtimes/runtime.ts';
import type { DriverEvents, EvaluatedRound, RunPosition } from '../../train/driver.ts';
import type { Io } from '../command.ts';

/** The scores of the last evaluated round, as the final JSON line gives them. */
type FinalScores = Record<string, unknown>;

export class TrainReport {
  private bar: SingleBar | null = null;
  private readonly best: BestTracker;
  /** Where the run stands (for the sentence of a failure). */
  step: number;
  final: FinalScores = {};

  constructor(
    private readonly io: Io,
    private readonly run: RunDir,
    private readonly config: Config,
    private readonly where: { runtime: RuntimeChoice; adapter: AdapterSummary; started: number },
    start: RunPosition,
    /** Called when writing a step line fails (training stops; flushMetrics then throws). */
    private readonly onLogError: () => void,
  ) {
    this.best = new BestTracker(run);
    this.step = start.step;
  }

  /** The driver's events, bound to this report. */
  events(): DriverEvents {
    return {
      started: (at) => this.started(at),
      progress: (p) => {
        this.bar?.update(p.step, { loss: p.loss.toFixed(4), rate: p.steps_per_s.toFixed(1) });
        this.run.queueMetrics({ type: 'step', ...p }, this.onLogError);
      },
      chunk: async (_r, at) => {
        this.step = at.step;
        await this.run.flushMetrics();
      },
      roundTrained: (at, checkpoint) => this.roundTrained(at, checkpoint),
      roundEvaluated: (r) => this.roundEvaluated(r),
    };
  }

  stopBar(): void {
    this.bar?.stop();
  }

  private started(at: RunPosition): void {
    const { rounds, steps } = this.config;
    this.bar = progressBar(rounds * steps, at.step);
  }

  private async roundTrained(at: RunPosition, checkpoint: Uint8Array | null): Promise<void> {
    if (!checkpoint) throw new Error('The driver was asked for a checkpoint per round.');
    await this.run.writeCheckpoint(checkpoint, at.round);
    this.bar?.update(at.step, { loss: at.loss.toFixed(4) });
    this.bar?.stop();
  }

  private async roundEvaluated(r: EvaluatedRound): Promise<void> {
    const { round, step, loss, summary } = r;
    const elapsed = (Date.now() - this.where.started) / 1000;
    await this.run.appendMetrics({ type: 'round', round, step, loss, elapsed_s: elapsed, ...summary, runtime: this.where.runtime, adapter: adapterJson(this.where.adapter) });
    await this.best.record(round, summary.geomean);
    this.io.stdout(tableRow(round, step, loss, summary, elapsed));
    if (r.reachedTarget) this.io.stderr(stopAtMessage(this.config, round, summary.geomean, this.run.path));
    const s = summary;
    this.final = { round, step, loss, psa: s.psa, lcsr: s.lcsr, geomean: s.geomean, exact_match: s.exact_match, length_accuracy: s.length_accuracy, psa_std: s.psa_std, lcsr_std: s.lcsr_std, geomean_std: s.geomean_std, ...(s.bleu !== undefined ? { bleu: s.bleu } : {}) };
    const { rounds, steps } = this.config;
    this.bar?.start(rounds * steps, step, { loss: loss.toFixed(4), rate: '-' });
  }

  /** The last stdout line: the run, its last scores, its best round, whether it stopped at stop_at. */
  finalLine(stoppedAtTarget: boolean): string {
    const elapsed = (Date.now() - this.where.started) / 1000;
    const { runtime, adapter } = this.where;
    return `${JSON.stringify({ run_dir: this.run.path, model: this.config.model, elapsed_s: Number(elapsed.toFixed(1)), ...this.final, ...this.best.summary(), stopped_at_target: stoppedAtTarget, runtime, adapter: adapterJson(adapter) })}\n`;
  }
}
