// Errors cross the page boundary as data, { code, message }: puppeteer carries only the text
// of a rejection, so an error thrown in the page travels as its code and is rebuilt as the
// same class on the Node side, where the command line tells the cases apart by class. The
// codes are the public API's too (src/lib/errors.ts), so one list names every way a call fails.
import { UserError } from '../errors.ts';
import { GpuDeviceLostError } from '../gpu/device.ts';
import { DataError } from '../data/parse.ts';
import { CheckpointError } from '../io/safetensors.ts';
import { NonFiniteError } from '../train/non_finite.ts';

/**
 * Why a call failed:
 * - `invalid_settings`: a setting is unknown or out of range, or the model does not fit this GPU;
 * - `invalid_data`: the training pairs are empty or malformed;
 * - `invalid_checkpoint`: the bytes are not a checkpoint of this project, or do not fit their model;
 * - `invalid_input`: an input to predict cannot be read (not numbers, too long, out of the vocabulary);
 * - `unsupported`: the model cannot do what was asked (attention maps of a model without attention);
 * - `webgpu_unavailable`: no WebGPU, or no adapter of the kind asked for;
 * - `device_lost`: the GPU device was lost or reported an error;
 * - `diverged`: training produced a non-finite loss or gradient;
 * - `destroyed`: the trainer was used after destroy();
 * - `internal`: anything else (a bug: please report it).
 */
export type ErrorCode =
  | 'invalid_settings'
  | 'invalid_data'
  | 'invalid_checkpoint'
  | 'invalid_input'
  | 'unsupported'
  | 'webgpu_unavailable'
  | 'device_lost'
  | 'diverged'
  | 'destroyed'
  | 'internal';

interface PageError {
  code: ErrorCode;
  message: string;
  /** The page's stack, for internal errors (bugs). */
  stack?: string;
}

/** What a page call answers: its value, or the error it threw. */
export type PageReply = { value: unknown } | { error: PageError };

/**
 * The classes an error keeps across the boundary, each under the code the public API gives
 * it, subclasses before UserError so the first match is the closest; any other error is internal.
 */
const CLASSES: readonly [ErrorCode, new (message: string) => Error][] = [
  ['diverged', NonFiniteError],
  ['device_lost', GpuDeviceLostError],
  ['invalid_checkpoint', CheckpointError],
  ['invalid_data', DataError],
  ['invalid_settings', UserError],
];

export function toPageError(err: unknown): PageError {
  const message = err instanceof Error ? err.message : String(err);
  const known = CLASSES.find(([, cls]) => err instanceof cls);
  if (known) return { code: known[0], message };
  return { code: 'internal', message, stack: err instanceof Error ? err.stack : undefined };
}

/** The error the page threw, as an instance of its class again. */
export function fromPageError(e: PageError): Error {
  const cls = CLASSES.find(([code]) => code === e.code)?.[1] ?? Error;
  const err = new cls(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}
