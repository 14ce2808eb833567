// Signals, faults and leftovers: SIGINT saves the state, says so and exits 130, and --resume
// continues; a diverging run stops with one sentence naming the step and writes no
// checkpoint; Chrome dying mid-run is one sentence and --resume continues; after every exit
// (normal, error, SIGINT, SIGKILL of the CLI or of Chrome) no process the run started
// (Chrome and its helpers, esbuild) is left alive (see helpers/procs.ts for how that is seen).
//
// One test per scenario, run side by side (each mostly waits on its own Chrome). Every wait is
// for an event (a checkpoint file, the first logged step, an exit, processes gone), bounded
// only by the generous WAIT_MS, so a machine at load 20 makes them slower, not red.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../src/io/checkpoint.ts';
import { expectNothingLeft, startTracked, untilDuring, type Exit } from './helpers/procs.ts';

const TINY = ['vocab_size=12', 'max_length=4', 'hidden_size=16', 'embedding_size=8', 'batch_size=8', 'eval_samples=40', 'evaluate_round=2', 'lr=0.01'];
const root = mkdtempSync(join(tmpdir(), 'seq2seq-signals-'));
const step = (file: string) => decodeCheckpoint(new Uint8Array(readFileSync(file))).step;
const lastLine = (text: string) => text.trimEnd().split('\n').pop() ?? '';
const SLOW = 900_000;

/** The exit as a failure message would want it: code, signal and the end of stderr. */
const told = (r: Exit) => `exit ${r.code} (${r.signal}); stderr:\n${r.stderr.slice(-3000)}`;

describe.concurrent('signals, faults and leftover processes', () => {
  it('a diverging run stops with one sentence naming the step, writes no checkpoint and leaves nothing behind', async () => {
    const D = join(root, 'diverge');
    const d = startTracked(['train', '--out', D, '--rounds', '2', '--steps', '30', ...TINY.filter((x) => !x.startsWith('lr=')), 'lr=1e30']);
    const dr = await d.done;
    expect(dr.code, told(dr)).toBe(1);
    expect(lastLine(dr.stderr), told(dr)).toMatch(
      /^Training diverged at step \d+: the (loss|gradient norm) is not finite; no checkpoint had been written yet \(lower lr or clip_norm and train again\)\.$/,
    );
    expect(dr.stderr, 'no stack trace').not.toMatch(/\n\s+at |Error:/);
    expect(readdirSync(D).filter((f) => f.endsWith('.safetensors')), 'checkpoints of a diverged run').toEqual([]);
    await expectNothingLeft(d);
  }, SLOW);

  it('SIGKILL of the CLI once Chrome is at work: Chrome exits with it (its pipe closes)', async () => {
    const K = join(root, 'sigkill');
    const k = startTracked(['train', '--out', K, '--rounds', '3', '--steps', '300', ...TINY]);
    await untilDuring(k, 'round-001.safetensors of the SIGKILL run', () => existsSync(join(K, 'round-001.safetensors')));
    k.tracker.poll();
    k.child.kill('SIGKILL');
    const kr = await k.done;
    expect(kr.signal, told(kr)).toBe('SIGKILL');
    await expectNothingLeft(k);
  }, SLOW);

  it('SIGINT after the first round saves, says so and exits 130; --resume finishes the three rounds', async () => {
    const S = join(root, 'sigint');
    // The signal once round 1's checkpoint is written: 600 steps remain, so the run cannot
    // finish before it arrives, however fast the steps are.
    const s = startTracked(['train', '--out', S, '--rounds', '3', '--steps', '300', ...TINY]);
    await untilDuring(s, 'round-001.safetensors of the SIGINT run', () => existsSync(join(S, 'round-001.safetensors')));
    s.tracker.poll();
    s.child.kill('SIGINT');
    const sr = await s.done;
    expect(sr.code, told(sr)).toBe(130);
    expect(sr.stderr).toMatch(/SIGINT: finishing the current step and saving .*last\.safetensors/);
    expect(sr.stderr).toMatch(/Stopped at step (\d+); the state is saved in .*last\.safetensors\. Continue with: npx seq2seq train --resume --out /);
    const stoppedAt = Number(/Stopped at step (\d+)/.exec(sr.stderr)![1]);
    expect(stoppedAt).toBeGreaterThanOrEqual(300);
    expect(stoppedAt).toBeLessThan(900);
    expect(step(join(S, 'last.safetensors')), 'the step saved in last.safetensors').toBe(stoppedAt);
    await expectNothingLeft(s);

    // --resume continues to the end; a normal exit leaves nothing behind either.
    const r = startTracked(['train', '--resume', '--out', S]);
    const rr = await r.done;
    expect(rr.code, told(rr)).toBe(0);
    expect(rr.stderr).toMatch(new RegExp(`resuming at step ${stoppedAt} `));
    expect(step(join(S, 'last.safetensors'))).toBe(900);
    const rounds = readFileSync(join(S, 'metrics.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.type === 'round');
    expect(rounds.map((l) => l.round), 'the round lines of metrics.jsonl').toEqual([1, 2, 3]);
    expect(JSON.parse(lastLine(rr.stdout))).toMatchObject({ round: 3, step: 900 });
    await expectNothingLeft(r);
  }, SLOW);

  it('Chrome killed mid-run: one sentence naming the checkpoint and how to resume, nothing left behind; --resume finishes', async () => {
    const C = join(root, 'crash');
    const c = startTracked(['train', '--out', C, '--rounds', '1', '--steps', '400', ...TINY]);
    await untilDuring(c, 'the first logged step of the crash run', () => existsSync(join(C, 'metrics.jsonl')));
    const browser = c.tracker.browser();
    expect(browser, 'the live Chrome browser process of the crash run').toBeDefined();
    process.kill(browser!.pid, 'SIGKILL');
    const cr = await c.done;
    expect(cr.code, told(cr)).toBe(1);
    expect(lastLine(cr.stderr), told(cr)).toMatch(
      /^Chrome exited during training at about step \d+; no checkpoint had been written yet; continue with: npx seq2seq train --resume --out .*crash$/,
    );
    expect(cr.stderr, 'no stack trace').not.toMatch(/\n\s+at /);
    await expectNothingLeft(c);

    const rc = startTracked(['train', '--resume', '--out', C]);
    const rcr = await rc.done;
    expect(rcr.code, told(rcr)).toBe(0);
    expect(step(join(C, 'last.safetensors'))).toBe(400);
    await expectNothingLeft(rc);
  }, SLOW);
});
