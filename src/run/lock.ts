// One writer per run directory: a lock file created with O_EXCL that holds the owner's
// pid (and its start time, so a reused pid is not taken for the owner). A lock whose
// process is gone (SIGKILL, power loss) is stale and taken over.
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';

export const LOCK_NAME = '.seq2seq.lock';

export interface LockOwner {
  pid: number;
  /** The process's start time in clock ticks since boot (Linux), or null elsewhere. */
  started: string | null;
  command: string;
}

/** A lock being written (opened, not yet filled) is young: never taken over. */
const FRESH_MS = 10_000;

/** Field 22 of /proc/PID/stat: the start time, which tells a reused pid from the owner. */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

/** Whether the lock's owner still runs: the pid exists, is no zombie, and started when the lock says. */
export function ownerAlive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (processState(owner.pid) === 'Z') return false;
  const started = processStart(owner.pid);
  return owner.started === null || started === null || started === owner.started;
}

function readOwner(path: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof o.pid !== 'number' || !Number.isSafeInteger(o.pid) || o.pid <= 0) return null;
    return { pid: o.pid, started: typeof o.started === 'string' ? o.started : null, command: String(o.command ?? '') };
  } catch {
    return null;
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Infinity;
  }
}

function inUseMessage(dir: string, owner: LockOwner | null): string {
  const who = owner ? `seq2seq ${owner.command || 'process'} (pid ${owner.pid})` : 'another seq2seq process';
  return `${dir} is in use by ${who}; wait for it to finish or choose another --out.`;
}

/** The sentence for a directory another live process holds, or null when none does. */
export function inUseBy(dir: string): string | null {
  const path = join(dir, LOCK_NAME);
  const owner = readOwner(path);
  if (owner ? ownerAlive(owner) : ageMs(path) < FRESH_MS) return inUseMessage(dir, owner);
  return null;
}

export class RunLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(
    readonly path: string,
    private readonly content: string,
  ) {
    // Whatever ends the process (an error, process.exit after a second Ctrl-C) frees the run.
    process.once('exit', this.onExit);
  }

  /**
   * Takes the lock of directory `dir` (which must exist) for `command`, or throws one
   * sentence naming the process that holds it.
   */
  static acquire(dir: string, command: string): RunLock {
    const path = join(dir, LOCK_NAME);
    const me: LockOwner = { pid: process.pid, started: processStart(process.pid), command };
    const content = `${JSON.stringify(me)}\n`;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (tryCreate(path, content)) return new RunLock(path, content);
      const owner = readOwner(path);
      if (owner ? ownerAlive(owner) : ageMs(path) < FRESH_MS) throw new UserError(inUseMessage(dir, owner));
      takeOver(path, owner);
    }
    throw new UserError(`Cannot lock ${dir}: other processes keep taking it; try again.`);
  }

  /** Removes the lock file if it is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    try {
      if (readFileSync(this.path, 'utf8') === this.content) unlinkSync(this.path);
    } catch {
      // Already gone: nothing to free.
    }
  }
}

/** O_CREAT | O_EXCL: true when this call created the lock file. */
function tryCreate(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new UserError(`Cannot lock ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`);
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Moves a stale lock aside, atomically, so that of two processes taking over the same
 * stale lock only one removes it. Had another process already replaced it with a live
 * lock, that one is put back (link never overwrites) and the caller tries again.
 */
function takeOver(path: string, stale: LockOwner | null): void {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else moved or freed it first
  }
  const moved = readOwner(aside);
  const same = moved === null ? stale === null : stale !== null && moved.pid === stale.pid && moved.started === stale.started;
  if (!same) {
    try {
      linkSync(aside, path);
    } catch {
      // A third process created a lock meanwhile: it holds the run now.
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // already gone
  }
}
