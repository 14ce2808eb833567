// The metrics of docs/contract.md §2.
export { lcsLength } from './lcs.ts';
export { cutAtEos, scoreSample, type SampleScore } from './sample.ts';
export { scoreRound, figuresFrom, type Pair, type Figures, type RoundScore, type BucketKey } from './round.ts';
export { summarizeRounds, type Summary } from './summary.ts';
export { corpusBleu, type BleuPair } from './bleu.ts';
