// A run directory (docs/contract.md §5): config.json, metrics.jsonl, round-NNN.safetensors,
// last.safetensors and best.safetensors, every file written atomically so a crash never leaves a torn one.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.ts';
import { UserError } from '../errors.ts';
import { appendLineAtomic, writeFileAtomic } from '../io/atomic.ts';
import { decodeCheckpoint } from '../io/checkpoint.ts';
import { fsCode, fsReason } from '../io/fs_errors.ts';
import { MAX_CHECKPOINT_BYTES, MAX_INPUT_BYTES, readFileBounded } from '../io/bounded_read.ts';
import { MAX_CONFIG_BYTES } from '../config/config_file.ts';
import type { FileIdentity } from '../data/read_node.ts';

export class RunDir {
  private metricsQueue: Promise<void> = Promise.resolve();
  private metricsError: unknown = null;

  constructor(readonly path: string) {}

  get configPath(): string {
    return join(this.path, 'config.json');
  }
  get metricsPath(): string {
    return join(this.path, 'metrics.jsonl');
  }
  get lastPath(): string {
    return join(this.path, 'last.safetensors');
  }
  /** The checkpoint of the round with the highest evaluation GeoMean so far. */
  get bestPath(): string {
    return join(this.path, 'best.safetensors');
  }
  roundPath(round: number): string {
    return join(this.path, `round-${String(round).padStart(3, '0')}.safetensors`);
  }

  holdsRun(): boolean {
    return existsSync(this.configPath) || existsSync(this.lastPath);
  }

  /**
   * The most advanced checkpoint of the run (highest step; last.safetensors on a tie), or
   * null when there is none. A kill between writing round-NNN and last leaves the round
   * file ahead of last (or last missing), so both are considered.
   */
  latestCheckpoint(): { path: string; bytes: Uint8Array; step: number } | null {
    const paths = existsSync(this.path)
      ? readdirSync(this.path)
          .filter((f) => /^round-\d{3,}\.safetensors$/.test(f))
          .sort()
          .map((f) => join(this.path, f))
      : [];
    if (existsSync(this.lastPath)) paths.push(this.lastPath);
    let best: { path: string; bytes: Uint8Array; step: number } | null = null;
    for (const path of paths) {
      const bytes = new Uint8Array(readFileBounded(path, { what: 'checkpoint', maxBytes: MAX_CHECKPOINT_BYTES }));
      const { step } = decodeCheckpoint(bytes, `checkpoint ${path}`);
      if (!best || step >= best.step) best = { path, bytes, step };
    }
    return best;
  }

  /**
   * Drops the metrics lines a killed run wrote after its checkpoint (steps past `step`,
   * rounds past `round`), so a resumed run appends exactly what an uninterrupted one
   * would have. Says whether the line of round `round` is present, and the loss at `step`:
   * the logged one, else `recorded` (the checkpoint's, when it is of `step`), else NaN,
   * never an older step's.
   */
  async trimMetrics(step: number, round: number, recorded?: { loss: number; step: number }): Promise<{ hasRound: boolean; loss: number }> {
    let loss = recorded?.step === step ? recorded.loss : NaN;
    if (!existsSync(this.metricsPath)) return { hasRound: round === 0, loss };
    const lines = this.readMetrics().split('\n').filter((l) => l.trim() !== '');
    let hasRound = round === 0;
    const kept = lines.filter((line) => {
      let r: { type?: unknown; step?: unknown; round?: unknown };
      try {
        r = JSON.parse(line) as typeof r;
      } catch {
        return false; // a torn line cannot happen with atomic appends; drop it if it does
      }
      if (r.type === 'round' && typeof r.round === 'number') {
        if (r.round === round) hasRound = true;
        return r.round <= round;
      }
      if (typeof r.step !== 'number') return true;
      if (r.step > step) return false;
      if (r.type === 'step' && r.step === step && typeof (r as { loss?: unknown }).loss === 'number') loss = (r as { loss: number }).loss;
      return true;
    });
    if (kept.length !== lines.length) await this.guard(this.metricsPath, writeFileAtomic(this.metricsPath, kept.map((l) => `${l}\n`).join('')));
    return { hasRound, loss };
  }

  private readMetrics(): string {
    return readFileBounded(this.metricsPath, { what: 'metrics log', maxBytes: MAX_INPUT_BYTES }).toString('utf8');
  }

  /** The metrics line of round `round`, or null when there is none. */
  roundLine(round: number): Record<string, unknown> | null {
    if (!existsSync(this.metricsPath)) return null;
    for (const line of this.readMetrics().split('\n')) {
      try {
        const r = JSON.parse(line) as Record<string, unknown>;
        if (r.type === 'round' && r.round === round) return r;
      } catch {
        // blank or torn: not a round line
      }
    }
    return null;
  }

  readConfig(): Record<string, unknown> | null {
    if (!existsSync(this.configPath)) return null;
    const text = readFileBounded(this.configPath, { what: 'config file', maxBytes: MAX_CONFIG_BYTES }).toString('utf8');
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new UserError(`Cannot resume: ${this.configPath} is not valid JSON.`);
    }
  }

  writeConfig(config: Config): Promise<void> {
    return this.guard(this.configPath, writeFileAtomic(this.configPath, `${JSON.stringify(config, null, 2)}\n`));
  }

  /** The round's checkpoint first, then last.safetensors: `last` is always a complete file. */
  async writeCheckpoint(bytes: Uint8Array, round: number | null): Promise<void> {
    if (round !== null) await this.guard(this.roundPath(round), writeFileAtomic(this.roundPath(round), bytes));
    await this.guard(this.lastPath, writeFileAtomic(this.lastPath, bytes));
  }

  /** The round lines of metrics.jsonl, in order: round number and evaluation GeoMean. */
  roundScores(): { round: number; geomean: number }[] {
    if (!existsSync(this.metricsPath)) return [];
    const out: { round: number; geomean: number }[] = [];
    for (const line of this.readMetrics().split('\n')) {
      if (!line.includes('"type":"round"')) continue;
      try {
        const r = JSON.parse(line) as { round?: unknown; geomean?: unknown };
        if (typeof r.round === 'number' && typeof r.geomean === 'number') out.push({ round: r.round, geomean: r.geomean });
      } catch {
        // a torn line cannot happen with atomic appends; skip it if it does
      }
    }
    return out;
  }

  /** The best round so far (highest GeoMean, the earliest on a tie), or null before any evaluation. */
  bestRound(): { round: number; geomean: number } | null {
    let best: { round: number; geomean: number } | null = null;
    for (const r of this.roundScores()) if (!best || r.geomean > best.geomean) best = r;
    return best;
  }

  /** Makes best.safetensors a copy of round `round`'s checkpoint (atomically). */
  async writeBest(round: number): Promise<void> {
    await this.guard(this.bestPath, writeFileAtomic(this.bestPath, readFileSync(this.roundPath(round))));
  }

  /** After a kill between a round's evaluation and its best copy: best.safetensors is re-made from the metrics. */
  async repairBest(): Promise<void> {
    const best = this.bestRound();
    if (!best || !existsSync(this.roundPath(best.round))) return;
    const current = existsSync(this.bestPath) ? decodeCheckpoint(new Uint8Array(readFileSync(this.bestPath)), `checkpoint ${this.bestPath}`).round : -1;
    if (current !== best.round) await this.writeBest(best.round);
  }

  get dataPath(): string {
    return join(this.path, 'data.json');
  }

  /** Records a file task's data files (path, size, SHA-256), so a resume can tell they changed. */
  writeDataFiles(files: readonly FileIdentity[]): Promise<void> {
    return writeFileAtomic(this.dataPath, `${JSON.stringify({ files }, null, 2)}\n`);
  }

  /** Refuses, in one sentence, a resume whose data files differ from the recorded ones. */
  checkDataFiles(files: readonly FileIdentity[]): void {
    if (!existsSync(this.dataPath)) throw new UserError(`Cannot resume: ${this.dataPath} is missing, so the data files cannot be checked.`);
    let recorded: FileIdentity[];
    try {
      recorded = (JSON.parse(readFileSync(this.dataPath, 'utf8')) as { files: FileIdentity[] }).files;
    } catch {
      throw new UserError(`Cannot resume: ${this.dataPath} is not valid JSON.`);
    }
    for (const f of files) {
      const was = recorded.find((r) => r.path === f.path);
      if (!was) throw new UserError(`Cannot resume: the run was not trained on ${f.path}.`);
      if (was.size !== f.size || was.sha256 !== f.sha256) {
        throw new UserError(`Cannot resume: ${f.path} changed since the run started (size ${was.size} → ${f.size} bytes, SHA-256 ${was.sha256.slice(0, 12)}… → ${f.sha256.slice(0, 12)}…).`);
      }
    }
  }

  appendMetrics(record: Record<string, unknown>): Promise<void> {
    return this.guard(this.metricsPath, appendLineAtomic(this.metricsPath, JSON.stringify(record)));
  }

  /**
   * Appends in the background, in order; the first failure stops later appends, calls
   * `onError` (e.g. to stop training) and is thrown by flushMetrics.
   */
  queueMetrics(record: Record<string, unknown>, onError?: () => void): void {
    this.metricsQueue = this.metricsQueue.then(async () => {
      if (this.metricsError) return;
      try {
        await this.appendMetrics(record);
      } catch (err) {
        this.metricsError = err;
        onError?.();
      }
    });
  }

  async flushMetrics(): Promise<void> {
    await this.metricsQueue;
    if (this.metricsError) throw this.metricsError;
  }

  /** A failed write as one sentence naming the file, what is kept, and the way on. */
  private async guard(file: string, write: Promise<void>): Promise<void> {
    try {
      await write;
    } catch (err) {
      const code = fsCode(err);
      const fix = code === 'ENOSPC' || code === 'EDQUOT' ? 'free some space' : code === 'EROFS' || code === 'EACCES' || code === 'EPERM' ? 'make it writable' : 'fix that';
      const kept = existsSync(this.lastPath) ? `the last checkpoint, ${this.lastPath}, is kept` : 'no checkpoint had been written yet';
      const on = existsSync(this.configPath) || existsSync(this.lastPath) ? `, then continue with: npx seq2seq train --resume --out ${this.path}` : ', then train again';
      throw new UserError(`Cannot write ${file}: ${fsReason(err)}; ${kept}; ${fix}${on}.`);
    }
  }
}
