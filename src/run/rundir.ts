// A run directory (SPEC §5): config.json, metrics.jsonl, round-NNN.safetensors,
// last.safetensors and best.safetensors, every file written atomically so a crash never leaves a torn one.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.ts';
import { UserError } from '../cli/errors.ts';
import { appendLineAtomic, writeFileAtomic } from '../io/atomic.ts';
import { decodeCheckpoint } from '../io/checkpoint.ts';

export class RunDir {
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

  /** Creates the directory for a new run; refuses to overwrite an existing one. */
  create(): void {
    if (existsSync(this.path) && !statSync(this.path).isDirectory()) throw new UserError(`--out ${this.path} is a file, not a directory.`);
    if (this.holdsRun()) {
      throw new UserError(`${this.path} already holds a run; pass --resume to continue it or choose another --out.`);
    }
    mkdirSync(this.path, { recursive: true });
  }

  readLast(): Uint8Array {
    if (!existsSync(this.lastPath)) throw new UserError(`Cannot resume: ${this.lastPath} does not exist.`);
    return new Uint8Array(readFileSync(this.lastPath));
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
      const bytes = new Uint8Array(readFileSync(path));
      const { step } = decodeCheckpoint(bytes, `checkpoint ${path}`);
      if (!best || step >= best.step) best = { path, bytes, step };
    }
    return best;
  }

  /**
   * Drops the metrics lines a killed run wrote after its checkpoint (steps past `step`,
   * rounds past `round`), so a resumed run appends exactly what an uninterrupted one
   * would have. Says whether the line of round `round` is present, and the last logged
   * loss up to `step` (NaN if none).
   */
  async trimMetrics(step: number, round: number): Promise<{ hasRound: boolean; loss: number }> {
    let loss = NaN;
    if (!existsSync(this.metricsPath)) return { hasRound: round === 0, loss };
    const lines = readFileSync(this.metricsPath, 'utf8').split('\n').filter((l) => l.trim() !== '');
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
      if (r.type === 'step' && typeof (r as { loss?: unknown }).loss === 'number') loss = (r as { loss: number }).loss;
      return true;
    });
    if (kept.length !== lines.length) await writeFileAtomic(this.metricsPath, kept.map((l) => `${l}\n`).join(''));
    return { hasRound, loss };
  }

  readConfig(): Record<string, unknown> | null {
    if (!existsSync(this.configPath)) return null;
    try {
      return JSON.parse(readFileSync(this.configPath, 'utf8')) as Record<string, unknown>;
    } catch {
      throw new UserError(`Cannot resume: ${this.configPath} is not valid JSON.`);
    }
  }

  writeConfig(config: Config): Promise<void> {
    return writeFileAtomic(this.configPath, `${JSON.stringify(config, null, 2)}\n`);
  }

  /** The round's checkpoint first, then last.safetensors: `last` is always a complete file. */
  async writeCheckpoint(bytes: Uint8Array, round: number | null): Promise<void> {
    if (round !== null) await writeFileAtomic(this.roundPath(round), bytes);
    await writeFileAtomic(this.lastPath, bytes);
  }

  /** The round lines of metrics.jsonl, in order: round number and evaluation GeoMean. */
  roundScores(): { round: number; geomean: number }[] {
    if (!existsSync(this.metricsPath)) return [];
    const out: { round: number; geomean: number }[] = [];
    for (const line of readFileSync(this.metricsPath, 'utf8').split('\n')) {
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
    await writeFileAtomic(this.bestPath, readFileSync(this.roundPath(round)));
  }

  /** After a kill between a round's evaluation and its best copy: best.safetensors is re-made from the metrics. */
  async repairBest(): Promise<void> {
    const best = this.bestRound();
    if (!best || !existsSync(this.roundPath(best.round))) return;
    const current = existsSync(this.bestPath) ? decodeCheckpoint(new Uint8Array(readFileSync(this.bestPath)), `checkpoint ${this.bestPath}`).round : -1;
    if (current !== best.round) await this.writeBest(best.round);
  }

  appendMetrics(record: Record<string, unknown>): Promise<void> {
    return appendLineAtomic(this.metricsPath, JSON.stringify(record));
  }
}
