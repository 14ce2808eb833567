// A file whose lines the FNV-1a hash rule holds none of out (docs/contract.md §1b): the
// fallback rule holds out the pairs with the smallest hashes, the data line says so, and the
// run trains and evaluates on them; a single pair is refused in one sentence before any work.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { isHeldOut } from '../src/data/split.ts';
import { cli } from './helpers/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'seq2seq-holdout-'));

it('trains on a 4-line file the hash rule holds nothing out of: 1 pair held out by the fallback rule', async () => {
  const lines = ['ab\tba', 'cd\tdc', 'abc\tcba', 'dcb\tbcd'];
  expect(lines.filter(isHeldOut), 'the hash rule holds out none of these').toEqual([]);
  const data = join(root, 'few.tsv');
  writeFileSync(data, `${lines.join('\n')}\n`);
  const r = await cli(['train', '--out', join(root, 'run'), '--rounds', '1', '--steps', '2', `data=${data}`, 'tokenize=chars', 'hidden_size=8', 'embedding_size=4', 'batch_size=2']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(
    /^data: 3 training pairs, 1 held out \(the hash rule chose none, so the fallback rule held out those with the smallest hashes\), vocabulary \d+ \(tokenize=chars\), max_length 3$/m,
  );
  expect(existsSync(join(root, 'run', 'last.safetensors'))).toBe(true);
}, 900_000);

it('refuses a file of a single pair in one sentence, before any work', async () => {
  const data = join(root, 'one.tsv');
  writeFileSync(data, 'ab\tba\n');
  const r = await cli(['train', '--out', join(root, 'one'), `data=${data}`]);
  expect(r.code).not.toBe(0);
  expect(r.stderr.trimEnd()).toMatch(/^\S*one\.tsv has no held-out pairs: it holds a single pair, and training needs it; add pairs or give eval_data=FILE\.$/);
  expect(existsSync(join(root, 'one', 'config.json'))).toBe(false);
}, 900_000);
