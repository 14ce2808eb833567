// Kept in a module of its own, free of GPU code, so the Node side can tell a diverged run
// from the error that crossed the page boundary without loading the models.

/** Training produced a non-finite loss or gradient norm: the run's outcome, not a fault. */
export class NonFiniteError extends Error {}
