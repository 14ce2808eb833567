// Text in and text out for a trained file task (docs/contract.md §1b, §6): tokenised and mapped to
// ids as in training, predictions mapped back and detokenised.
import { detokenize, tokenize, type Tokenize } from './tokenize.ts';
import type { Vocab } from './vocab.ts';

export function textToIds(text: string, vocab: Vocab, mode: Tokenize): number[] {
  return vocab.ids(tokenize(text, mode));
}

export function idsToText(ids: ArrayLike<number>, vocab: Vocab, mode: Tokenize): string {
  return detokenize(vocab.toTokens(ids), mode);
}
