// The built-in tasks (docs/contract.md §1, §1b). Runs unchanged in Node and in the browser.
export { SampleRng, type Stream } from './rng.ts';
export { isPrime, primesOf } from './primes.ts';
export { TASK_NAMES, targetFor, type BuiltinTaskName } from './tasks.ts';
export { sample, samples, eosToken, PAD, type Sample, type TaskConfig } from './sample.ts';
export { makeBatch, batchFromSamples, type Batch, type PaddedBatch } from './batch.ts';
