// Reading config.json (Node only, so browser code never pulls in node:fs).
import { UserError } from '../errors.ts';
import { MB, readFileBounded } from '../io/bounded_read.ts';
import type { Config } from './config.ts';
import { keyProblems } from './validate.ts';

/** A config file is a few hundred bytes; anything past this is not one. */
export const MAX_CONFIG_BYTES = MB;

/**
 * The settings in a JSON config file, each key and value checked (checks across keys
 * wait for the merged config: see mergeConfig). A full resolved config.json loads as is.
 */
export function loadConfigFile(path: string): Partial<Config> {
  const text = readFileBounded(path, { what: 'config file', maxBytes: MAX_CONFIG_BYTES }).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UserError(`Config file "${path}" is not valid JSON (${(err as Error).message}).`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UserError(`Config file "${path}" must hold one JSON object of settings.`);
  }
  const problems = keyProblems(parsed as Record<string, unknown>);
  if (problems.length > 0) throw new UserError(problems.map((p) => `In ${path}: ${p}`).join(' '));
  return parsed as Partial<Config>;
}

/** One sentence for a failed file read, by error code. */
export function readProblem(what: string, path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return `Cannot read ${what} "${path}": no such file.`;
  if (code === 'EISDIR') return `Cannot read ${what} "${path}": it is a directory.`;
  if (code === 'EACCES') return `Cannot read ${what} "${path}": permission denied.`;
  return `Cannot read ${what} "${path}": ${(err as Error)?.message ?? String(err)}.`;
}
