// Taking a run directory before anything is written to it: created for a new run, locked
// for one writer, and refused when it holds something that is not a seq2seq run.
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { whyNotCreatable } from '../io/fs_errors.ts';
import { LOCK_NAME, RunLock } from './lock.ts';
import type { RunDir } from './rundir.ts';

/** Files of ours that do not make a folder "not empty": the lock, its helpers and atomic-write leftovers. */
const OURS = (name: string) => name === LOCK_NAME || name.startsWith(`${LOCK_NAME}.`) || /^\..+\.tmp-\d+-[0-9a-f]+$/.test(name);

interface RunClaim {
  /** Frees the lock; a directory this claim created is removed again while it is empty. */
  release(): void;
}

export function claimRunDir(run: RunDir, resume: boolean): RunClaim {
  const created = resume ? false : createDir(run.path);
  let lock: RunLock;
  try {
    lock = RunLock.acquire(run.path, 'train');
  } catch (err) {
    if (created) removeIfEmpty(run.path);
    throw err;
  }
  const release = () => {
    lock.release();
    if (created) removeIfEmpty(run.path);
  };
  if (!resume) {
    try {
      refuseOthers(run);
    } catch (err) {
      release();
      throw err;
    }
  }
  return { release };
}

/** mkdir -p with one sentence on failure; true when the directory is new. */
function createDir(path: string): boolean {
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new UserError(`--out ${path} is a file, not a directory.`);
    return false;
  }
  try {
    mkdirSync(path, { recursive: true });
  } catch (err) {
    throw new UserError(`Cannot create the run directory ${path}: ${whyNotCreatable(path, err)}.`);
  }
  return true;
}

/** A new run goes only into an empty directory: nothing found there is ever overwritten or appended to. */
function refuseOthers(run: RunDir): void {
  if (run.holdsRun()) throw new UserError(`${run.path} already holds a run; pass --resume to continue it or choose another --out.`);
  const foreign = readdirSync(run.path).filter((f) => !OURS(f)).sort();
  if (foreign.length === 0) return;
  const shown = foreign.slice(0, 3).map((f) => JSON.stringify(f)).join(', ') + (foreign.length > 3 ? ` and ${foreign.length - 3} more` : '');
  throw new UserError(`--out ${run.path} is not empty and holds no seq2seq run (it has ${shown}); choose a new or empty directory.`);
}

function removeIfEmpty(path: string): void {
  try {
    if (readdirSync(path).length === 0) rmdirSync(path);
  } catch {
    // Best effort: an empty folder left behind is harmless.
  }
}
