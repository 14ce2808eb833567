// Counted nouns in messages ("1 round", "3 rounds"); pure, so the page can use it too.

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
