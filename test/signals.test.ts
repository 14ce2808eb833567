// Signals, faults and leftovers (issue 6): SIGINT saves the state, says so and exits 130,
// and --resume continues; a diverging run stops with one sentence naming the step and
// writes no checkpoint; Chrome dying mid-run is one sentence and --resume continues;
// after every exit (normal, error, SIGINT, SIGKILL of the CLI or of Chrome) no
// process the run started (Chrome and its helpers, esbuild) is left alive.
//
// Counting processes: while a CLI runs, a tracker polls /proc for its descendants (pid
// and start time, so a reused pid is not mistaken for ours) and the --user-data-dir of
// its Chrome (puppeteer's temporary profile, unique per launch). After the exit, none of
// those processes may remain, and no process anywhere may name that profile directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../src/io/checkpoint.ts';

interface Proc {
  pid: number;
  ppid: number;
  start: string;
  state: string;
}

function readProc(pid: number): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0], ppid: Number(rest[1]), start: rest[19] };
  } catch {
    return null;
  }
}

function allProcs(): Proc[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is Proc => p !== null);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Collects the descendants of `root` (and their Chrome profile directories) while it runs. */
class Tracker {
  readonly seen = new Map<string, Proc & { cmd: string }>();
  readonly profiles = new Set<string>();
  private timer: NodeJS.Timeout;

  constructor(private readonly root: number) {
    this.timer = setInterval(() => this.poll(), 100);
    this.poll();
  }

  poll(): void {
    const procs = allProcs();
    const children = new Map<number, Proc[]>();
    for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
    const stack = [...(children.get(this.root) ?? [])];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const cmd = cmdline(p.pid);
      this.seen.set(`${p.pid}:${p.start}`, { ...p, cmd });
      const profile = /--user-data-dir=(\S+)/.exec(cmd)?.[1];
      if (profile) this.profiles.add(profile);
      stack.push(...(children.get(p.pid) ?? []));
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Processes of the run still alive (zombies count as gone), by their command lines. */
  survivors(): string[] {
    const out: string[] = [];
    for (const p of this.seen.values()) {
      const now = readProc(p.pid);
      if (now && now.start === p.start && now.state !== 'Z') out.push(`${p.pid} ${p.cmd.slice(0, 120)}`);
    }
    for (const q of allProcs()) {
      if (q.state === 'Z' || q.pid === process.pid) continue;
      const cmd = cmdline(q.pid);
      if ([...this.profiles].some((dir) => cmd.includes(dir)) && !out.some((s) => s.startsWith(`${q.pid} `))) out.push(`${q.pid} ${cmd.slice(0, 120)}`);
    }
    return out;
  }
}

interface Run {
  child: ChildProcess;
  tracker: Tracker;
  out: () => { stdout: string; stderr: string };
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function start(args: string[]): Run {
  const child = spawn(process.execPath, ['bin/seq2seq.mjs', ...args], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, SEQ2SEQ_DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tracker = new Tracker(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Awaited<Run['done']>>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      tracker.stop();
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, tracker, out: () => ({ stdout, stderr }), done };
}

async function until(what: string, ok: () => boolean, timeoutMs = 240_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** After an exit: Chrome was seen, and within a few seconds nothing of the run is left. */
async function expectNothingLeft(run: Run): Promise<void> {
  expect(run.tracker.profiles.size, 'a Chrome of this run was seen').toBeGreaterThan(0);
  expect([...run.tracker.seen.values()].some((p) => /chrom/i.test(p.cmd))).toBe(true);
  let left = run.tracker.survivors();
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = run.tracker.survivors();
  }
  expect(left).toEqual([]);
}

const TINY = ['vocab_size=12', 'max_length=4', 'hidden_size=16', 'embedding_size=8', 'batch_size=8', 'eval_samples=40', 'evaluate_round=2', 'lr=0.01'];
const root = mkdtempSync(join(tmpdir(), 'seq2seq-signals-'));
const step = (file: string) => decodeCheckpoint(new Uint8Array(readFileSync(file))).step;

describe('signals, faults and leftover processes', () => {
  it('SIGINT saves, says so and exits 130; --resume finishes; SIGKILL, a Chrome crash and a diverging run leave nothing behind', async () => {
    const S = join(root, 'sigint');
    const K = join(root, 'sigkill');
    const D = join(root, 'diverge');
    // Three runs at once (each mostly waits on its own Chrome compiling pipelines).
    const s = start(['train', '--out', S, '--rounds', '3', '--steps', '300', ...TINY]);
    const k = start(['train', '--out', K, '--rounds', '3', '--steps', '300', ...TINY]);
    const d = start(['train', '--out', D, '--rounds', '2', '--steps', '30', ...TINY.filter((x) => !x.startsWith('lr=')), 'lr=1e30']);

    // Diverging: one sentence naming the step, exit 1, no checkpoint written.
    const dr = await d.done;
    expect(dr.code, dr.stderr).toBe(1);
    const lastLine = dr.stderr.trimEnd().split('\n').pop()!;
    expect(lastLine).toMatch(/^Training diverged at step \d+: the (loss|gradient norm) is not finite; no checkpoint had been written yet \(lower lr or clip_norm and train again\)\.$/);
    expect(dr.stderr).not.toMatch(/\n\s+at |Error:/);
    expect(readdirSync(D).filter((f) => f.endsWith('.safetensors'))).toEqual([]);
    await expectNothingLeft(d);

    // Both signals as soon as both runs have their first round's checkpoint, so neither run
    // can finish first however fast the steps are.
    await until('round-001 of the SIGKILL and SIGINT runs', () => existsSync(join(K, 'round-001.safetensors')) && existsSync(join(S, 'round-001.safetensors')));
    k.tracker.poll();
    s.tracker.poll();
    k.child.kill('SIGKILL');
    s.child.kill('SIGINT');

    // SIGKILL of the CLI once Chrome is at work: the pipe closes and Chrome exits with it.
    expect((await k.done).signal).toBe('SIGKILL');
    await expectNothingLeft(k);

    // SIGINT during training (after the first round's checkpoint).
    const sr = await s.done;
    expect(sr.code, sr.stderr).toBe(130);
    expect(sr.stderr).toMatch(/SIGINT: finishing the current step and saving .*last\.safetensors/);
    expect(sr.stderr).toMatch(/Stopped at step (\d+); the state is saved in .*last\.safetensors\. Continue with: npx seq2seq train --resume --out /);
    const stoppedAt = Number(/Stopped at step (\d+)/.exec(sr.stderr)![1]);
    expect(stoppedAt).toBeGreaterThanOrEqual(300);
    expect(stoppedAt).toBeLessThan(900);
    expect(step(join(S, 'last.safetensors'))).toBe(stoppedAt);
    await expectNothingLeft(s);

    // Chrome itself dies (the browser process is killed): one sentence naming the kept
    // checkpoint and how to resume, exit 1, nothing left behind.
    const C = join(root, 'crash');
    const c = start(['train', '--out', C, '--rounds', '1', '--steps', '400', ...TINY]);
    await until('the first logged step of the crash run', () => existsSync(join(C, 'metrics.jsonl')));
    c.tracker.poll();
    const browser = allProcs().find((p) => {
      const cmd = cmdline(p.pid);
      return p.state !== 'Z' && !/--type=/.test(cmd) && [...c.tracker.profiles].some((dir) => cmd.includes(`--user-data-dir=${dir}`));
    });
    expect(browser, 'the live Chrome browser process of the crash run').toBeDefined();
    process.kill(browser!.pid, 'SIGKILL');
    const cr = await c.done;
    expect(cr.code, cr.stderr).toBe(1);
    expect(cr.stderr.trimEnd().split('\n').pop()).toMatch(
      /^Chrome exited during training at about step \d+; no checkpoint had been written yet; continue with: npx seq2seq train --resume --out .*crash$/,
    );
    expect(cr.stderr).not.toMatch(/\n\s+at /);
    await expectNothingLeft(c);

    // --resume continues to the end (both the interrupted and the crashed run); a normal
    // exit leaves nothing behind either.
    const r = start(['train', '--resume', '--out', S]);
    const rc = start(['train', '--resume', '--out', C]);
    const rcr = await rc.done;
    expect(rcr.code, rcr.stderr).toBe(0);
    expect(step(join(C, 'last.safetensors'))).toBe(400);
    const rr = await r.done;
    expect(rr.code, rr.stderr).toBe(0);
    expect(rr.stderr).toMatch(new RegExp(`resuming at step ${stoppedAt} `));
    expect(step(join(S, 'last.safetensors'))).toBe(900);
    const rounds = readFileSync(join(S, 'metrics.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.type === 'round');
    expect(rounds.map((l) => l.round)).toEqual([1, 2, 3]);
    expect(JSON.parse(rr.stdout.trimEnd().split('\n').pop()!)).toMatchObject({ round: 3, step: 900 });
    await expectNothingLeft(r);
  }, 480_000);
});
