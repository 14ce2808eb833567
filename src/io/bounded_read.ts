// Reading a file named by the user with a size cap before anything parses it, and a time
// bound where it can block (Node only). A device (/dev/zero, /dev/urandom) is refused; a
// FIFO or pipe (`--config <(…)`) is read without blocking, so one with no writer cannot
// hang the command; a regular file larger than the cap is refused from its size.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { UserError } from '../errors.ts';
import { quote } from '../quote.ts';
import { fsReason } from './fs_errors.ts';

export interface BoundedReadOptions {
  /** Names the file in every sentence, e.g. "config file". */
  what: string;
  /** Largest content accepted, in bytes. */
  maxBytes: number;
  /** How long a FIFO may take to deliver its content (default 10 s). */
  timeoutMs?: number;
}

export const MB = 1024 * 1024;
/** Far above any model this project trains (the GPU preset's checkpoint is about 15 MB). */
export const MAX_CHECKPOINT_BYTES = 1024 * MB;
/** Pairs files and standard input: a million pairs fit several times over; a string must stay far below V8's 512 MB. */
export const MAX_INPUT_BYTES = 256 * MB;
const DEFAULT_TIMEOUT_MS = 10_000;
const POLL_MS = 10;

/** "12.0 MB" */
export function formatBytes(n: number): string {
  return n >= MB ? `${(n / MB).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} bytes`;
}

/** The whole content of `path`, or one UserError sentence saying why not. */
export function readFileBounded(path: string, opts: BoundedReadOptions): Buffer {
  const name = `${opts.what} ${quote(path, 200)}`;
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`Cannot read ${name}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : fsReason(err)}.`);
  }
  if (stat.isDirectory()) throw new UserError(`Cannot read ${name}: it is a directory.`);
  if (stat.isFile() && stat.size > opts.maxBytes) {
    throw new UserError(`Cannot read ${name}: it is ${formatBytes(stat.size)}, more than the ${formatBytes(opts.maxBytes)} a ${opts.what} may be.`);
  }
  if (!stat.isFile() && !stat.isFIFO()) throw new UserError(`Cannot read ${name}: it is a device or socket, not a file.`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (stat.isFIFO() ? constants.O_NONBLOCK : 0));
  } catch (err) {
    throw new UserError(`Cannot read ${name}: ${fsReason(err)}.`);
  }
  try {
    // A regular file may be swapped for something else between stat and open: check the fd.
    const kind = fstatSync(fd);
    if (!kind.isFile() && !kind.isFIFO()) throw new UserError(`Cannot read ${name}: it is a device or socket, not a file.`);
    return readAll(fd, name, opts, kind.isFIFO());
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads until end of file, at most maxBytes. On a non-blocking FIFO, EAGAIN means a
 * writer is there but has nothing yet; 0 bytes before any writer came means none has
 * opened it yet, so both wait (up to the time bound) instead of blocking.
 */
function readAll(fd: number, name: string, opts: BoundedReadOptions, fifo: boolean): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  let writerSeen = false;
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const chunk = Buffer.allocUnsafe(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw new UserError(`Cannot read ${name}: ${fsReason(err)}.`);
      writerSeen = true;
      n = -1;
    }
    if (n > 0) {
      writerSeen = true;
      total += n;
      if (total > opts.maxBytes) throw new UserError(`Cannot read ${name}: it holds more than the ${formatBytes(opts.maxBytes)} a ${opts.what} may be.`);
      chunks.push(Buffer.from(chunk.subarray(0, n)));
      continue;
    }
    if (n === 0 && (!fifo || writerSeen)) return Buffer.concat(chunks, total);
    if (Date.now() > deadline) {
      const seconds = Math.round((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000);
      throw new UserError(`Cannot read ${name}: it is a FIFO and ${writerSeen ? 'its writer did not finish' : 'nothing wrote to it'} within ${seconds} s.`);
    }
    sleepSync(POLL_MS);
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
