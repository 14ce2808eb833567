// Reading a checkpoint named on the command line, with one clear sentence on failure.
import { statSync } from 'node:fs';
import { MAX_CHECKPOINT_BYTES, readFileBounded } from '../../io/bounded_read.ts';
import { validateConfig, type Config } from '../../config/index.ts';
import { decodeCheckpoint } from '../../io/checkpoint.ts';
import { UserError } from '../../errors.ts';

export interface CheckpointFile {
  bytes: Uint8Array;
  config: Config;
  /** A file task's vocabulary (docs/contract.md §1b). */
  vocab?: string[];
}

export function readCheckpointFile(path: string | boolean | undefined): CheckpointFile {
  if (typeof path !== 'string' || path === '') throw new UserError('--checkpoint F is required: the .safetensors file to load.');
  try {
    if (statSync(path).isDirectory()) throw new UserError(`--checkpoint ${path} is a directory; name a .safetensors file, e.g. ${path}/last.safetensors.`);
  } catch (err) {
    if (err instanceof UserError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`Checkpoint ${path} does not exist.`);
  }
  const bytes = new Uint8Array(readFileBounded(path, { what: 'checkpoint', maxBytes: MAX_CHECKPOINT_BYTES }));
  const checkpoint = decodeCheckpoint(bytes, `checkpoint ${path}`);
  const config = validateConfig(checkpoint.config);
  if (config.task === 'file' && !checkpoint.vocab) throw new UserError(`Checkpoint ${path} is of a file task but carries no vocab in its metadata.`);
  return { bytes, config, vocab: checkpoint.vocab };
}
