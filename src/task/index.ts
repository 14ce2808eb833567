// The prime-extraction task (docs/contract.md §1). Runs unchanged in Node and in the browser.
export { SampleRng, type Stream } from './rng.ts';
export { isPrime, primesOf } from './primes.ts';
export { sample, samples, eosToken, PAD, type Sample, type TaskConfig } from './sample.ts';
export { makeBatch, batchFromSamples, type Batch, type PaddedBatch } from './batch.ts';
