// Robustness of `train` with Chrome: SIGTERM as a real signal mid-round saves
// the run and --resume ends bitwise the same as an uninterrupted run; a second writer and
// a --resume beside a running train are refused; a truncated log is re-made with the
// loss of its own step; a finished run resumes to one sentence; a config too large for
// the adapter is one sentence and leaves no folder; lr=1e9 says the run did not learn; a
// full disk while the log grows is one sentence naming the file.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { decodeCheckpoint, type Checkpoint } from '../src/io/checkpoint.ts';
import { LOCK_NAME } from '../src/rundir/lock.ts';
import { PROJECT_DIR } from './helpers/cli.ts';
import { until } from './helpers/wait.ts';
import { collect, expectSentence, mountTmpfs, run, unmount, type TimedResult } from './helpers/robust.ts';

const TINY = ['vocab_size=12', 'max_length=4', 'hidden_size=16', 'embedding_size=8', 'batch_size=8', 'eval_samples=40', 'evaluate_round=2', 'lr=0.02'];
const RUN = ['--rounds', '2', '--steps', '60', '--seed', '5', ...TINY];
const root = mkdtempSync(join(tmpdir(), 'seq2seq-robust-train-'));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) unmount(m);
});

function start(args: string[]): { child: ChildProcess; done: Promise<TimedResult> } {
  const child = spawn(process.execPath, ['bin/seq2seq.mjs', ...args], { cwd: PROJECT_DIR, env: { ...process.env, SEQ2SEQ_DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  return { child, done: collect(child, Date.now(), 900) };
}

const lines = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
/** Round lines without the wall clock. */
const rounds = (dir: string) =>
  lines(dir)
    .filter((l) => l.type === 'round')
    .map(({ elapsed_s: _e, ...rest }) => rest);
const checkpoint = (file: string): Checkpoint => decodeCheckpoint(new Uint8Array(readFileSync(file)));
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

it('SIGTERM mid-round saves and exits 143, a second writer is refused, and --resume ends bitwise as an uninterrupted run; a truncated log is re-made exactly; a finished run resumes to one sentence', async () => {
  const A = join(root, 'A');
  const B = join(root, 'B');
  const a = start(['train', '--out', A, ...RUN]);
  const b = start(['train', '--out', B, ...RUN]);

  // A second writer and a --resume while B runs: refused, and B's files untouched.
  await until('the lock of run B', () => existsSync(join(B, LOCK_NAME)));
  const [second, beside] = await Promise.all([run(['train', '--out', B, ...RUN]), run(['train', '--resume', '--out', B])]);
  expectSentence(second, /is in use by seq2seq train \(pid \d+\); wait for it to finish or choose another --out\.$/);
  expectSentence(beside, /is in use by seq2seq train \(pid \d+\); wait for it to finish or choose another --out\.$/);

  // SIGTERM in the middle of round 1 (steps are logged every 10).
  await until('a logged step of run B', () => existsSync(join(B, 'metrics.jsonl')) && lines(B).some((l) => l.type === 'step' && (l.step as number) >= 20));
  b.child.kill('SIGTERM');
  const stopped = await b.done;
  expect(stopped.code, stopped.stderr).toBe(143);
  expect(stopped.stderr).toMatch(/SIGTERM: finishing the current step and saving .*last\.safetensors/);
  const at = Number(/Stopped at step (\d+); the state is saved in .*last\.safetensors\. Continue with: npx seq2seq train --resume --out /.exec(stopped.stderr)?.[1]);
  expect(at).toBeGreaterThanOrEqual(20);
  expect(at).toBeLessThan(120);
  expect(checkpoint(join(B, 'last.safetensors')).step).toBe(at);
  expect(existsSync(join(B, LOCK_NAME))).toBe(false);

  const resumed = await start(['train', '--resume', '--out', B]).done;
  const whole = await a.done;
  expect(whole.code, whole.stderr).toBe(0);
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(resumed.stderr).toMatch(new RegExp(`resuming at step ${at} `));
  const [ca, cb] = [checkpoint(join(A, 'last.safetensors')), checkpoint(join(B, 'last.safetensors'))];
  expect([cb.step, cb.round]).toEqual([120, 2]);
  expect(cb.resume).toEqual(ca.resume);
  for (const kind of ['tensors', 'optimizer'] as const) {
    expect([...cb[kind].keys()]).toEqual([...ca[kind].keys()]);
    const differing = [...ca[kind]].filter(([name, t]) => bits(cb[kind].get(name)!.data).join() !== bits(t.data).join());
    expect(differing.map(([name]) => name), `${kind} differ`).toEqual([]);
  }
  expect(rounds(B)).toEqual(rounds(A));

  // Item 5: the log of the finished run loses its tail (the last step lines and round 2);
  // --resume re-makes round 2 with the loss of step 120, not of an older step.
  const full = readFileSync(join(A, 'metrics.jsonl'), 'utf8').trimEnd().split('\n');
  const round2 = rounds(A)[1];
  writeFileSync(join(A, 'metrics.jsonl'), `${full.slice(0, -3).join('\n')}\n`);
  const remade = await start(['train', '--resume', '--out', A]).done;
  expect(remade.code, remade.stderr).toBe(0);
  expect(rounds(A)[1]).toEqual(round2);

  // Nothing left to do: one sentence, exit 0, no Chrome started (CHROME_PATH would fail).
  const again = await run(['train', '--resume', '--out', A], { env: { CHROME_PATH: '/bin/false' } });
  expect(again.code, again.stderr).toBe(0);
  expect(again.stderr.trim()).toMatch(/^The run in .*A is complete \(2 of 2 rounds, step 120, GeoMean \d\.\d{4}\); to train it further, raise --rounds: npx seq2seq train --resume --out .*A --rounds 3$/);
}, 900_000);

it('a config too large for the adapter is one sentence and leaves no folder; lr=1e9 says the run did not learn', async () => {
  const L = join(root, 'large');
  const N = join(root, 'nolearn');
  const [large, noLearn] = await Promise.all([
    run(['train', '--out', L, 'batch_size=1000000'], { limitS: 600 }),
    run(['train', '--out', N, '--rounds', '1', '--steps', '40', ...TINY.filter((x) => !x.startsWith('lr=')), 'lr=1e9'], { limitS: 600 }),
  ]);
  expectSentence(large, /^batch_size=1000000 is too large for this GPU: .*, more than its maxStorageBufferBindingSize of \d+ MB; lower batch_size\.$/);
  expect(existsSync(L)).toBe(false);
  expect(noLearn.code, noLearn.stderr).toBe(1);
  expect(noLearn.stderr.trimEnd().split('\n').pop()).toMatch(
    /^The run did not learn: its final loss, \d\.\d\de\+\d+, is above 1\.5 × 2\.48, the loss of a uniform guess over vocab_size 12; lower lr \(now 1000000000\) and train again\.$/,
  );
  expect(JSON.parse(noLearn.stdout.trimEnd().split('\n').pop()!)).toMatchObject({ round: 1, step: 40 });
}, 900_000);

const diskDir = join(root, 'disk');
const noMount = mountTmpfs(diskDir, '64k');
if (!noMount) mounts.push(diskDir);
it.skipIf(noMount !== null)(`a full disk while metrics.jsonl grows: one sentence naming the file, no stack trace${noMount ? ` (skipped: ${noMount})` : ''}`, async () => {
  // 3 of the tmpfs's 16 pages stay free: config.json, then metrics.jsonl and its temporary copy.
  writeFileSync(join(diskDir, 'filler'), new Uint8Array(13 * 4096));
  const out = join(diskDir, 'run');
  const r = await run(['train', '--out', out, '--rounds', '1', '--steps', '600', ...TINY], { limitS: 800 });
  expectSentence(r, /^Cannot write .*run\/metrics\.jsonl: no space is left on the device \(ENOSPC\); no checkpoint had been written yet; free some space, then continue with: npx seq2seq train --resume --out .*run\.$/);
  expect(r.stderr).not.toMatch(/unhandled|Unhandled/);
  expect(existsSync(join(out, 'config.json'))).toBe(true);
  expect(existsSync(join(out, LOCK_NAME))).toBe(false);
}, 900_000);
