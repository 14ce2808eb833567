// A run interrupted after round 1 and continued with --resume against the same run done in one
// go: the CLI's resume promise is that both end with the same bits (weights and Adam moments).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { decodeCheckpoint, type Checkpoint } from '../../src/io/checkpoint.ts';
import { cli, type CliResult } from './cli.ts';

export const lastCheckpoint = (dir: string): Checkpoint => decodeCheckpoint(new Uint8Array(readFileSync(join(dir, 'last.safetensors'))));

/** The float32s as their bit patterns, so -0 and NaN payloads count too. */
export const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

export interface ResumePair {
  root: string;
  /** Run directories: A trained 2 rounds at once, B 1 round and then resumed to 2. */
  A: string;
  B: string;
  uninterrupted: Checkpoint;
  resumed: Checkpoint;
  /** The runs of `others`, in their order, each in root/other-N. */
  others: CliResult[];
}

/**
 * Trains `args` for 2 rounds (A) beside 1 round (B) and any `others` (each given --out), then
 * resumes B to 2 rounds. Every run must exit 0.
 */
export async function trainAndResume(prefix: string, args: string[], others: string[][] = []): Promise<ResumePair> {
  const root = mkdtempSync(join(tmpdir(), `seq2seq-${prefix}-`));
  const [A, B] = [join(root, 'A'), join(root, 'B')];
  const [a, b1, ...rest] = await Promise.all([
    cli(['train', '--out', A, '--rounds', '2', ...args]),
    cli(['train', '--out', B, '--rounds', '1', ...args]),
    ...others.map((o, i) => cli(['train', '--out', join(root, `other-${i + 1}`), ...o])),
  ]);
  for (const r of [a, b1, ...rest]) expect(r.code, r.stderr).toBe(0);
  const b2 = await cli(['train', '--resume', '--out', B, '--rounds', '2']);
  expect(b2.code, b2.stderr).toBe(0);
  return { root, A, B, uninterrupted: lastCheckpoint(A), resumed: lastCheckpoint(B), others: rest };
}

/** Same tensor names in the same order, and the same bits, for the weights and the optimizer state. */
export function expectSameBits(want: Checkpoint, got: Checkpoint): void {
  for (const kind of ['tensors', 'optimizer'] as const) {
    expect([...got[kind].keys()], kind).toEqual([...want[kind].keys()]);
    for (const [name, t] of want[kind]) expect(bits(got[kind].get(name)!.data), `${kind} ${name}`).toEqual(bits(t.data));
  }
}
