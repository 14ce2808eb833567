// File tasks end to end (docs/contract.md §1b, §2, §6): `train data=F` learns letter-word reversal in a
// few hundred steps, `predict` prints text, `eval --data` scores every pair with bleu, a
// resume continues exactly and refuses a changed file; every bad file is one sentence.
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, type CliResult } from './helpers/cli.ts';
import { decodeCheckpoint } from '../src/io/checkpoint.ts';
import { main as runCli } from '../src/cli/main.ts';

/** The CLI in this process (for mistakes caught before Chrome starts: no spawn, no tsx start-up). */
async function inProcess(args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stdin: async () => '' });
  return { code, stdout, stderr };
}

/** Chrome-backed commands on a loaded 2-core machine take minutes. */
const SLOW = 600_000;

const root = mkdtempSync(join(tmpdir(), 'seq2seq-file-task-'));
const path = (name: string) => join(root, name);

/** Distinct words of 1..4 letters from "abcde" (a fixed LCG, so the files never change). */
function words(n: number, seed: number): string[] {
  let s = seed;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8;
  const out = new Set<string>();
  while (out.size < n) {
    const len = 1 + (next() % 4);
    out.add(Array.from({ length: len }, () => 'abcde'[next() % 5]).join(''));
  }
  return [...out];
}
const reversed = (w: string) => [...w].reverse().join('');
const all = words(360, 7);
const trainWords = all.slice(0, 320);
const evalWords = all.slice(320);
writeFileSync(path('train.tsv'), trainWords.map((w) => `${w}\t${reversed(w)}\n`).join(''));
writeFileSync(path('eval.jsonl'), evalWords.map((w) => `${JSON.stringify({ source: w, target: reversed(w) })}\n`).join(''));
copyFileSync(path('train.tsv'), path('copy.tsv'));

const SMALL = ['tokenize=chars', 'hidden_size=32', 'embedding_size=16', 'batch_size=8'];
const main = path('run');
const last = join(main, 'last.safetensors');

/** One sentence on stderr, a non-zero exit, nothing on stdout. */
function expectOneSentence(r: CliResult, pattern: RegExp): void {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.stderr).not.toMatch(/\n\s+at |Error:|SEQ2SEQ_DEBUG/);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stdout).toBe('');
}

let trained: CliResult;
let straight: Promise<CliResult>;
let firstHalf: Promise<CliResult>;
const CONSTANT = ['lr_schedule=constant', 'eval_samples=8', ...SMALL];

beforeAll(async () => {
  // Runs without Chrome-heavy dependencies start together; the learning run is awaited here.
  straight = cli(['train', '--out', path('straight'), '--rounds', '2', '--steps', '4', `data=${path('copy.tsv')}`, ...CONSTANT]);
  firstHalf = cli(['train', '--out', path('halves'), '--rounds', '1', '--steps', '4', `data=${path('copy.tsv')}`, ...CONSTANT]);
  trained = await cli(['train', '--out', main, '--rounds', '2', '--steps', '150', `data=${path('train.tsv')}`, `eval_data=${path('eval.jsonl')}`, ...SMALL]);
}, 2 * SLOW);

describe('train, predict and eval on a file of pairs', () => {
  it('learns to reverse words in 300 steps, with bleu in every evaluation', () => {
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toMatch(/^data: 320 training pairs, 40 held out \(from .*eval\.jsonl\), vocabulary 8 \(tokenize=chars\), max_length 4$/m);
    const stdout = trained.stdout.trimEnd().split('\n');
    expect(stdout[0]).toMatch(/geomean\s+exact\s+len_acc\s+bleu\s+time_s/);
    const final = JSON.parse(stdout.at(-1)!);
    expect(final).toMatchObject({ round: 2, step: 300 });
    expect(final.geomean).toBeGreaterThan(0.8);
    expect(final.bleu).toBeGreaterThan(50);
    const rounds = readFileSync(join(main, 'metrics.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'round');
    expect(rounds.map((r) => [r.count, typeof r.bleu])).toEqual([[40, 'number'], [40, 'number']]);
  });

  it('derives vocab_size and max_length, and carries the vocabulary and tokenize in the checkpoint', () => {
    const config = JSON.parse(readFileSync(join(main, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ task: 'file', data: path('train.tsv'), eval_data: path('eval.jsonl'), tokenize: 'chars', vocab_size: 8, max_length: 4 });
    // The oracle: letters of the training pairs by descending count, ties alphabetical.
    const counts = new Map<string, number>();
    for (const w of trainWords) for (const c of w + reversed(w)) counts.set(c, (counts.get(c) ?? 0) + 1);
    const letters = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c]) => c);
    const c = decodeCheckpoint(new Uint8Array(readFileSync(last)));
    expect(c.vocab).toEqual(['<pad>', '<unk>', ...letters, '<eos>']);
    const data = JSON.parse(readFileSync(join(main, 'data.json'), 'utf8'));
    expect(data.files.map((f: { path: string }) => f.path)).toEqual([path('train.tsv'), path('eval.jsonl')]);
    expect(data.files[0].size).toBe(readFileSync(path('train.tsv')).length);
    expect(data.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('predict prints detokenised text, one line per input line in order, empty in gives empty out', async () => {
    const inputs = evalWords.slice(0, 6);
    const r = await cli(['predict', '--checkpoint', last], `${inputs[0]}\n\n${inputs.slice(1).join('\n')}\n`);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(inputs.length + 1);
    expect(lines[1]).toBe('');
    const predicted = [lines[0], ...lines.slice(2)];
    for (const p of predicted) expect(p).toMatch(/^[a-e]*$/);
    expect(predicted.filter((p, i) => p === reversed(inputs[i])).length).toBeGreaterThanOrEqual(4);
  }, SLOW);

  it('eval --data scores every pair of a file once, with bleu', async () => {
    const r = await cli(['eval', '--checkpoint', last, '--data', path('eval.jsonl')]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ task: 'file', pairs: 40, count: 40, rounds: 1 });
    const final = JSON.parse(trained.stdout.trimEnd().split('\n').at(-1)!);
    for (const k of ['psa', 'lcsr', 'geomean', 'bleu']) expect(s[k]).toBe(final[k]);
  }, SLOW);
});

describe('resume of a file task', () => {
  it('continues exactly (the epoch order is a function of seed and step), and refuses a changed file', async () => {
    const first = await firstHalf;
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^data: \d+ training pairs, \d+ held out, vocabulary 8/m);
    const second = await cli(['train', '--resume', '--out', path('halves'), '--rounds', '2']);
    expect(second.code, second.stderr).toBe(0);
    const whole = await straight;
    expect(whole.code, whole.stderr).toBe(0);
    const a = decodeCheckpoint(new Uint8Array(readFileSync(join(path('halves'), 'last.safetensors'))));
    const b = decodeCheckpoint(new Uint8Array(readFileSync(join(path('straight'), 'last.safetensors'))));
    expect(a.step).toBe(8);
    for (const [name, t] of b.tensors) expect([...a.tensors.get(name)!.data], name).toEqual([...t.data]);

    appendFileSync(path('copy.tsv'), 'abc\tcba\n');
    const before = readFileSync(join(path('halves'), 'last.safetensors'));
    const refused = await cli(['train', '--resume', '--out', path('halves'), '--rounds', '3']);
    expectOneSentence(refused, /^Cannot resume: .*copy\.tsv changed since the run started \(size \d+ → \d+ bytes/m);
    expect(readFileSync(join(path('halves'), 'last.safetensors'))).toEqual(before);
  }, 2 * SLOW);
});

describe('bad data: one sentence naming the file (and line), a non-zero exit, no run written', () => {
  const bad = (name: string, text: string) => {
    writeFileSync(path(name), text);
    return path(name);
  };
  const many = Array.from({ length: 40_000 }, (_, i) => `w${i}\tv${i}`).join('\n');
  const cases: Array<[string, () => string[], RegExp]> = [
    ['a line without a tab', () => [`data=${bad('notab.tsv', 'a\tb\nc d\n')}`], /^Line 2 of .*notab\.tsv has no tab between source and target\.$/m],
    ['invalid JSON', () => [`data=${bad('bad.jsonl', '{"source":"a","target":"b"}\n{"source":\n')}`], /^Line 2 of .*bad\.jsonl is not valid JSON\.$/m],
    ['a missing key', () => [`data=${bad('nokey.jsonl', '{"source":"a"}\n')}`], /^Line 1 of .*nokey\.jsonl has no "target" key\.$/m],
    ['an empty file', () => [`data=${bad('empty.tsv', '')}`], /^.*empty\.tsv is empty: it holds no pairs\.$/m],
    ['no held-out pairs', () => [`data=${bad('one.tsv', 'a\tb\n')}`], /^.*one\.tsv has no held-out pairs: .*give eval_data=FILE\.$/m],
    ['an empty eval_data', () => [`data=${path('train.tsv')}`, `eval_data=${bad('empty.jsonl', '\n')}`], /^.*empty\.jsonl \(eval_data\) is empty: it holds no pairs\.$/m],
    ['a vocabulary too large for the device', () => [`data=${bad('many.tsv', many)}`, `eval_data=${path('eval.jsonl')}`], /^The vocabulary of .*many\.tsv \(\d+ tokens\) is too large for the device's limits: .* MiB/m],
    ['vocab_size set for a file task', () => [`data=${path('train.tsv')}`, 'vocab_size=50'], /^vocab_size cannot be set for task=file/m],
    ['task=file without data', () => ['task=file'], /^task=file needs data=PATH/m],
    ['eval_data without data', () => [`eval_data=${path('eval.jsonl')}`], /^eval_data=PATH needs data=PATH/m],
    ['an unknown file type', () => [`data=${bad('pairs.csv', 'a,b\n')}`], /^Cannot read pairs from .*pairs\.csv: the file name must end in \.tsv/m],
    ['a missing file', () => [`data=${path('none.tsv')}`], /^Cannot read data file ".*none\.tsv": no such file\.$/m],
  ];
  it.each(cases)('%s', async (name, args, pattern) => {
    const out = path(`bad-${name.replace(/\W+/g, '-')}`);
    const r = await inProcess(['train', '--out', out, ...args()]);
    expectOneSentence(r, pattern);
    expect(existsSync(join(out, 'config.json'))).toBe(false);
  });

  it('data refuses task=file, and eval of a file task needs --data', async () => {
    expectOneSentence(await inProcess(['data', 'task=file']), /^data prints samples of the built-in tasks/);
    expect(trained.code, trained.stderr).toBe(0);
    expectOneSentence(await inProcess(['eval', '--checkpoint', last]), /is a file task: name the pairs to evaluate with --data F/);
    expectOneSentence(await inProcess(['predict', '--checkpoint', last, 'abcde']), /^Input 1 has 5 tokens, but this model takes at most max_length = 4\.$/m);
  });
});
