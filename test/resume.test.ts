// Exact resume: a run whose CLI is SIGKILLed after its first checkpoint and then
// continued with `train --resume` ends bitwise identical to an uninterrupted run with the
// same seed: every model tensor, every Adam moment, step, round, and the metrics log.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { decodeCheckpoint, type Checkpoint } from '../src/io/checkpoint.ts';
import { until } from './helpers/wait.ts';

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Result> } {
  const child = spawn(process.execPath, ['bin/seq2seq.mjs', ...args], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, SEQ2SEQ_DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Result>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

const TINY = ['vocab_size=12', 'max_length=4', 'hidden_size=16', 'embedding_size=8', 'batch_size=8', 'eval_samples=40', 'evaluate_round=2', 'lr=0.02'];
const RUN = ['--rounds', '3', '--steps', '60', '--seed', '5', ...TINY];

const checkpoint = (dir: string): Checkpoint => decodeCheckpoint(new Uint8Array(readFileSync(join(dir, 'last.safetensors'))));
const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
/** metrics.jsonl without the measurements that vary run to run (wall clock, JS heap). */
const metrics = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => {
      const { elapsed_s: _e, steps_per_s: _s, js_heap_mb: _h, ...rest } = JSON.parse(l);
      return rest;
    });

it('SIGKILL after the first checkpoint, then --resume: bitwise the same weights, Adam moments and metrics as an uninterrupted run', async () => {
  const root = mkdtempSync(join(tmpdir(), 'seq2seq-resume-'));
  const A = join(root, 'A');
  const B = join(root, 'B');
  // Both runs at once: the machine has two cores and each run mostly waits on its own Chrome.
  const a = start(['train', '--out', A, ...RUN]);
  const b = start(['train', '--out', B, ...RUN]);
  await until('round-001.safetensors of run B', () => existsSync(join(B, 'round-001.safetensors')));
  b.child.kill('SIGKILL');
  const killed = await b.done;
  expect(killed.signal).toBe('SIGKILL');
  // The kill lands right after round 1's checkpoint: before or after last.safetensors and
  // before round 1's evaluation is logged; resume must cope with each.
  const resumed = await start(['train', '--resume', '--out', B]).done;
  const uninterrupted = await a.done;
  expect(uninterrupted.code, uninterrupted.stderr).toBe(0);
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(resumed.stderr).toMatch(/resuming at step 60 \(round 1\)/);

  const ca = checkpoint(A);
  const cb = checkpoint(B);
  expect([cb.step, cb.round]).toEqual([180, 3]);
  expect([ca.step, ca.round]).toEqual([180, 3]);
  expect(cb.resume).toEqual(ca.resume);
  expect(cb.config).toEqual(ca.config);
  for (const kind of ['tensors', 'optimizer'] as const) {
    expect([...cb[kind].keys()]).toEqual([...ca[kind].keys()]);
    expect(ca[kind].size).toBeGreaterThan(0);
    const differing = [...ca[kind]].filter(([name, t]) => {
      const u = cb[kind].get(name)!;
      return u.shape.join() !== t.shape.join() || !bits(u.data).every((v, i) => v === bits(t.data)[i]);
    });
    expect(differing.map(([name]) => name), `${kind} differ`).toEqual([]);
  }
  expect(readFileSync(join(B, 'round-003.safetensors'))).toEqual(readFileSync(join(A, 'round-003.safetensors')));
  // The log continues exactly: same step lines, same round lines (scores included).
  expect(metrics(B)).toEqual(metrics(A));
  const rounds = metrics(A).filter((l) => l.type === 'round');
  expect(rounds.map((l) => l.round)).toEqual([1, 2, 3]);
  console.log(`resume.test: rounds of both runs (step, loss, GeoMean): ${rounds.map((l) => `${l.step}, ${l.loss.toFixed(4)}, ${l.geomean.toFixed(3)}`).join(' | ')}`);
}, 900_000);
