// Helpers of the robustness tests: the CLI with a custom environment and a
// time bound, checkpoints made without a GPU, tmpfs mounts, process memory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.ts';
import { encodeCheckpoint } from '../../src/io/checkpoint.ts';
import { PROJECT_DIR, type CliResult } from './cli.ts';

export interface TimedResult extends CliResult {
  signal: NodeJS.Signals | null;
  seconds: number;
}

/** `node bin/seq2seq.mjs args…` with extra environment and stdin; killed after `limitS` seconds. */
export function run(args: string[], opts: { env?: Record<string, string>; stdin?: string | 'ignore'; limitS?: number; cwd?: string } = {}): Promise<TimedResult> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [`${PROJECT_DIR}/bin/seq2seq.mjs`, ...args], {
    cwd: opts.cwd ?? PROJECT_DIR,
    env: { ...process.env, SEQ2SEQ_DEBUG: '', ...opts.env },
    stdio: [opts.stdin === 'ignore' ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  // The bound catches hangs only: generous, since a loaded machine runs everything slower.
  return collect(child, t0, opts.limitS ?? 600, opts.stdin === 'ignore' ? undefined : opts.stdin);
}

/** Waits for `child`, killing it (SIGKILL) once `limitS` seconds have passed. */
export function collect(child: ChildProcess, t0: number, limitS: number, stdin?: string): Promise<TimedResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), limitS * 1000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

/** One sentence on stderr (its last line), a non-zero exit, no stack trace. */
export function expectSentence(r: CliResult, pattern: RegExp): void {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.stderr).not.toMatch(/\n\s+at |SEQ2SEQ_DEBUG|Error:/);
  const last = r.stderr.trimEnd().split('\n').pop() ?? '';
  expect(last).toMatch(pattern);
}

export const TINY_CONFIG: Config = { ...DEFAULT_CONFIG, vocab_size: 12, max_length: 4, hidden_size: 16, embedding_size: 8, batch_size: 8, eval_samples: 40, evaluate_round: 2 };

/** A checkpoint file's bytes made on the CPU (its tensors need not fit a model: the CLI reads the metadata first). */
export function fakeCheckpoint(opts: { config?: Partial<Config>; step?: number; round?: number; fill?: number } = {}): Uint8Array {
  const data = new Float32Array(6).fill(opts.fill ?? 0.5);
  return encodeCheckpoint({
    config: { ...TINY_CONFIG, ...opts.config },
    step: opts.step ?? 0,
    round: opts.round ?? 0,
    tensors: new Map([['output.bias', { shape: [6], data }]]),
    optimizer: new Map(),
    resume: {},
  });
}

/** Mounts a tmpfs of `size` (e.g. "256k") at `dir`; the reason when it cannot (not root, no mount). */
export function mountTmpfs(dir: string, size: string, readOnly = false): string | null {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${readOnly ? ',ro' : ''}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.error) return `mount is not available (${r.error.message})`;
  return r.status === 0 ? null : `mount failed: ${(r.stderr || '').trim() || `exit ${r.status}`}`;
}

export function unmount(dir: string): void {
  spawnSync('umount', [dir]);
}

/** Resident memory of a process in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
