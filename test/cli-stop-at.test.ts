// stop_at end to end: a run ends after the first round whose GeoMean reaches it, says so,
// refuses to train further at the same target, and goes on when resumed with stop_at raised.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.ts';

const TINY = ['vocab_size=12', 'max_length=4', 'hidden_size=16', 'embedding_size=8', 'batch_size=8', 'eval_samples=40', 'evaluate_round=1'];
const out = join(mkdtempSync(join(tmpdir(), 'seq2seq-stop-at-')), 'run');
const roundLines = () =>
  readFileSync(join(out, 'metrics.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'round');
const finalLine = (stdout: string) => JSON.parse(stdout.trimEnd().split('\n').at(-1)!);

describe('stop_at', () => {
  it('ends after the first round that reaches it, then resumes with the target turned off', async () => {
    // Any trained model scores above 0.001 here (inputs without primes score 1 on an empty prediction).
    const first = await cli(['train', '--out', out, '--rounds', '3', '--steps', '10', 'stop_at=0.001', ...TINY]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/stopping after round 1: GeoMean \d\.\d{4} reached stop_at 0\.001\. To go on: npx seq2seq train --resume --out /);
    expect(roundLines().map((r) => r.round)).toEqual([1]);
    expect(finalLine(first.stdout)).toMatchObject({ round: 1, step: 10, stopped_at_target: true, best_round: 1 });
    expect(readFileSync(join(out, 'best.safetensors'))).toEqual(readFileSync(join(out, 'round-001.safetensors')));

    const again = await cli(['train', '--resume', '--out', out, 'stop_at=0.001']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/is complete: round 1 \(step 10, GeoMean \d\.\d{4}\) reached stop_at 0\.001; to go on: npx seq2seq train --resume --out .* stop_at=<higher>/);
    expect(roundLines().map((r) => r.round)).toEqual([1]);

    const more = await cli(['train', '--resume', '--out', out, 'stop_at=0']);
    expect(more.code, more.stderr).toBe(0);
    const rounds = roundLines();
    expect(rounds.map((r) => [r.round, r.step])).toEqual([[1, 10], [2, 20], [3, 30]]);
    // The best round: the highest GeoMean, the earliest on a tie.
    let best = 1;
    for (const r of rounds) if (r.geomean > rounds[best - 1].geomean) best = r.round;
    expect(finalLine(more.stdout)).toMatchObject({ round: 3, stopped_at_target: false, best_round: best, best_geomean: rounds[best - 1].geomean });
    expect(readFileSync(join(out, 'best.safetensors'))).toEqual(readFileSync(join(out, `round-00${best}.safetensors`)));
  }, 900_000);

  it('is validated in one sentence', async () => {
    const r = await cli(['train', '--out', join(out, '..', 'bad'), 'stop_at=1.5']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('stop_at must be a number from 0 to 1 (a GeoMean; 0 turns it off), got 1.5.');
  });
});
