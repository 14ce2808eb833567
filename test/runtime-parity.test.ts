// `train --runtime node` and `train --runtime chrome` on the software adapter, as a user
// runs them: the same seed and kernels give the same checkpoint. Every tensor byte and
// every metadata entry is identical; only the `adapter` record may differ in its
// description strings (Chrome's Dawn and Dawn for Node name SwiftShader differently).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, type CliResult } from './helpers/cli.ts';

const TINY = ['vocab_size=12', 'max_length=4', 'hidden_size=16', 'embedding_size=8', 'batch_size=8', 'eval_samples=20', 'evaluate_round=1'];
const root = mkdtempSync(join(tmpdir(), 'seq2seq-runtime-'));
const runs = { node: join(root, 'node'), chrome: join(root, 'chrome') };
let results: Record<'node' | 'chrome', CliResult>;

beforeAll(async () => {
  const train = (runtime: 'node' | 'chrome') =>
    cli(['train', '--runtime', runtime, '--adapter', 'software', '--out', runs[runtime], '--rounds', '1', '--steps', '12', '--seed', '5', ...TINY]);
  const [node, chrome] = await Promise.all([train('node'), train('chrome')]);
  results = { node, chrome };
}, 900_000);

/** The safetensors header (JSON) and the data bytes after it. */
function split(path: string): { header: Record<string, Record<string, string>>; data: Buffer } {
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  return { header: JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')), data: bytes.subarray(8 + n) };
}

describe('train on Dawn for Node and in Chrome (software adapter)', () => {
  it('both runs succeed and say which runtime and adapter they used', () => {
    for (const [runtime, r] of Object.entries(results)) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`runtime ${runtime}, adapter google/swiftshader .*\\(software\\)`));
      const final = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
      expect(final.runtime).toBe(runtime);
      expect(final.adapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader', fallback: true });
      const round = JSON.parse(readFileSync(join(runs[runtime as 'node'], 'metrics.jsonl'), 'utf8').trim().split('\n').at(-1)!);
      expect(round).toMatchObject({ type: 'round', runtime, adapter: { architecture: 'swiftshader', fallback: true } });
    }
  });

  it('give byte-identical tensors and identical metadata apart from the adapter description', () => {
    const node = split(join(runs.node, 'last.safetensors'));
    const chrome = split(join(runs.chrome, 'last.safetensors'));
    expect(node.data.length).toBeGreaterThan(1000);
    expect(Buffer.compare(node.data, chrome.data), 'tensor bytes differ').toBe(0);
    const adapters = [node, chrome].map((f) => JSON.parse(f.header.__metadata__.adapter));
    for (const a of adapters) expect(a).toMatchObject({ vendor: 'google', architecture: 'swiftshader', fallback: true });
    for (const f of [node, chrome]) delete f.header.__metadata__.adapter;
    expect(node.header).toEqual(chrome.header);
    // The scores printed by both are the same numbers too.
    const last = (r: CliResult) => JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    const { loss, geomean, psa } = last(results.node);
    expect(last(results.chrome)).toMatchObject({ loss, geomean, psa });
  });
});

describe.concurrent('bad runtime and adapter choices: one sentence, non-zero exit', () => {
  it('an unknown runtime', async () => {
    const r = await cli(['bench', '--runtime', 'firefox']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('--runtime must be chrome or node, got "firefox".');
  });
  it('an unknown adapter', async () => {
    const r = await cli(['eval', '--checkpoint', join(runs.node, 'last.safetensors'), '--adapter', 'gpu']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('--adapter must be auto, hardware or software, got "gpu".');
  });
  it('--adapter hardware on Node: a GPU adapter, or one sentence saying none was found', async () => {
    const r = await cli(['eval', '--runtime', 'node', '--adapter', 'hardware', '--checkpoint', join(runs.node, 'last.safetensors'), '--rounds', '1', '--samples', '5']);
    if (r.code === 0) expect(JSON.parse(r.stdout).adapter.fallback).toBe(false);
    else expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^--adapter hardware: no hardware GPU adapter was found .*\.$/);
  });
});
