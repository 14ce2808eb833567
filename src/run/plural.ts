// "1 round", "3 rounds": browser-safe, so the demo page can use run/outcome.ts without
// pulling in console.ts (cli-progress, a Node package).
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
