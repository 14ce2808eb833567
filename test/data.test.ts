// File tasks (docs/contract.md §1b): tokeniser, vocabulary, the hash split, line parsing, the corpus
// built in one pass, packing for the page, and the streamed Node reader.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorpusBuilder, type CorpusOptions } from '../src/data/corpus.ts';
import { splitLines } from '../src/data/lines.ts';
import { decodePackedSets, encodePackedSets, pairCount, PairPacker, sourceOf, targetOf, type PackedPairs } from '../src/data/packed.ts';
import { EpochOrder, epochPermutation } from '../src/data/order.ts';
import { FileData } from '../src/file_task/data.ts';
import { DataError, formatOf, parsePairLine } from '../src/data/parse.ts';
import { loadCorpus } from '../src/data/read_node.ts';
import { isHeldOut } from '../src/data/split.ts';
import { fnv1a32 } from '../src/hash.ts';
import { compareCodePoints, detokenize, tokenize } from '../src/data/tokenize.ts';
import { Vocab, vocabFromCounts } from '../src/data/vocab.ts';

const dir = mkdtempSync(join(tmpdir(), 'seq2seq-data-'));
const file = (name: string, text: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const pairsOf = (p: PackedPairs) => Array.from({ length: pairCount(p) }, (_, i) => [[...sourceOf(p, i)], [...targetOf(p, i)]]);

describe('tokenize', () => {
  it('words split on runs of any whitespace, ignoring leading and trailing runs', () => {
    expect(tokenize('  the  cat\tsat\u00a0down \n', 'words')).toEqual(['the', 'cat', 'sat', 'down']);
    expect(tokenize('', 'words')).toEqual([]);
    expect(tokenize('   ', 'words')).toEqual([]);
  });
  it('chars are code points, spaces included; astral characters stay whole', () => {
    expect(tokenize('a b😀é', 'chars')).toEqual(['a', ' ', 'b', '😀', 'é']);
    expect(tokenize('', 'chars')).toEqual([]);
  });
  it('round trips text → tokens → ids → tokens → text', () => {
    const words = 'le chat 😀 dort';
    const chars = ' e=mc² 😀 ';
    for (const [text, mode] of [[words, 'words'], [chars, 'chars']] as const) {
      const tokens = tokenize(text, mode);
      const vocab = new Vocab(vocabFromCounts(new Map(tokens.map((t) => [t, 1]))));
      expect(detokenize(vocab.toTokens(vocab.ids(tokens)), mode)).toBe(text);
    }
    // words normalise whitespace: the round trip is exact up to runs of spaces
    expect(detokenize(tokenize(' a \t b ', 'words'), 'words')).toBe('a b');
  });
  it('compares by code point, not UTF-16 unit', () => {
    expect(compareCodePoints('\uff01', '😀')).toBe(-1); // U+FF01 < U+1F600, though 0xFF01 > 0xD83D
    expect('\uff01' < '😀').toBe(false);
    expect(compareCodePoints('a', 'ab')).toBe(-1);
    expect(compareCodePoints('b', 'ab')).toBe(1);
    expect(compareCodePoints('é', 'é')).toBe(0);
  });
});

describe('vocabulary', () => {
  it('orders by descending count, ties in code-point order, with pad, unk and eos around', () => {
    const counts = new Map([['b', 2], ['😀', 3], ['a', 2], ['\uff01', 3], ['Z', 1], ['zero', 0]]);
    expect(vocabFromCounts(counts)).toEqual(['<pad>', '<unk>', '\uff01', '😀', 'a', 'b', 'Z', '<eos>']);
  });
  it('maps unseen tokens to <unk> (1) and keeps eos last', () => {
    const v = new Vocab(['<pad>', '<unk>', 'x', 'y', '<eos>']);
    expect(v.ids(['y', 'x', 'q', '<pad>', '<eos>'])).toEqual([3, 2, 1, 1, 1]);
    expect(v.eos).toBe(4);
    expect(v.size).toBe(5);
  });
});

describe('the hash split', () => {
  it('is FNV-1a 32 over UTF-8 (published vectors, and astral and accented text)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(fnv1a32('héllo\twörld')).toBe(1308125145);
    expect(fnv1a32('x y\t😀 z')).toBe(893467528);
  });
  it('holds out exactly the lines whose hash is divisible by 20', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `${i}\t${i * 2}`);
    expect(lines.filter(isHeldOut)).toEqual(['16\t32', '38\t76', '52\t104', '77\t154', '86\t172', '92\t184', '132\t264', '143\t286', '151\t302', '182\t364', '185\t370', '189\t378']);
    expect(isHeldOut('é3\t😀')).toBe(true);
    expect(isHeldOut('héllo\twörld')).toBe(false);
  });
});

describe('parsing a line', () => {
  const bad = (line: string, format: 'tsv' | 'jsonl') => () => parsePairLine(line, format, 'words', 'pairs.x', 7);
  it('reads tsv and jsonl, strings tokenised, arrays as given, either side empty', () => {
    expect(parsePairLine('a b\tc', 'tsv', 'words', 'f', 1)).toEqual({ source: ['a', 'b'], target: ['c'] });
    expect(parsePairLine('\t', 'tsv', 'chars', 'f', 1)).toEqual({ source: [], target: [] });
    expect(parsePairLine('{"source":"a b","target":["x y",3]}', 'jsonl', 'words', 'f', 1)).toEqual({ source: ['a', 'b'], target: ['x y', '3'] });
    expect(parsePairLine('{"source":[],"target":""}', 'jsonl', 'chars', 'f', 1)).toEqual({ source: [], target: [] });
  });
  it('names the file and line of every malformed case in one sentence', () => {
    expect(bad('no tab here', 'tsv')).toThrow(new DataError('Line 7 of pairs.x has no tab between source and target.'));
    expect(bad('a\tb\tc', 'tsv')).toThrow(/^Line 7 of pairs\.x has more than one tab/);
    expect(bad('{"source": "a",', 'jsonl')).toThrow(new DataError('Line 7 of pairs.x is not valid JSON.'));
    expect(bad('[1,2]', 'jsonl')).toThrow(/^Line 7 of pairs\.x is not a JSON object/);
    expect(bad('{"source":"a"}', 'jsonl')).toThrow(new DataError('Line 7 of pairs.x has no "target" key.'));
    expect(bad('{"target":"a"}', 'jsonl')).toThrow(new DataError('Line 7 of pairs.x has no "source" key.'));
    expect(bad('{"source":5,"target":"a"}', 'jsonl')).toThrow(/"source" that is neither a string nor an array/);
    expect(bad('{"source":["a",1.5],"target":"a"}', 'jsonl')).toThrow(/"source" token 2 that is neither a string nor an integer/);
  });
  it('knows formats by file name', () => {
    expect(formatOf('x/Pairs.TSV')).toBe('tsv');
    expect(formatOf('p.jsonl')).toBe('jsonl');
    expect(() => formatOf('p.csv')).toThrow(/must end in \.tsv .* or \.jsonl/);
  });
});

describe('splitLines', () => {
  it('splits across chunk boundaries, drops \\r of CRLF, keeps a last line without newline', async () => {
    async function* chunks() {
      yield 'ab';
      yield 'c\r\nd';
      yield 'e\n\nf';
    }
    const out: string[] = [];
    for await (const l of splitLines(chunks())) out.push(l);
    expect(out).toEqual(['abc', 'de', '', 'f']);
  });
});

describe('the corpus', () => {
  const opts = (extra: Partial<CorpusOptions> = {}): CorpusOptions => ({ tokenize: 'words', data: { name: 'd.tsv', format: 'tsv' }, ...extra });
  it('builds the vocabulary from training pairs only, ids remapped, held-out unknowns as <unk>', () => {
    const b = new CorpusBuilder(opts({ evalData: { name: 'e.tsv', format: 'tsv' } }));
    ['b a\ta', 'a\tc', '\tb', ''].forEach((l, i) => b.addDataLine(l, i + 1));
    ['a q\tq c', '\t'].forEach((l, i) => b.addEvalLine(l, i + 1));
    const c = b.finish();
    // counts: a 3, b 2, c 1 (q only held out)
    expect(c.vocab).toEqual(['<pad>', '<unk>', 'a', 'b', 'c', '<eos>']);
    expect(pairsOf(c.train)).toEqual([[[3, 2], [2]], [[2], [4]], [[], [3]]]);
    expect(pairsOf(c.heldOut)).toEqual([[[2, 1], [1, 4]], [[], []]]);
    expect(c.maxLength).toBe(2);
    expect(c.heldOutMaxLength).toBe(2);
  });
  it('splits by the hash rule without eval_data, and leaves out pairs over an explicit max_length', () => {
    const b = new CorpusBuilder(opts({ maxLength: 1 }));
    const lines = ['16\t32', '1\t2', '1 1\t2', '38\t76'];
    lines.forEach((l, i) => b.addDataLine(l, i + 1));
    const c = b.finish();
    expect(c.leftOut).toBe(1);
    expect(pairCount(c.train)).toBe(1);
    expect(pairCount(c.heldOut)).toBe(2); // held-out pairs are never left out
    expect(c.heldOutMaxLength).toBe(1);
    expect(c.vocab).toEqual(['<pad>', '<unk>', '1', '2', '<eos>']);
  });
  it('refuses an empty file, no held-out pairs, nothing to train on', () => {
    expect(() => new CorpusBuilder(opts()).finish()).toThrow(new DataError('d.tsv is empty: it holds no pairs.'));
    const noHeld = new CorpusBuilder(opts());
    noHeld.addDataLine('1\t2', 1);
    expect(() => noHeld.finish()).toThrow(new DataError('d.tsv has no held-out pairs: it holds a single pair, and training needs it; add pairs or give eval_data=FILE.'));
    const allHeld = new CorpusBuilder(opts());
    allHeld.addDataLine('16\t32', 1);
    expect(() => allHeld.finish()).toThrow(/^d\.tsv leaves no pairs to train on: the hash rule held out every pair\.$/);
  });
  it('holds out the pairs with the smallest hashes when the hash rule chose none (⌈n/20⌉, at least one), uncounted in the vocabulary', () => {
    const lines = ['1\t2', 'cat\tdog', 'x y\tz w', 'a b\tc'];
    expect(lines.filter(isHeldOut), 'the hash rule holds out none of these').toEqual([]);
    const b = new CorpusBuilder(opts());
    lines.forEach((l, i) => b.addDataLine(l, i + 1));
    const c = b.finish();
    // Hashes: 4210741767, 808127848, 1265875766, 1331255782: 'cat\tdog' is the smallest.
    expect(lines.map(fnv1a32)).toEqual([4210741767, 808127848, 1265875766, 1331255782]);
    expect(c.heldOutBy).toBe('fallback');
    expect(pairCount(c.train)).toBe(3);
    expect(c.vocab, 'cat and dog are only held out').toEqual(['<pad>', '<unk>', '1', '2', 'a', 'b', 'c', 'w', 'x', 'y', 'z', '<eos>']);
    expect(pairsOf(c.heldOut)).toEqual([[[1], [1]]]);
    expect(c.maxLength).toBe(2);
    expect(c.heldOutMaxLength).toBe(1);
  });
  it('the fallback on very regular lines: 45 identical pairs give 3 held out, in line order; with eval_data or a hash hit it is unused', () => {
    const same = new CorpusBuilder(opts());
    for (let i = 1; i <= 45; i++) same.addDataLine('a b\tc', i);
    const c = same.finish();
    expect([pairCount(c.train), pairCount(c.heldOut), c.heldOutBy]).toEqual([42, 3, 'fallback']);
    expect(c.vocab).toEqual(['<pad>', '<unk>', 'a', 'b', 'c', '<eos>']);
    const hashed = new CorpusBuilder(opts());
    ['16\t32', '1\t2', 'cat\tdog'].forEach((l, i) => hashed.addDataLine(l, i + 1));
    expect(hashed.finish().heldOutBy).toBe('hash');
  });
  it('packs into one Int32Array and back', () => {
    const b = new CorpusBuilder(opts({ evalData: { name: 'e.tsv', format: 'tsv' } }));
    b.addDataLine('x y\tz', 1);
    b.addEvalLine('\tx', 1);
    const c = b.finish();
    const [train, held] = decodePackedSets(encodePackedSets([c.train, c.heldOut]));
    expect(pairsOf(train)).toEqual(pairsOf(c.train));
    expect(pairsOf(held)).toEqual(pairsOf(c.heldOut));
    expect(() => decodePackedSets(new Int32Array([1, 3, 5, 0]))).toThrow(/truncated or malformed/);
  });
});

describe('loadCorpus (streamed from disk)', () => {
  it('reads jsonl and tsv files, records size and sha256', async () => {
    const data = file('d.jsonl', '{"source":"a b","target":"b"}\n{"source":["a"],"target":[1]}\n');
    const evalData = file('e.tsv', 'a\tb\r\n');
    const { corpus, files } = await loadCorpus({ data, evalData, tokenize: 'words' });
    expect(corpus.vocab).toEqual(['<pad>', '<unk>', 'a', 'b', '1', '<eos>']);
    const text = '{"source":"a b","target":"b"}\n{"source":["a"],"target":[1]}\n';
    expect(files[0]).toEqual({ path: data, size: text.length, sha256: createHash('sha256').update(text).digest('hex') });
    expect(files[1].size).toBe(5);
    expect(pairsOf(corpus.heldOut)).toEqual([[[2], [3]]]);
  });
  it('reports progress on a big file (the threshold lowered for the test), streamed line by line', async () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => `w${i % 1000} x\tv${i % 7}`);
    const data = file('big.tsv', `${lines.join('\n')}\n`);
    const progress: string[] = [];
    const { corpus } = await loadCorpus({ data, tokenize: 'words', onProgress: (l) => progress.push(l), progressBytes: 1000 });
    expect(progress.at(-1)).toMatch(/^data: read \d+\.\d MB of .*big\.tsv, 30000 lines$/);
    expect(pairCount(corpus.train) + pairCount(corpus.heldOut)).toBe(30_000);
    const quiet: string[] = [];
    await loadCorpus({ data, tokenize: 'words', onProgress: (l) => quiet.push(l) });
    expect(quiet).toEqual([]); // under 8 MiB: no progress lines
    expect(corpus.vocab.length).toBe(1000 + 1 + 7 + 3);
  });

  it('names the file and line of a bad line, and a missing file', async () => {
    const data = file('bad.tsv', '1\t2\n3 4\n');
    await expect(loadCorpus({ data, tokenize: 'words' })).rejects.toThrow(`Line 2 of ${data} has no tab between source and target.`);
    await expect(loadCorpus({ data: join(dir, 'none.tsv'), tokenize: 'words' })).rejects.toThrow(/^Cannot read data file ".*none\.tsv": no such file\.$/);
    await expect(loadCorpus({ data: file('empty.tsv', '\n\n'), tokenize: 'words' })).rejects.toThrow(/empty\.tsv is empty: it holds no pairs\.$/);
    await expect(loadCorpus({ data: file('latin1.tsv', Buffer.from([0x61, 0x09, 0xe9, 0x0a])), tokenize: 'words' })).rejects.toThrow(/latin1\.tsv is not UTF-8 text/);
  });
});

describe('the training order of a file task', () => {
  const packer = new PairPacker();
  for (let i = 0; i < 7; i++) packer.add([2 + i], [2 + i, 2 + i]);
  const vocab = ['<pad>', '<unk>', ...'abcdefg', '<eos>'];
  const cfg = { vocab_size: vocab.length, max_length: 3, seed: 5 };
  const data = () => new FileData(vocab, packer.finish(), packer.finish());
  it('visits every pair once per epoch, in a permutation that changes with the epoch and the seed', () => {
    const e0 = [...epochPermutation(7, 5, 0)];
    expect([...e0].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([...epochPermutation(7, 5, 1)]).not.toEqual(e0);
    expect([...epochPermutation(7, 6, 0)]).not.toEqual(e0);
    expect([...epochPermutation(7, 5, 0)]).toEqual(e0);
  });
  it('gives batch k the same samples whatever came before (exact resume), across epoch boundaries', () => {
    const straight = data();
    const batches = [0, 3, 6, 9].map((start) => straight.trainBatch(cfg, start, 3));
    const resumed = data().trainBatch(cfg, 6, 3);
    expect(resumed.inputs).toEqual(batches[2].inputs);
    const order = new EpochOrder(7, 5);
    expect(batches[2].inputs.map((x) => x[0] - 2)).toEqual([6, 7, 8].map((i) => order.pairAt(i)));
    // The batch layout: EOS (V-1) after each target, decoder input EOS first.
    const b = batches[0];
    expect(b.tgtLengths[0]).toBe(3);
    expect(b.tgt[2 * b.B]).toBe(vocab.length - 1);
    expect(b.decIn[0]).toBe(vocab.length - 1);
  });
  it('pads the last held-out batch with copies of its first pair', () => {
    const { batch, real } = data().heldOutBatch(cfg, 6, 3);
    expect(real).toBe(1);
    expect(batch.inputs).toEqual([[8], [8], [8]]);
  });
});
