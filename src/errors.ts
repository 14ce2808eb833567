// Errors every layer may throw (config, io, run, gpu, harness, cli): kept below all of them.

/** A mistake of the user's (bad flag, bad file, bad value): printed as one sentence, exit 1. */
export class UserError extends Error {}
