// The transformer through the CLI with dropout, label smoothing and warm-up on: checkpoints
// carry the nn.Transformer names, and a run stopped after round 1 and continued with --resume
// ends bitwise identical to an uninterrupted one (the dropout masks are a function of the
// step, the warm-up of the update number). A constant lr after the warm-up: extending --rounds
// on resume re-plans a cosine anneal. Then predict with beam search and attention maps.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cli as run } from './helpers/cli.ts';
import { expectSameBits, trainAndResume } from './helpers/resume.ts';

const TINY = ['--model', 'transformer', '--steps', '8', '--seed', '2', 'vocab_size=11', 'max_length=5', 'hidden_size=6', 'embedding_size=6', 'heads=2', 'ff_size=7', 'layers=1', 'batch_size=6', 'eval_samples=12', 'evaluate_round=1', 'dropout=0.2', 'label_smoothing=0.1', 'warmup_steps=5', 'lr_schedule=constant'];

it('train --model transformer with dropout: nn.Transformer names, --resume bitwise equal to an uninterrupted run', async () => {
  const { A, uninterrupted: ca, resumed: cb } = await trainAndResume('transformer', TINY);
  expect(ca.config.model).toBe('transformer');
  expect(ca.tensors.get('transformer.decoder.layers.0.multihead_attn.in_proj_weight')?.shape).toEqual([18, 6]);
  expect(cb.step).toBe(16);
  expectSameBits(ca, cb);

  // predict --beam and --attention: the cached decoder's beam search and its cross-attention
  // maps end to end (tests/gpu/beam.test.ts checks both against the float64 model).
  const inputs = ['3 1 4 1 5', '9', '2 6'];
  const ckpt = join(A, 'last.safetensors');
  const [greedy, beam3, maps, beamMaps, beam1Maps, headMaps, noAttention] = await Promise.all([
    run(['predict', '--checkpoint', ckpt, ...inputs]),
    run(['predict', '--checkpoint', ckpt, '--beam', '3', ...inputs]),
    run(['predict', '--checkpoint', ckpt, '--attention', ...inputs]),
    run(['predict', '--checkpoint', ckpt, '--attention', '--beam', '3', ...inputs]),
    run(['predict', '--checkpoint', ckpt, '--attention', '--beam', '1', ...inputs]),
    run(['predict', '--checkpoint', ckpt, '--attention', '--heads', '--beam', '3', ...inputs]),
    run(['predict', '--checkpoint', ckpt, '--heads', ...inputs]),
  ]);
  for (const [r, p] of [[maps, greedy], [beamMaps, beam3]]) {
    expect(r.code, r.stderr).toBe(0);
    expect(p.code, p.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((m) => m.input)).toEqual(inputs.map((t) => t.split(' ').map(Number)));
    expect(lines.map((m) => m.prediction.join(' '))).toEqual(p.stdout.replace(/\n$/, '').split('\n'));
    lines.forEach((m, i) => {
      expect(m.attention.length, `input ${i} rows`).toBe(Math.min(m.prediction.length + 1, 6));
      for (const row of m.attention) {
        expect(row.length).toBe(m.input.length);
        expect(Math.abs(row.reduce((a: number, b: number) => a + b, 0) - 1)).toBeLessThan(1e-3);
      }
    });
  }
  expect(beam1Maps.stdout).toBe(maps.stdout);
  // --heads: the same lines plus each head's rows (heads=2), whose mean is the map.
  expect(headMaps.code, headMaps.stderr).toBe(0);
  const withHeads = headMaps.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
  expect(withHeads.map(({ heads: _, ...m }) => JSON.stringify(m)).join('\n')).toBe(beamMaps.stdout.trimEnd());
  for (const m of withHeads) {
    expect(m.heads.length).toBe(2);
    m.attention.forEach((row: number[], t: number) => row.forEach((w, s) => expect(Math.abs((m.heads[0][t][s] + m.heads[1][t][s]) / 2 - w)).toBeLessThan(2e-4)));
  }
  expect(noAttention.code).not.toBe(0);
  expect(noAttention.stderr.trim()).toBe("--heads adds per-head weights to --attention's maps: give --attention too.");
}, 600_000);
