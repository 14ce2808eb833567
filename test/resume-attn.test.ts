// The attn model through the CLI: `train --model attn` writes checkpoints with the docs/contract.md §3
// names and shapes (so they load into PyTorch modules without renaming) and reverse_source
// false by default; a run stopped after round 1 and continued with --resume ends bitwise
// identical to an uninterrupted one (weights, Adam moments). A constant lr: extending
// --rounds on resume re-plans a cosine anneal.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { decodeCheckpoint, type Checkpoint } from '../src/io/checkpoint.ts';

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/seq2seq.mjs', ...args], { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const TINY = ['--model', 'attn', '--steps', '20', '--seed', '2', 'vocab_size=11', 'max_length=5', 'hidden_size=12', 'embedding_size=6', 'batch_size=6', 'eval_samples=30', 'evaluate_round=1', 'lr=0.02', 'lr_schedule=constant'];
const checkpoint = (dir: string): Checkpoint => decodeCheckpoint(new Uint8Array(readFileSync(join(dir, 'last.safetensors'))));
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

it('train --model attn: SPEC names, reverse_source false, --resume bitwise equal to an uninterrupted run; predict --attention', async () => {
  const root = mkdtempSync(join(tmpdir(), 'seq2seq-attn-'));
  const [A, B] = [join(root, 'A'), join(root, 'B')];
  const [a, b1] = await Promise.all([run(['train', '--out', A, '--rounds', '2', ...TINY]), run(['train', '--out', B, '--rounds', '1', ...TINY])]);
  expect(a.code, a.stderr).toBe(0);
  expect(b1.code, b1.stderr).toBe(0);
  const b2 = await run(['train', '--resume', '--out', B, '--rounds', '2']);
  expect(b2.code, b2.stderr).toBe(0);
  const [ca, cb] = [checkpoint(A), checkpoint(B)];
  expect(ca.config.model).toBe('attn');
  expect(ca.config.reverse_source).toBe(false);
  expect(JSON.parse(readFileSync(join(A, 'config.json'), 'utf8')).reverse_source).toBe(false);
  expect(ca.tensors.get('attention.weight')!.shape).toEqual([12, 12]);
  expect(ca.tensors.get('attention_combine.weight')!.shape).toEqual([12, 24]);
  expect(ca.tensors.get('encoder.weight_hh_l0')!.shape).toEqual([48, 12]);
  expect(ca.tensors.get('output.weight')!.shape).toEqual([11, 12]);
  expect([cb.step, cb.round]).toEqual([40, 2]);
  for (const kind of ['tensors', 'optimizer'] as const) {
    expect([...cb[kind].keys()]).toEqual([...ca[kind].keys()]);
    for (const [name, t] of ca[kind]) expect(bits(cb[kind].get(name)!.data), `${kind} ${name}`).toEqual(bits(t.data));
  }

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
