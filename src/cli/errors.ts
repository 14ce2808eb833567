/** A mistake of the user's (bad flag, bad file, bad value): printed as one sentence, exit 1. */
export class UserError extends Error {}
