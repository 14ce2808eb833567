// `train`, `eval` and `predict` end to end: `node bin/seq2seq.mjs` in a child process with
// a tiny configuration, as a user runs them, then every kind of bad input.
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, type CliResult as Result } from './helpers/cli.ts';
import { decodeCheckpoint } from '../src/io/checkpoint.ts';


/** A user mistake: one sentence on stderr (the last line), non-zero exit, no stack trace. */
function expectOneSentence(r: Result, pattern: RegExp): void {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.stderr).not.toMatch(/\n\s+at |Error:|SEQ2SEQ_DEBUG/);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
}

const TINY = ['vocab_size=12', 'max_length=4', 'hidden_size=16', 'embedding_size=8', 'batch_size=8', 'eval_samples=40', 'evaluate_round=2', 'lr=0.01'];
const SUMMARY_KEYS = ['psa', 'lcsr', 'geomean', 'exact_match', 'length_accuracy', 'psa_std', 'lcsr_std', 'geomean_std', 'exact_match_std', 'length_accuracy_std', 'by_length'];

const root = mkdtempSync(join(tmpdir(), 'seq2seq-cli-train-'));
const out = join(root, 'run');
const last = join(out, 'last.safetensors');
const INPUTS = ['3 4 5', '7', '2,9,10,1', '8 8'];
let trained: Result;
// The commands that open Chrome start together as soon as the checkpoint exists (each
// spends most of its time compiling pipelines), while the quick error cases run.
let later: Record<'same' | 'longer' | 'args' | 'stdin', Promise<Result>>;

beforeAll(async () => {
  trained = await cli(['train', '--out', out, '--rounds', '2', '--steps', '20', '--seed', '3', ...TINY]);
  later = {
    same: cli(['eval', '--checkpoint', last]),
    longer: cli(['eval', '--checkpoint', last, '--max-length', '6', '--rounds', '1', '--samples', '30', '--beam', '2']),
    args: cli(['predict', '--checkpoint', last, ...INPUTS]),
    stdin: cli(['predict', '--checkpoint', last], `${INPUTS.slice(0, 2).join('\n')}\n\n${INPUTS.slice(2).join('\n')}\n  \n`),
  };
  for (const p of Object.values(later)) p.catch(() => undefined);
}, 900_000);

describe.concurrent('bad input: one sentence, a non-zero exit, nothing overwritten', () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    ['predict with a non-integer', () => ['predict', '--checkpoint', last, '3 x 5'], /^Input 1 holds "x", which is not an integer\.$/m],
    ['predict with a fraction', () => ['predict', '--checkpoint', last, '3', '2.5'], /^Input 2 holds "2\.5", which is not an integer\.$/m],
    ['predict with a number too large', () => ['predict', '--checkpoint', last, '3 11'], /^Input 1 holds 11; numbers must be from 1 to 10 \(vocab_size 12\)\.$/m],
    ['predict with zero', () => ['predict', '--checkpoint', last, '0'], /^Input 1 holds 0; numbers must be from 1 to 10/m],
    ['predict with a too long sequence', () => ['predict', '--checkpoint', last, '1 2 3 4 5'], /^Input 1 has 5 numbers, but this model takes at most max_length = 4\.$/m],
    ['predict without a checkpoint', () => ['predict', '3 4'], /^--checkpoint F is required/m],
    ['predict with a missing checkpoint', () => ['predict', '--checkpoint', join(root, 'nope.safetensors'), '3'], /^Checkpoint .*nope\.safetensors does not exist\.$/m],
    ['eval with a missing checkpoint', () => ['eval', '--checkpoint', join(root, 'nope.safetensors')], /^Checkpoint .*nope\.safetensors does not exist\.$/m],
    ['predict with a truncated checkpoint', () => ['predict', '--checkpoint', truncated(), '3'], /checkpoint .*truncated\.safetensors/],
    ['eval with garbage for a checkpoint', () => ['eval', '--checkpoint', garbage()], /checkpoint .*garbage\.safetensors/],
    ['train with a negative hidden_size', () => ['train', '--out', join(root, 'bad1'), 'hidden_size=-3'], /^hidden_size must be a positive integer, got -3\.$/m],
    ['train with an unknown model', () => ['train', '--out', join(root, 'bad2'), 'model=gru'], /^model must be one of "lstm", "attn", "blog", "transformer", got "gru"\.$/m],
    ['train with an odd hidden_size for blog', () => ['train', '--out', join(root, 'bad3'), '--model', 'blog', 'hidden_size=7'], /hidden_size/],
    ['train --resume of nothing', () => ['train', '--resume', '--out', join(root, 'bad4')], /^Cannot resume: .*bad4 holds no run/m],
  ];
  it.each(cases)('%s', async (_name, args, pattern) => {
    const r = await cli(args());
    expectOneSentence(r, pattern);
    expect(r.stdout).toBe('');
    for (const d of ['bad1', 'bad2', 'bad3', 'bad4']) expect(existsSync(join(root, d, 'config.json'))).toBe(false);
  });

  it('train into an --out that already holds a run refuses and overwrites nothing', async () => {
    const before = Object.fromEntries(readdirSync(out).map((f) => [f, [readFileSync(join(out, f)), statSync(join(out, f)).mtimeMs]]));
    const r = await cli(['train', '--out', out, '--rounds', '1', '--steps', '5', ...TINY]);
    expectOneSentence(r, /already holds a run; pass --resume to continue it or choose another --out\.$/m);
    const after = Object.fromEntries(readdirSync(out).map((f) => [f, [readFileSync(join(out, f)), statSync(join(out, f)).mtimeMs]]));
    expect(after).toEqual(before);
  });
});

describe('train end to end', () => {
  it('exits 0 and writes config.json, metrics.jsonl, round and last checkpoints, a table and a final JSON line', () => {
    expect(trained.code, trained.stderr).toBe(0);
    expect(readdirSync(out).filter((f) => !f.startsWith('.')).sort()).toEqual([
      'best.safetensors',
      'config.json',
      'last.safetensors',
      'metrics.jsonl',
      'round-001.safetensors',
      'round-002.safetensors',
    ]);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ model: 'lstm', vocab_size: 12, max_length: 4, hidden_size: 16, rounds: 2, steps: 20, seed: 3, lr: 0.01 });

    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    const steps = lines.filter((l) => l.type === 'step');
    const rounds = lines.filter((l) => l.type === 'round');
    expect(steps.map((l) => l.step)).toEqual([10, 20, 30, 40]);
    expect(steps.every((l) => Number.isFinite(l.loss) && Number.isFinite(l.grad_norm))).toBe(true);
    expect(rounds.map((l) => [l.round, l.step])).toEqual([
      [1, 20],
      [2, 40],
    ]);
    for (const r of rounds) for (const k of SUMMARY_KEYS) expect(r, k).toHaveProperty(k);
    expect(lines.length).toBe(steps.length + rounds.length);

    // The checkpoints: config, step and round in the metadata; model and Adam tensors.
    const c1 = decodeCheckpoint(new Uint8Array(readFileSync(join(out, 'round-001.safetensors'))));
    const c2 = decodeCheckpoint(new Uint8Array(readFileSync(last)));
    expect([c1.step, c1.round, c2.step, c2.round]).toEqual([20, 1, 40, 2]);
    expect(c2.config).toEqual(config);
    expect(c2.tensors.has('output.weight')).toBe(true);
    expect(c2.optimizer.has('m.output.weight')).toBe(true);
    expect(readFileSync(last)).toEqual(readFileSync(join(out, 'round-002.safetensors')));

    const stdout = trained.stdout.trimEnd().split('\n');
    expect(stdout[0]).toMatch(/round\s+step\s+loss\s+psa\s+lcsr\s+geomean/);
    expect(stdout.slice(1, 3).map((l) => l.trim().split(/\s+/).slice(0, 2))).toEqual([
      ['1', '20'],
      ['2', '40'],
    ]);
    const final = JSON.parse(stdout[stdout.length - 1]);
    expect(final).toMatchObject({ run_dir: out, model: 'lstm', round: 2, step: 40, stopped_at_target: false });
    for (const k of ['psa', 'lcsr', 'geomean']) expect(final[k]).toBe(rounds[1][k]);

    // best.safetensors is the round with the highest GeoMean (the earlier on a tie), named in the final line.
    const bestRound = rounds[1].geomean > rounds[0].geomean ? 2 : 1;
    expect(final).toMatchObject({ best_checkpoint: join(out, 'best.safetensors'), best_round: bestRound, best_geomean: rounds[bestRound - 1].geomean });
    expect(readFileSync(join(out, 'best.safetensors'))).toEqual(readFileSync(join(out, `round-00${bestRound}.safetensors`)));
  });

  it('eval --checkpoint prints one JSON object with the docs/contract.md §6 keys; --max-length above the training length works', async () => {
    const [same, longer] = await Promise.all([later.same, later.longer]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout.trimEnd().split('\n')).toHaveLength(1);
    const s = JSON.parse(same.stdout);
    for (const k of SUMMARY_KEYS) expect(s, k).toHaveProperty(k);
    // The checkpoint's own settings: the same evaluation as the run's last round.
    const round2 = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'round')[1];
    for (const k of ['psa', 'lcsr', 'geomean', 'exact_match', 'length_accuracy']) expect(s[k]).toBe(round2[k]);
    expect(s.max_length).toBe(4);
    expect(s.beam).toBe(1);
    // A short human summary on stderr beside the JSON on stdout.
    expect(same.stderr.trim()).toMatch(/^eval: GeoMean \d\.\d{4} ± \d\.\d{4}, PSA .*, exact match \d\.\d{4}, length accuracy \d\.\d{4} \(2 × 40 samples, inputs up to 4, greedy\)$/);

    expect(longer.code, longer.stderr).toBe(0);
    const l = JSON.parse(longer.stdout);
    expect(l.max_length).toBe(6);
    expect(l.beam).toBe(2);
    expect(longer.stderr.trim()).toMatch(/\(1 × 30 samples, inputs up to 6, beam 2\)$/);
    expect(l.count).toBe(30);
    for (const k of SUMMARY_KEYS) expect(l, k).toHaveProperty(k);
    expect(Object.keys(l.by_length).some((len) => Number(len) > 4)).toBe(true);
  });

  it('predict prints one line per input, from arguments or standard input, blank lines kept', async () => {
    const inputs = INPUTS;
    const [args, stdin] = await Promise.all([later.args, later.stdin]);
    expect(args.code, args.stderr).toBe(0);
    expect(stdin.code, stdin.stderr).toBe(0);
    const lines = args.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(inputs.length);
    for (const line of lines) expect(line).toMatch(/^(\d+( \d+)*)?$/);
    expect(lines.flatMap((l) => (l ? l.split(' ').map(Number) : [])).every((v) => v >= 1 && v <= 10)).toBe(true);
    // Blank input lines give empty output lines in place (docs/contract.md §6), so outputs line up.
    expect(stdin.stdout).toBe(`${[...lines.slice(0, 2), '', ...lines.slice(2), ''].join('\n')}\n`);
  });
});

function truncated(): string {
  const path = join(root, 'truncated.safetensors');
  const bytes = readFileSync(last);
  writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  return path;
}

function garbage(): string {
  const path = join(root, 'garbage.safetensors');
  writeFileSync(path, 'this is not a checkpoint at all');
  return path;
}
