// One writer per run directory: a lock file, created whole and only if absent (a hard link),
// that holds the owner's pid (and its start time, so a reused pid is not taken for the
// owner). A lock whose process is gone (SIGKILL, power loss) is stale and taken over, by one
// process at a time, even when a process died in the middle of taking it over.
import { linkSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';

export const LOCK_NAME = '.seq2seq.lock';

interface LockOwner {
  pid: number;
  /** The process's start time in clock ticks since boot (Linux), or null elsewhere. */
  started: string | null;
  command: string;
}

/**
 * A lock we cannot read (another version's, or damaged) is taken over only once this old;
 * also the longest a lock attempt may wait.
 */
const FRESH_MS = 10_000;

/**
 * Field `n` (1-based, as proc(5) numbers them) of /proc/PID/stat, or null when the process is
 * gone or the system has no /proc. Fields count after the command name, which may hold spaces.
 */
function statField(pid: number, n: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[n - 3] ?? null;
  } catch {
    return null;
  }
}

/** Field 22: the start time in clock ticks since boot, which tells a reused pid from the owner. */
const processStart = (pid: number) => statField(pid, 22);
/** Field 3: the state letter ('Z' for a zombie). */
const processState = (pid: number) => statField(pid, 3);

/** Whether the lock's owner still runs: the pid exists, is no zombie, and started when the lock says. */
function ownerAlive(owner: LockOwner): boolean {
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
    // Bounded in time, not tries: a takeover in progress elsewhere may be slow on a busy machine.
    for (const end = Date.now() + FRESH_MS; Date.now() < end; sleepMs(10)) {
      if (claim(path, content)) return new RunLock(path, content);
      const owner = readOwner(path);
      if (owner ? ownerAlive(owner) : ageMs(path) < FRESH_MS) throw new UserError(inUseMessage(dir, owner));
    }
    throw new UserError(`Cannot lock ${dir}: other processes keep taking it; try again.`);
  }

  /** Removes the lock file if it is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    removeIfOurs(this.path, this.content);
  }
}

/** Removes `path` if it still holds `content` (nobody replaces a file whose owner lives). */
function removeIfOurs(path: string, content: string): void {
  try {
    if (readFileSync(path, 'utf8') === content) unlinkSync(path);
  } catch {
    // Already gone: nothing to free.
  }
}

/**
 * Makes `path` (a lock, or the guard of a takeover) hold `content`: created when absent, or
 * replaced when its owner is dead. True when it is ours; false when a live process holds it,
 * a young unreadable file is there, or another process won the takeover.
 */
function claim(path: string, content: string): boolean {
  if (tryCreate(path, content)) return true;
  const stale = staleIdentity(path);
  return stale !== null && takeOver(path, stale, content);
}

/**
 * What names a stale file for good: its dead owner's pid and start time (no process starts
 * twice), or for an unreadable file old enough, its inode and modification time. Null when
 * the file is gone or not stale.
 */
function staleIdentity(path: string): string | null {
  const owner = readOwner(path);
  if (owner) return ownerAlive(owner) ? null : `${owner.pid}-${owner.started ?? 'x'}`;
  try {
    const st = statSync(path);
    return Date.now() - st.mtimeMs > FRESH_MS ? `i${st.ino}-${Math.trunc(st.mtimeMs)}` : null;
  } catch {
    return null;
  }
}

/**
 * Replaces the stale file `path` (named by `stale`) by ours, one process at a time. The guard
 * is named after that stale file, so it serves that takeover alone and nobody ever removes
 * another's guard by age: a guard whose owner died is itself claimed the same way (a guard
 * of the guard), never deleted. Under the guard the file is checked to be still the stale
 * one and replaced by a rename, which swaps it whole, so no moment exists without it and no
 * other process can slip its own in. Others lose the guard and try again, then find the new
 * owner alive. True when the file is ours.
 */
function takeOver(path: string, stale: string, content: string): boolean {
  const guard = `${path}.takeover-${stale}`;
  if (!claim(guard, content)) return false;
  const aside = `${path}.new-${process.pid}`;
  try {
    if (staleIdentity(path) !== stale) return false;
    writeFileSync(aside, content, { mode: 0o644 });
    renameSync(aside, path);
    return true;
  } finally {
    rmSync(aside, { force: true });
    removeIfOurs(guard, content);
  }
}

/**
 * Creates the lock file with its content in one step (written aside, then hard-linked:
 * link never overwrites), so no process ever reads a lock half written. True when this
 * call created it.
 */
function tryCreate(path: string, content: string): boolean {
  const fresh = `${path}.new-${process.pid}`;
  try {
    writeFileSync(fresh, content, { mode: 0o644 });
    linkSync(fresh, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new UserError(`Cannot lock ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`);
  } finally {
    rmSync(fresh, { force: true });
  }
}

/** Blocks this thread for `ms` (the lock is taken synchronously, before any work starts). */
function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
