// Crash-safe file writes (Node only). A reader, or a run resumed after a crash, sees a
// file's old content or its new content, never a mix: the new bytes go to a temporary
// file in the same directory (so rename stays on one file system), are fsynced, and the
// temporary file is renamed over the target; the directory is then fsynced so the rename
// itself survives a power loss.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsReason } from './fs_errors.ts';

/** Bytes handed to one write() call; a smaller unit only matters to the crash tests. */
const CHUNK = 1 << 20;

/** The temporary file's name: hidden, beside the target, unique per call. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
}

export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const temp = tempPathFor(path);
  // 'wx': never follow or clobber something already at the temporary name.
  const fh = await open(temp, 'wx', 0o644);
  let renamed = false;
  try {
    try {
      for (let pos = 0; pos < bytes.length; ) {
        const { bytesWritten } = await fh.write(bytes, pos, Math.min(CHUNK, bytes.length - pos));
        pos += bytesWritten;
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, path);
    renamed = true;
  } finally {
    // A failed write leaves the target untouched; only the temporary file goes.
    if (!renamed) await unlink(temp).catch(() => {});
  }
  await syncDir(dirname(path));
}

/**
 * Appends one line (a newline is added) to a file such as metrics.jsonl by rewriting the
 * whole file atomically. Chosen over O_APPEND: an append torn by a crash would leave
 * half a JSON line, while this way every reader sees whole lines only; the files are
 * small (one line per round or logged step), so the rewrite costs little. A missing
 * trailing newline (an older, hand-edited file) is restored first. One writer per file.
 */
export async function appendLineAtomic(path: string, line: string): Promise<void> {
  if (line.includes('\n')) throw new Error('appendLineAtomic takes one line, without newlines.');
  let old: Uint8Array = new Uint8Array(0);
  try {
    old = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // Bytes, not text, so whatever is already there is kept exactly.
  const sep = old.length > 0 && old[old.length - 1] !== 0x0a ? '\n' : '';
  const tail = new TextEncoder().encode(`${sep}${line}\n`);
  const next = new Uint8Array(old.length + tail.length);
  next.set(old);
  next.set(tail, old.length);
  await writeFileAtomic(path, next);
}

/**
 * Why a file cannot be written at `path` (read-only or full file system, no permission),
 * found by creating and removing the temporary file writeFileAtomic would use; null when
 * it can.
 */
export async function writeProblem(path: string): Promise<string | null> {
  const temp = tempPathFor(path);
  try {
    const fh = await open(temp, 'wx', 0o644);
    try {
      await fh.write(new Uint8Array(1));
    } finally {
      await fh.close();
      await unlink(temp).catch(() => {});
    }
    return null;
  } catch (err) {
    return fsReason(err);
  }
}

/** fsync a directory so a rename in it is durable; not every platform allows it (Windows). */
async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Best effort: the rename has happened; only its durability is at stake.
  } finally {
    await fh?.close().catch(() => {});
  }
}
