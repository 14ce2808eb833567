// The public API (src/lib) in this process on Dawn for Node: train, checkpoint, load, predict,
// attention, pairs, abort, the caller's own device, and the typed errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSettings, createTrainer, defaultSettings, loadModel, MODELS, parseInput, PauseSwitch, previewPairs, Seq2SeqError, settingProblems, SETTINGS, trueTarget, type Settings } from '../../src/lib/index.ts';
import { useDawn } from '../../src/lib/node.ts';

const SMALL: Settings = { model: 'attn', task: 'reverse', vocab_size: 13, max_length: 7, batch_size: 5, hidden_size: 12, embedding_size: 6, steps: 3, rounds: 1, eval_samples: 7, seed: 4 };

beforeAll(async () => {
  await useDawn('software');
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Seq2SeqError);
  return (err as Seq2SeqError).code;
}

describe('public API on Dawn for Node', () => {
  it('trains, saves, loads and predicts the same, greedy and beam, with attention', async () => {
    const trainer = await createTrainer({ settings: SMALL });
    const seen: number[] = [];
    const r = await trainer.train(3, { logEvery: 1, onProgress: (p) => seen.push(p.step) });
    expect(seen).toEqual([1, 2, 3]);
    expect(r.done).toBe(3);
    expect(Number.isFinite(r.loss)).toBe(true);
    const bytes = await trainer.checkpoint();
    const inputs = ['1 2 3', '', '9 8 7 6 5 4 3', '5'];
    const greedy = await trainer.predict(inputs);
    const beam = await trainer.predict(inputs, { beam: 3 });
    expect(greedy[1]).toBe('');
    const loaded = await loadModel(bytes);
    expect(loaded.step).toBe(3);
    expect(await loaded.predict(inputs)).toEqual(greedy);
    expect(await loaded.predict(inputs, { beam: 3 })).toEqual(beam);
    const maps = await loaded.attention(['1 2 3', '9 8 7 6 5 4 3']);
    expect(maps[1].weights[0]).toHaveLength(7);
    expect(maps[0].text).toBe(greedy[0]);
    // The same seed gives the same bits.
    const again = await createTrainer({ settings: SMALL });
    await again.train(3);
    expect(await again.checkpoint()).toEqual(bytes);
    for (const t of [trainer, loaded, again]) await t.destroy();
    expect(await codeOf(trainer.predict(['1']))).toBe('destroyed');
  });

  it('trains rounds on pairs given as arrays, evaluates with BLEU and predicts text', async () => {
    const words = ['a', 'b', 'c', 'd', 'e'];
    const pairs = Array.from({ length: 60 }, (_, i) => {
      const src = [words[i % 5], words[(i * 3) % 5], words[(i * 7 + 1) % 5]].slice(0, 1 + (i % 3));
      return [src.join(' '), [...src].reverse().join(' ')] as [string, string];
    });
    const trainer = await createTrainer({ settings: { model: 'lstm', hidden_size: 10, embedding_size: 4, batch_size: 4, steps: 2, rounds: 2 }, pairs, evalPairs: pairs.slice(0, 5) });
    expect(trainer.config.task).toBe('file');
    expect(trainer.config.max_length).toBe(3);
    const rounds: number[] = [];
    const done = await trainer.trainRounds({ onRound: (e) => void rounds.push(e.round) });
    expect(done).toMatchObject({ reason: 'rounds', round: 2, step: 4 });
    expect(rounds).toEqual([1, 2]);
    const ev = await trainer.evaluate();
    expect(typeof ev.bleu).toBe('number');
    const out = await trainer.predict(['a b', 'zzz c']);
    expect(out).toHaveLength(2);
    const loaded = await loadModel(await trainer.checkpoint());
    expect(await loaded.predict(['a b', 'zzz c'])).toEqual(out);
    expect(await codeOf(loaded.train(1))).toBe('unsupported');
    // With its pairs, the checkpoint trains further, under new settings.
    const bytes = await trainer.checkpoint();
    const more = await createTrainer({ checkpoint: bytes, pairs, evalPairs: pairs.slice(0, 5), settings: { rounds: 3 } });
    expect(more).toMatchObject({ step: 4, round: 2 });
    expect(await more.trainRounds()).toMatchObject({ reason: 'rounds', round: 3, step: 6 });
    await more.destroy();
    const other = createTrainer({ checkpoint: bytes, pairs: [['x y', 'y x'], ...pairs] });
    expect(await codeOf(other)).toBe('invalid_data');
    await trainer.destroy();
    await loaded.destroy();
  });

  it('stops at once when the signal aborts, and leaves the caller its device', async () => {
    const adapter = await navigator.gpu.requestAdapter({ forceFallbackAdapter: true });
    const device = await adapter!.requestDevice();
    const trainer = await createTrainer({ settings: SMALL, device });
    const ac = new AbortController();
    const r = await trainer.train(20, { logEvery: 1, signal: ac.signal, onProgress: (p) => p.step === 2 && ac.abort() });
    expect(r).toMatchObject({ stopped: true, done: 2 });
    const rounds = await trainer.trainRounds({ signal: ac.signal });
    expect(rounds.reason).toBe('stopped');
    await trainer.destroy();
    // The device is still the caller's.
    const b = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE });
    b.destroy();
    device.destroy();
  });

  it('names every mistake with a stable code and the CLI sentence', async () => {
    const bad = await createTrainer({ settings: { hidden_size: -3 } }).catch((e: Seq2SeqError) => e);
    expect(bad).toMatchObject({ code: 'invalid_settings' });
    expect((bad as Error).message).toMatch(/hidden_size/);
    expect(await codeOf(createTrainer({ pairs: [] }))).toBe('invalid_data');
    expect(await codeOf(createTrainer({ pairs: { text: 'no tab here\n', format: 'tsv' } }))).toBe('invalid_data');
    expect(await codeOf(loadModel(new Uint8Array([1, 2, 3])))).toBe('invalid_checkpoint');
    const t = await createTrainer({ settings: { ...SMALL, model: 'lstm' } });
    const e = await t.predict(['1 x']).catch((err: Seq2SeqError) => err);
    expect(e).toMatchObject({ code: 'invalid_input', message: 'Input 1 holds "x", which is not an integer.' });
    expect(await codeOf(t.predictIds([[99]]))).toBe('invalid_input');
    expect(await codeOf(t.attention(['1 2']))).toBe('unsupported');
    expect(await codeOf(t.predict(['1'], { beam: 65 }))).toBe('invalid_input');
    await t.destroy();
  });
});

describe('public API for pages: decode, events, pause', () => {
  it('decode gives each prediction with the attention weights attention() gives (greedy), and none for lstm', async () => {
    const t = await createTrainer({ settings: SMALL });
    await t.train(3);
    expect(t.hasAttention).toBe(true);
    const inputs = [[1, 2, 3], [9, 8, 7, 6, 5, 4, 3], [5]];
    const decoded = await t.decode(inputs);
    const maps = await t.attention(inputs.map((x) => x.join(' ')));
    decoded.forEach((d, i) => {
      expect(d.prediction).toEqual(maps[i].prediction);
      expect(d.attention).toEqual(maps[i].weights);
      expect(t.textOf(d.prediction)).toBe(maps[i].text);
    });
    // With a beam, one row per token of the chosen beam's prediction and one for EOS (at most max_length + 1 rows).
    const [beam] = await t.decode([[4, 1, 3]], { beam: 3 });
    expect(beam.attention).toHaveLength(Math.min(beam.prediction.length + 1, SMALL.max_length! + 1));
    const lstm = await createTrainer({ settings: { ...SMALL, model: 'lstm' } });
    expect(lstm.hasAttention).toBe(false);
    const [plain] = await lstm.decode([[1, 2]]);
    expect(plain.attention).toBeUndefined();
    for (const x of [t, lstm]) await x.destroy();
  });

  it('trainRounds reports chunks and rounds, halts on a pause until resumed, and a stop ends a pause', async () => {
    const t = await createTrainer({ settings: { ...SMALL, steps: 7, rounds: 2 } });
    const events: string[] = [];
    const pause = new PauseSwitch();
    const onPause = (paused: boolean) => {
      events.push(paused ? `paused@${t.step}` : 'resumed');
      if (paused) setTimeout(() => pause.resume(), 20);
    };
    const r = await t.trainRounds({
      chunk: 3,
      logEvery: 1,
      pause,
      onPause,
      onChunk: (c) => {
        events.push(`chunk@${c.step}`);
        if (c.step === 3) pause.pause();
      },
      onRoundTrained: (at) => void events.push(`trained@${at.round}`),
      onRound: (e) => void events.push(`evaluated@${e.round}`),
    });
    expect(r).toMatchObject({ step: 14, round: 2, reason: 'rounds' });
    expect(events).toEqual(['chunk@3', 'paused@3', 'resumed', 'chunk@6', 'chunk@7', 'trained@1', 'evaluated@1', 'chunk@10', 'chunk@13', 'chunk@14', 'trained@2', 'evaluated@2']);

    const stop = new AbortController();
    pause.pause();
    const stopped = await t.trainRounds({ rounds: 3, pause, onPause: (p) => p && stop.abort(), signal: stop.signal });
    expect(stopped).toMatchObject({ step: 14, reason: 'stopped' });
    await t.destroy();
  });
});

describe('public API without a GPU: settings, inputs, pairs', () => {
  it('describes every setting and model, and checks settings with the CLI sentences', () => {
    expect(SETTINGS.find((s) => s.key === 'model')).toEqual({ key: 'model', kind: 'choice', values: MODELS.map((m) => m.name) });
    expect(SETTINGS.find((s) => s.key === 'lr')?.kind).toBe('number');
    expect(defaultSettings('attn').reverse_source).toBe(false);
    expect(settingProblems({ hidden_size: 0 })).toHaveLength(1);
    expect(settingProblems({ hidden_size: 16 })).toEqual([]);
    expect(checkSettings({ model: 'attn' }).model).toBe('attn');
    expect(() => checkSettings({ min_length: 5, max_length: 3 })).toThrow(Seq2SeqError);
  });

  it('reads inputs with one sentence per mistake, and knows a built-in task\'s true target', () => {
    const c = { vocab_size: 12, max_length: 4, tokenize: 'words' as const };
    expect(parseInput(' 2, 3 10 ', c)).toEqual([2, 3, 10]);
    expect(parseInput('  ', c)).toBeNull();
    expect(() => parseInput('2 11', c, { subject: 'The sequence' })).toThrow('The sequence holds 11; numbers must be from 1 to 10 (vocab_size 12).');
    expect(parseInput('bab', { ...c, tokenize: 'chars' }, { vocab: ['<pad>', '<unk>', 'a', 'b', '<eos>'] })).toEqual([3, 2, 3]);
    expect(() => parseInput('babab', { ...c, tokenize: 'chars' }, { vocab: ['<pad>', '<unk>', 'a', 'b', '<eos>'], subject: 'The text' })).toThrow('The text has 5 tokens');
    expect(trueTarget('reverse', [3, 1, 4])).toEqual([4, 1, 3]);
    expect(trueTarget('file', [3])).toBeNull();
  });

  it('previews pairs: counts, the held-out split, vocabulary, max_length and the first pairs; a bad line named by the file', () => {
    const text = Array.from({ length: 41 }, (_, i) => `${'ab'.slice(0, 1 + (i % 2))}${i % 3 === 0 ? 'c' : ''}\tx${i}`).join('\n');
    const p = previewPairs({ text, format: 'tsv', name: 'p.tsv' }, { tokenize: 'chars', rows: 2 });
    expect(p.trainCount + p.heldOutCount).toBe(41);
    expect(p.heldOutBy).not.toBe('eval_data');
    expect(p.first).toEqual([['ac', 'x0'], ['ab', 'x1']]);
    const held = previewPairs({ text, format: 'tsv' }, { tokenize: 'chars', evalPairs: [['ab', 'x1']] });
    expect([held.trainCount, held.heldOutCount, held.heldOutBy]).toEqual([41, 1, 'eval_data']);
    expect(held.maxLength).toBe(3);
    expect(() => previewPairs({ text: 'ab\tba\nno tab\n', format: 'tsv', name: 'bad.tsv' })).toThrow('Line 2 of bad.tsv has no tab between source and target.');
  });
});
