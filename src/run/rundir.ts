// A run directory (SPEC §5): config.json, metrics.jsonl, round-NNN.safetensors and
// last.safetensors, every file written atomically so a crash never leaves a torn one.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.ts';
import { UserError } from '../cli/errors.ts';
import { appendLineAtomic, writeFileAtomic } from '../io/atomic.ts';

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

  writeConfig(config: Config): Promise<void> {
    return writeFileAtomic(this.configPath, `${JSON.stringify(config, null, 2)}\n`);
  }

  /** The round's checkpoint first, then last.safetensors: `last` is always a complete file. */
  async writeCheckpoint(bytes: Uint8Array, round: number | null): Promise<void> {
    if (round !== null) await writeFileAtomic(this.roundPath(round), bytes);
    await writeFileAtomic(this.lastPath, bytes);
  }

  appendMetrics(record: Record<string, unknown>): Promise<void> {
    return appendLineAtomic(this.metricsPath, JSON.stringify(record));
  }
}
