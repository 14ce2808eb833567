// The processes a CLI run starts, followed through /proc (Linux): a tracker polls the
// descendants of the CLI (pid and start time, so a reused pid is not mistaken for ours) and
// the --user-data-dir of its Chrome (puppeteer's temporary profile, unique per launch).
// After the exit, none of those processes may remain, and no process anywhere may name
// that profile directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { PROJECT_DIR } from './cli.ts';
import { until } from './wait.ts';

export interface Proc {
  pid: number;
  ppid: number;
  start: string;
  state: string;
}

export function readProc(pid: number): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0], ppid: Number(rest[1]), start: rest[19] };
  } catch {
    return null;
  }
}

export function allProcs(): Proc[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is Proc => p !== null);
}

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Collects the descendants of `root` (and their Chrome profile directories) while it runs. */
export class Tracker {
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

  /** The live Chrome browser process (not a helper: no --type=) of this run, if any. */
  browser(): Proc | undefined {
    this.poll();
    return allProcs().find((p) => {
      const cmd = cmdline(p.pid);
      return p.state !== 'Z' && !/--type=/.test(cmd) && [...this.profiles].some((dir) => cmd.includes(`--user-data-dir=${dir}`));
    });
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

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface TrackedRun {
  child: ChildProcess;
  tracker: Tracker;
  out: () => { stdout: string; stderr: string };
  /** Whether the CLI has exited (its pipes closed). */
  exited: () => boolean;
  done: Promise<Exit>;
}

/** `node bin/seq2seq.mjs args…` with its processes tracked. */
export function startTracked(args: string[]): TrackedRun {
  const child = spawn(process.execPath, ['bin/seq2seq.mjs', ...args], {
    cwd: PROJECT_DIR,
    env: { ...process.env, SEQ2SEQ_DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tracker = new Tracker(child.pid!);
  let stdout = '';
  let stderr = '';
  let exited = false;
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      exited = true;
      tracker.stop();
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, tracker, out: () => ({ stdout, stderr }), exited: () => exited, done };
}

/**
 * Waits for `what` (a file of the run, say) while the run goes on; fails at once, with the
 * run's output, if the run exits first: a run that ended can no longer produce it.
 */
export async function untilDuring(run: TrackedRun, what: string, ok: () => boolean): Promise<void> {
  const tail = () => `stderr so far:\n${run.out().stderr.slice(-2000)}`;
  await until(what, () => ok() || run.exited(), undefined, tail);
  if (!ok()) throw new Error(`The run exited (${run.child.exitCode ?? run.child.signalCode}) before ${what}.\n${tail()}`);
}

/**
 * After an exit: Chrome was seen, and every process of the run goes away. Going away takes a
 * moment (Chrome notices its pipe closed, its helpers follow), longer on a loaded machine, so
 * this waits for the processes to be gone rather than for a fixed time.
 */
export async function expectNothingLeft(run: TrackedRun, timeoutMs = 120_000): Promise<void> {
  expect(run.tracker.profiles.size, 'a Chrome of this run was seen').toBeGreaterThan(0);
  expect([...run.tracker.seen.values()].some((p) => /chrom/i.test(p.cmd)), 'a Chrome process among the run\'s descendants').toBe(true);
  await until('the processes of the run to exit', () => run.tracker.survivors().length === 0, timeoutMs, () => `still alive:\n${run.tracker.survivors().join('\n')}`);
}
