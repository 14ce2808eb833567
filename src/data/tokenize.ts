// Tokenising and detokenising text (docs/contract.md §1b): `words` splits on runs of whitespace,
// `chars` takes every Unicode code point, spaces included. Shared by Node and the page.

export type Tokenize = 'words' | 'chars';

const WHITESPACE = /\s+/u;

export function tokenize(text: string, mode: Tokenize): string[] {
  if (mode === 'chars') return Array.from(text); // code points, not UTF-16 units
  return text.split(WHITESPACE).filter((w) => w !== '');
}

/** Words joined with one space; chars with nothing. */
export function detokenize(tokens: readonly string[], mode: Tokenize): string {
  return tokens.join(mode === 'words' ? ' ' : '');
}

/**
 * Code-point order of two strings (the vocabulary's tie rule). JavaScript's `<` compares
 * UTF-16 units, which puts astral characters (surrogates, 0xD800..) before U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
