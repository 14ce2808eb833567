// The shared source/target vocabulary of a file task (docs/contract.md §1b): 0 = <pad>, 1 = <unk>,
// 2 .. V-2 = the training tokens by descending count (ties in code-point order), V-1 = <eos>.
import { compareCodePoints } from './tokenize.ts';

export const UNK_ID = 1;
export const PAD_TOKEN = '<pad>';
export const UNK_TOKEN = '<unk>';
export const EOS_TOKEN = '<eos>';

/** The id-ordered token list for `counts` (token -> count in the training pairs). */
export function vocabFromCounts(counts: ReadonlyMap<string, number>): string[] {
  const tokens = [...counts.entries()]
    .filter(([, c]) => c > 0)
    .sort(([a, ca], [b, cb]) => cb - ca || compareCodePoints(a, b))
    .map(([t]) => t);
  return [PAD_TOKEN, UNK_TOKEN, ...tokens, EOS_TOKEN];
}

/** Token <-> id for a vocabulary array (index = id). */
export class Vocab {
  private readonly index = new Map<string, number>();

  constructor(readonly tokens: readonly string[]) {
    if (tokens.length < 3) throw new RangeError(`A vocabulary needs <pad>, <unk> and <eos>, got ${tokens.length} entries.`);
    // Only the data's own tokens map back: a literal "<pad>" in text is just an unknown word.
    for (let id = 2; id < tokens.length - 1; id++) if (!this.index.has(tokens[id])) this.index.set(tokens[id], id);
  }

  get size(): number {
    return this.tokens.length;
  }
  get eos(): number {
    return this.tokens.length - 1;
  }

  id(token: string): number {
    return this.index.get(token) ?? UNK_ID;
  }

  ids(tokens: readonly string[]): number[] {
    return tokens.map((t) => this.id(t));
  }

  /** Tokens of ids, stopping at nothing: PAD and EOS print as themselves. */
  toTokens(ids: ArrayLike<number>): string[] {
    return Array.from(ids, (id) => this.tokens[id] ?? UNK_TOKEN);
  }
}
