// File-system errors in words a user can act on (Node only).
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';

const REASONS: Record<string, string> = {
  ENOSPC: 'no space is left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'it is a directory',
  EIO: 'an input/output error occurred',
  EMFILE: 'too many files are open',
  ENAMETOOLONG: 'the name is too long',
};

/** "no space is left on the device (ENOSPC)", or the error's own first line. */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code && REASONS[code]) return `${REASONS[code]} (${code})`;
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0];
}

/** The error's code when it is one a user fixes on their side (space, permissions). */
export function fsCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException)?.code;
}

/**
 * Why `path` cannot be created: mkdir with `recursive` reports ENOENT on a read-only
 * parent, so the nearest existing ancestor is asked instead.
 */
export function whyNotCreatable(path: string, err: unknown): string {
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    accessSync(dir, constants.W_OK);
  } catch (access) {
    return `${dir} is not writable: ${fsReason(access)}`;
  }
  return fsReason(err);
}
