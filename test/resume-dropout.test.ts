// Models with dropout and label smoothing through the CLI (lstm, and blog whose sites are its own,
// docs/contract.md §3): a run stopped after round 1 and continued with --resume ends bitwise
// identical to an uninterrupted one (the dropout masks are a function of the seed, the step and
// the site, never of the process), and a run with dropout trains to other weights than one
// without. A constant lr: extending --rounds on resume re-plans a cosine anneal.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { decodeCheckpoint, type Checkpoint } from '../src/io/checkpoint.ts';
import { cli as run } from './helpers/cli.ts';

const COMMON = ['--steps', '6', '--seed', '3', 'vocab_size=11', 'max_length=4', 'embedding_size=5', 'batch_size=5', 'eval_samples=10', 'evaluate_round=1', 'lr_schedule=constant'];
/** Each model's tiny run and a tensor that any dropout site upstream of it changes. */
const MODELS = [
  { model: 'lstm', sizes: ['hidden_size=7', 'layers=2'], probe: 'encoder.weight_ih_l1' },
  // blog's MLPs halve hidden_size, so it must be even.
  { model: 'blog', sizes: ['hidden_size=8'], probe: 'encoder.xh.0.weight' },
];
const checkpoint = (dir: string): Checkpoint => decodeCheckpoint(new Uint8Array(readFileSync(join(dir, 'last.safetensors'))));
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

it.each(MODELS)('train --model $model with dropout: --resume bitwise equal to an uninterrupted run, and unlike a run without dropout', async ({ model, sizes, probe }) => {
  const BASE = ['--model', model, ...COMMON, ...sizes];
  const TINY = [...BASE, 'dropout=0.3', 'label_smoothing=0.1'];
  const root = mkdtempSync(join(tmpdir(), `seq2seq-${model}-dropout-`));
  const [A, B, C] = [join(root, 'A'), join(root, 'B'), join(root, 'C')];
  const [a, b1, c] = await Promise.all([run(['train', '--out', A, '--rounds', '2', ...TINY]), run(['train', '--out', B, '--rounds', '1', ...TINY]), run(['train', '--out', C, '--rounds', '2', ...BASE])]);
  for (const r of [a, b1, c]) expect(r.code, r.stderr).toBe(0);
  const b2 = await run(['train', '--resume', '--out', B, '--rounds', '2']);
  expect(b2.code, b2.stderr).toBe(0);
  const [ca, cb, cc] = [checkpoint(A), checkpoint(B), checkpoint(C)];
  expect(ca.config.dropout).toBe(0.3);
  expect(cb.step).toBe(12);
  for (const [name, t] of ca.tensors) expect(bits(cb.tensors.get(name)!.data), name).toEqual(bits(t.data));
  for (const [name, t] of ca.optimizer) expect(bits(cb.optimizer.get(name)!.data), name).toEqual(bits(t.data));
  expect(bits(cc.tensors.get(probe)!.data)).not.toEqual(bits(ca.tensors.get(probe)!.data));
}, 600_000);
