// Errors cross the page boundary as data, { code, message }: puppeteer carries only the text
// of a rejection, so an error thrown in the page travels as its code and is rebuilt as the
// same class on the Node side, where the command line tells the cases apart by class.
import { UserError } from '../errors.ts';
import { GpuDeviceLostError } from '../gpu/device.ts';
import { NonFiniteError } from '../train/non_finite.ts';

/** 'user': a mistake of the user's (one sentence); 'diverged': a non-finite loss; 'device_lost': the GPU went away. */
export type PageErrorCode = 'user' | 'diverged' | 'device_lost' | 'internal';

export interface PageError {
  code: PageErrorCode;
  message: string;
  /** The page's stack, for internal errors (bugs). */
  stack?: string;
}

/** What a page call answers: its value, or the error it threw. */
export type PageReply = { value: unknown } | { error: PageError };

const CLASSES: readonly [PageErrorCode, new (message: string) => Error][] = [
  ['diverged', NonFiniteError],
  ['device_lost', GpuDeviceLostError],
  ['user', UserError],
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
