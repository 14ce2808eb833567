// The library's one error class: every failure a caller can meet, with a stable `code` to
// branch on and the same one-sentence message the command line prints.
import { UserError } from '../errors.ts';
import { CheckpointError } from '../io/safetensors.ts';
import { DataError } from '../data/parse.ts';
import { GpuDeviceLostError, WebGpuUnavailableError } from '../gpu/device.ts';
import { GpuError } from '../gpu/context.ts';
import { AdapterChoiceError } from '../gpu/adapter.ts';
import { NonFiniteError } from '../train/session.ts';
import type { ErrorCode } from '../page_api/errors.ts';

/** Why a call failed: the one list of codes, kept by the page boundary (src/page_api/errors.ts), a floor this one builds on. */
export type Seq2SeqErrorCode = ErrorCode;

/** Every error the library throws or rejects with. `message` is one sentence for a person. */
export class Seq2SeqError extends Error {
  override readonly name = 'Seq2SeqError';
  constructor(
    /** Stable across versions: branch on this, not on the message. */
    readonly code: Seq2SeqErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * `err` as a Seq2SeqError. A UserError whose class says nothing more takes `userCode`: the
 * caller knows what was being read (settings, a checkpoint, an input).
 */
export function toSeq2SeqError(err: unknown, userCode: Seq2SeqErrorCode = 'invalid_settings'): Seq2SeqError {
  if (err instanceof Seq2SeqError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new Seq2SeqError(codeOf(err, userCode), message, { cause: err });
}

function codeOf(err: unknown, userCode: Seq2SeqErrorCode): Seq2SeqErrorCode {
  if (err instanceof CheckpointError) return 'invalid_checkpoint';
  if (err instanceof DataError) return 'invalid_data';
  if (err instanceof UserError) return userCode;
  // The batch builders' range checks, when the caller's own ids are out of range.
  if (err instanceof RangeError && userCode === 'invalid_input') return userCode;
  if (err instanceof WebGpuUnavailableError || err instanceof AdapterChoiceError) return 'webgpu_unavailable';
  if (err instanceof GpuDeviceLostError || err instanceof GpuError) return 'device_lost';
  if (err instanceof NonFiniteError) return 'diverged';
  return 'internal';
}

/** Runs `job`, turning whatever it throws into a Seq2SeqError (see toSeq2SeqError). */
export async function guarded<T>(job: () => Promise<T> | T, userCode?: Seq2SeqErrorCode): Promise<T> {
  try {
    return await job();
  } catch (err) {
    throw toSeq2SeqError(err, userCode);
  }
}
