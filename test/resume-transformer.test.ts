// The transformer through the CLI with dropout, label smoothing and warm-up on: checkpoints
// carry the nn.Transformer names, and a run stopped after round 1 and continued with --resume
// ends bitwise identical to an uninterrupted one (the dropout masks are a function of the
// step, the warm-up of the update number). A constant lr after the warm-up: extending --rounds
// on resume re-plans a cosine anneal.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { decodeCheckpoint, type Checkpoint } from '../src/io/checkpoint.ts';
import { cli as run } from './helpers/cli.ts';

const TINY = ['--model', 'transformer', '--steps', '8', '--seed', '2', 'vocab_size=11', 'max_length=5', 'hidden_size=6', 'embedding_size=6', 'heads=2', 'ff_size=7', 'layers=1', 'batch_size=6', 'eval_samples=12', 'evaluate_round=1', 'dropout=0.2', 'label_smoothing=0.1', 'warmup_steps=5', 'lr_schedule=constant'];
const checkpoint = (dir: string): Checkpoint => decodeCheckpoint(new Uint8Array(readFileSync(join(dir, 'last.safetensors'))));
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

it('train --model transformer with dropout: nn.Transformer names, --resume bitwise equal to an uninterrupted run', async () => {
  const root = mkdtempSync(join(tmpdir(), 'seq2seq-transformer-'));
  const [A, B] = [join(root, 'A'), join(root, 'B')];
  const [a, b1] = await Promise.all([run(['train', '--out', A, '--rounds', '2', ...TINY]), run(['train', '--out', B, '--rounds', '1', ...TINY])]);
  expect(a.code, a.stderr).toBe(0);
  expect(b1.code, b1.stderr).toBe(0);
  const b2 = await run(['train', '--resume', '--out', B, '--rounds', '2']);
  expect(b2.code, b2.stderr).toBe(0);
  const [ca, cb] = [checkpoint(A), checkpoint(B)];
  expect(ca.config.model).toBe('transformer');
  expect(ca.tensors.get('transformer.decoder.layers.0.multihead_attn.in_proj_weight')?.shape).toEqual([18, 6]);
  expect(cb.step).toBe(16);
  for (const [name, t] of ca.tensors) expect(bits(cb.tensors.get(name)!.data), name).toEqual(bits(t.data));
  for (const [name, t] of ca.optimizer) expect(bits(cb.optimizer.get(name)!.data), name).toEqual(bits(t.data));
}, 600_000);
