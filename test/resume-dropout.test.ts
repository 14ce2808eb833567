// Models with dropout and label smoothing through the CLI (lstm, and blog whose sites are its own,
// docs/contract.md §3): a run stopped after round 1 and continued with --resume ends bitwise
// identical to an uninterrupted one (the dropout masks are a function of the seed, the step and
// the site, never of the process), and a run with dropout trains to other weights than one
// without. A constant lr: extending --rounds on resume re-plans a cosine anneal.
import { expect, it } from 'vitest';
import { bits, expectSameBits, lastCheckpoint, trainAndResume } from './helpers/resume.ts';

const COMMON = ['--steps', '6', '--seed', '3', 'vocab_size=11', 'max_length=4', 'embedding_size=5', 'batch_size=5', 'eval_samples=10', 'evaluate_round=1', 'lr_schedule=constant'];
/** Each model's tiny run and a tensor that any dropout site upstream of it changes. */
const MODELS = [
  { model: 'lstm', sizes: ['hidden_size=7', 'layers=2'], probe: 'encoder.weight_ih_l1' },
  // blog's MLPs halve hidden_size, so it must be even.
  { model: 'blog', sizes: ['hidden_size=8'], probe: 'encoder.xh.0.weight' },
];

it.each(MODELS)('train --model $model with dropout: --resume bitwise equal to an uninterrupted run, and unlike a run without dropout', async ({ model, sizes, probe }) => {
  const BASE = ['--model', model, ...COMMON, ...sizes];
  const TINY = [...BASE, 'dropout=0.3', 'label_smoothing=0.1'];
  const { root, uninterrupted: ca, resumed: cb } = await trainAndResume(`${model}-dropout`, TINY, [['--rounds', '2', ...BASE]]);
  const without = lastCheckpoint(`${root}/other-1`);
  expect(ca.config.dropout).toBe(0.3);
  expect(cb.step).toBe(12);
  expectSameBits(ca, cb);
  expect(bits(without.tensors.get(probe)!.data)).not.toEqual(bits(ca.tensors.get(probe)!.data));
}, 600_000);
