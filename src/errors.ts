// Errors every layer may throw (config, io, run, gpu, harness, cli): kept below all of them.

/** A mistake of the user's (bad flag, bad file, bad value): printed as one sentence, exit 1. */
export class UserError extends Error {}

/**
 * Marks a UserError thrown in the page (a config too large for the GPU, a checkpoint that
 * does not fit its model) on its way to Node, which throws it again as a UserError.
 */
export const PAGE_USER_ERROR = '[seq2seq user error] ';

/** The page's UserError sentence inside an error that crossed from the page, or null. */
export function pageUserError(err: unknown): UserError | null {
  const message = err instanceof Error ? err.message : String(err);
  const at = message.indexOf(PAGE_USER_ERROR);
  return at < 0 ? null : new UserError(message.slice(at + PAGE_USER_ERROR.length).split('\n')[0]);
}
