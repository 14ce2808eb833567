// The attn model through the CLI: `train --model attn` writes checkpoints with the docs/contract.md §3
// names and shapes (so they load into PyTorch modules without renaming) and reverse_source
// false by default; a run stopped after round 1 and continued with --resume ends bitwise
// identical to an uninterrupted one (weights, Adam moments). A constant lr: extending
// --rounds on resume re-plans a cosine anneal.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { cli as run } from './helpers/cli.ts';
import { expectSameBits, trainAndResume } from './helpers/resume.ts';

const TINY = ['--model', 'attn', '--steps', '20', '--seed', '2', 'vocab_size=11', 'max_length=5', 'hidden_size=12', 'embedding_size=6', 'batch_size=6', 'eval_samples=30', 'evaluate_round=1', 'lr=0.02', 'lr_schedule=constant'];

it('train --model attn: SPEC names, reverse_source false, --resume bitwise equal to an uninterrupted run; predict --attention', async () => {
  const { A, uninterrupted: ca, resumed: cb } = await trainAndResume('attn', TINY);
  expect(ca.config.model).toBe('attn');
  expect(ca.config.reverse_source).toBe(false);
  expect(JSON.parse(readFileSync(join(A, 'config.json'), 'utf8')).reverse_source).toBe(false);
  expect(ca.tensors.get('attention.weight')!.shape).toEqual([12, 12]);
  expect(ca.tensors.get('attention_combine.weight')!.shape).toEqual([12, 24]);
  expect(ca.tensors.get('encoder.weight_hh_l0')!.shape).toEqual([48, 12]);
  expect(ca.tensors.get('output.weight')!.shape).toEqual([11, 12]);
  expect([cb.step, cb.round]).toEqual([40, 2]);
  expectSameBits(ca, cb);

  // predict --attention: one JSON line per input; a row per output step up to the EOS, a
  // column per input number, each row a distribution; the same predictions as plain predict.
  const inputs = ['3 1 4 1 5', '9', '2 6'];
  const ckpt = join(A, 'last.safetensors');
  const [withMaps, plain, beamMaps, beamPlain, beam1Maps] = await Promise.all([
    run(['predict', '--checkpoint', ckpt, '--attention', ...inputs]),
    run(['predict', '--checkpoint', ckpt, ...inputs]),
    run(['predict', '--checkpoint', ckpt, '--attention', '--beam', '3', ...inputs]),
    run(['predict', '--checkpoint', ckpt, '--beam', '3', ...inputs]),
    run(['predict', '--checkpoint', ckpt, '--attention', '--beam', '1', ...inputs]),
  ]);
  // With --beam 3 the maps belong to the beam's predictions (the GPU test checks the weights
  // against the float64 model along the chosen path); --beam 1 is greedy, weights included.
  for (const [r, p] of [[withMaps, plain], [beamMaps, beamPlain]]) {
    expect(r.code, r.stderr).toBe(0);
    const maps = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(maps.map((m) => m.input)).toEqual(inputs.map((t) => t.split(' ').map(Number)));
    // One line per input, empty predictions included: drop only the final newline.
    expect(maps.map((m) => m.prediction.join(' '))).toEqual(p.stdout.replace(/\n$/, '').split('\n'));
    maps.forEach((m, i) => {
      expect(m.attention.length, `input ${i} rows`).toBe(Math.min(m.prediction.length + 1, 6));
      for (const row of m.attention) {
        expect(row.length).toBe(m.input.length);
        expect(Math.abs(row.reduce((a: number, b: number) => a + b, 0) - 1)).toBeLessThan(1e-3);
      }
    });
  }
  expect(beam1Maps.code, beam1Maps.stderr).toBe(0);
  expect(beam1Maps.stdout).toBe(withMaps.stdout);
  // attn has one attention head: --heads is refused in one sentence.
  const heads = await run(['predict', '--checkpoint', ckpt, '--attention', '--heads', ...inputs]);
  expect(heads.code).not.toBe(0);
  expect(heads.stderr.trim()).toBe('--heads needs a checkpoint of model transformer (attention with several heads); this one holds a attn model.');
}, 400_000);
