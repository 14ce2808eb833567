// The CLI end to end: `node bin/seq2seq.mjs` in a child process, as a user runs it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, type CliResult as Result } from './helpers/cli.ts';
import { commands } from '../src/cli/commands/index.ts';
import { primesOf } from '../src/task/primes.ts';


const jsonl = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l));

/** A user mistake: exactly one line on stderr, nothing on stdout, non-zero exit, no stack. */
function expectOneLineError(r: Result, pattern: RegExp): void {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
  expect(r.stderr).toMatch(pattern);
}

const dir = mkdtempSync(join(tmpdir(), 'seq2seq-cli-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe.concurrent('seq2seq data', () => {
  it('prints five valid samples for --n 5 --seed 1, the same every time', async () => {
    const [r, again] = await Promise.all([cli(['data', '--n', '5', '--seed', '1']), cli(['data', '--seed=1', '--n=5'])]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = jsonl(r.stdout);
    expect(lines).toHaveLength(5);
    for (const { input, target, ...rest } of lines) {
      expect(rest).toEqual({});
      expect(input.length).toBeGreaterThanOrEqual(1);
      expect(input.length).toBeLessThanOrEqual(20);
      expect(input.every((v: number) => Number.isInteger(v) && v >= 1 && v <= 98)).toBe(true);
      expect(target).toEqual(primesOf(input));
    }
    expect(again.stdout).toBe(r.stdout);
  });

  it('takes key=value task settings and defaults to 10 samples', async () => {
    const r = await cli(['data', 'vocab_size=8', 'max_length=3', 'min_length=3']);
    expect(r.code).toBe(0);
    const lines = jsonl(r.stdout);
    expect(lines).toHaveLength(10);
    expect(lines.every(({ input }) => input.length === 3 && input.every((v: number) => v >= 1 && v <= 6))).toBe(true);
  });
});

describe.concurrent('seq2seq metrics', () => {
  it('scores data turned into pairs: perfect, then corrupted', async () => {
    const data = jsonl((await cli(['data', '--n', '40', '--seed', '3'])).stdout);
    const perfect = data.map(({ input, target }) => JSON.stringify({ input, target, prediction: [...target, 99, 42] }));
    // Corrupt: the first number of every non-empty prediction becomes 1 (never a prime), and
    // no prediction has an EOS at all.
    const corrupted = data.map(({ target }) => JSON.stringify({ target, prediction: target.length ? [1, ...target.slice(1)] : [] }));
    const [good, bad] = await Promise.all([
      cli(['metrics', '--pairs', file('perfect.jsonl', `${perfect.join('\n')}\n`)]),
      cli(['metrics', '--pairs', '-'], `${corrupted.join('\n')}\n`),
    ]);
    expect(good.code, good.stderr).toBe(0);
    const g = JSON.parse(good.stdout);
    expect(g).toMatchObject({ psa: 1, lcsr: 1, geomean: 1, exact_match: 1, length_accuracy: 1, count: 40, bucketed_by: 'input_length' });
    const inputLengths = new Set(data.map(({ input }) => String(input.length)));
    expect(new Set(Object.keys(g.by_length))).toEqual(inputLengths);

    expect(bad.code, bad.stderr).toBe(0);
    const b = JSON.parse(bad.stdout);
    // Per sample: an empty target scores 1 and matches exactly; else PSA = LCSR = (L-1)/L.
    const Ls = data.map(({ target }) => target.length as number);
    const expected = Ls.reduce((a, L) => a + (L === 0 ? 1 : (L - 1) / L), 0) / Ls.length;
    const empties = Ls.filter((L) => L === 0).length / Ls.length;
    expect(b.psa).toBeCloseTo(expected, 12);
    expect(b.lcsr).toBeCloseTo(expected, 12);
    expect(b.geomean).toBeCloseTo(expected, 12);
    expect(b.exact_match).toBeCloseTo(empties, 12);
    expect(b.length_accuracy).toBe(1);
    expect(b.count).toBe(40);
    expect(b.bucketed_by).toBe('target_length');
  });

  it('uses vocab_size to find EOS', async () => {
    const pairs = file('small.jsonl', '{"target":[2,3],"prediction":[2,3,9,5]}\n');
    const [small, big] = await Promise.all([cli(['metrics', '--pairs', pairs, 'vocab_size=10']), cli(['metrics', '--pairs', pairs])]);
    expect(JSON.parse(small.stdout).exact_match).toBe(1);
    expect(JSON.parse(big.stdout).exact_match).toBe(0);
  });
});

describe.concurrent('mistakes give one sentence and a non-zero exit', () => {
  const cases: Array<[string, string[], string, RegExp]> = [
    ['bad JSON', ['metrics', '--pairs', '-'], '{"target":[2],"prediction":[2]}\n{"target":[2],\n', /^Line 2 of standard input: not valid JSON\.$/m],
    ['a missing key', ['metrics', '--pairs', '-'], '{"target":[2]}\n', /^Line 1 of standard input: missing "prediction"\.$/m],
    ['a non-integer', ['metrics', '--pairs', '-'], '\n{"target":[2.5],"prediction":[]}\n', /^Line 2 of standard input: target\[0\] = 2\.5 is not an integer\.$/m],
    ['an out-of-range token', ['metrics', '--pairs', '-'], '{"target":[2],"prediction":[100]}\n', /prediction\[0\] = 100 is outside 0\.\.99 \(vocab_size 100\)\./],
    ['a target holding EOS', ['metrics', '--pairs', '-'], '{"target":[99],"prediction":[]}\n', /target\[0\] = 99 is outside 1\.\.98/],
    ['no pairs at all', ['metrics', '--pairs', '-'], '\n', /^standard input holds no pairs\.$/m],
    ['a missing file', ['metrics', '--pairs', '/no/such/pairs.jsonl'], '', /^Cannot read pairs file "\/no\/such\/pairs\.jsonl": no such file\.$/m],
    ['no --pairs', ['metrics'], '', /^metrics needs --pairs F/],
    ['an unknown flag', ['data', '--count', '3'], '', /^Unknown option --count for data; see `seq2seq data --help`\.$/m],
    ['a flag without its value', ['data', '--n'], '', /^Option --n needs a value\.$/m],
    ['a bad --n', ['data', '--n', 'many'], '', /^--n must be an integer >= 0, got "many"\.$/m],
    ['a stray argument', ['data', '5'], '', /^Unexpected argument "5" for data/],
    ['bad settings', ['data', 'vocab_size=ten', 'colour=red'], '', /^vocab_size must be a number, got "ten"\. Unknown config key "colour"/],
    ['an out-of-range setting', ['data', 'min_length=0'], '', /^min_length must be a positive integer, got 0\.$/m],
    ['an unknown command', ['trian'], '', /^Unknown command "trian"/],
  ];
  it.each(cases)('%s', async (_name, args, stdin, pattern) => {
    expectOneLineError(await cli(args, stdin), pattern);
  });
});

describe.concurrent('help', () => {
  it('--help lists every registered command', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of commands) expect(r.stdout).toMatch(new RegExp(`^  ${c.name}\\s+\\S`, 'm'));
  });

  it('<command> --help prints its usage', async () => {
    const r = await cli(['metrics', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: seq2seq metrics --pairs F/);
  });
});
