// Writes the small text data sets of the README's file-task figures into DIR (default
// text-sets/): numbers.tsv (0..999 in English words -> digits, tokenize=words),
// plurals.tsv (made-up nouns -> plurals by English spelling rules, tokenize=chars) and
// arith.tsv (a+b, a-b for a, b in 0..99 -> the value, tokenize=chars). Deterministic.
// Usage: node scripts/text-sets.mjs [DIR]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'text-sets';
mkdirSync(dir, { recursive: true });

let state = 12;
/** A 32-bit LCG: the files are the same on every machine. */
const rand = (n) => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 8) % n;
const pick = (xs) => xs[rand(xs.length)];

const ONES = 'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen'.split(' ');
const TENS = '_ _ twenty thirty forty fifty sixty seventy eighty ninety'.split(' ');
function words(n) {
  if (n < 20) return ONES[n];
  if (n < 100) return TENS[Math.floor(n / 10)] + (n % 10 ? ` ${ONES[n % 10]}` : '');
  return `${ONES[Math.floor(n / 100)]} hundred${n % 100 ? ` ${words(n % 100)}` : ''}`;
}
const numbers = Array.from({ length: 1000 }, (_, n) => `${words(n)}\t${[...String(n)].join(' ')}`);

function plural(w) {
  if (/(s|x|z|ch|sh)$/.test(w)) return `${w}es`;
  if (/[^aeiou]y$/.test(w)) return `${w.slice(0, -1)}ies`;
  return `${w}s`;
}
const nouns = new Set();
while (nouns.size < 2000) {
  let w = '';
  for (let i = 0, n = 1 + rand(2); i < n; i++) w += pick([...'bcdfghjklmnprstvwz']) + pick([...'aeiou']);
  w += pick(['s', 'x', 'z', 'ch', 'sh', 'y', 'o', 'f', 'n', 't', 'k']);
  if (w.length <= 8) nouns.add(w);
}
const plurals = [...nouns].map((w) => `${w}\t${plural(w)}`);

const sums = new Set();
while (sums.size < 3000) {
  const [a, b, op] = [rand(100), rand(100), pick(['+', '-'])];
  sums.add(`${a}${op}${b}\t${op === '+' ? a + b : a - b}`);
}

for (const [name, lines] of [['numbers.tsv', numbers], ['plurals.tsv', plurals], ['arith.tsv', [...sums]]]) {
  writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
  console.log(`${join(dir, name)}: ${lines.length} pairs`);
}
