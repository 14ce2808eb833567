import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import type { ArenaEntry } from '../src/gpu/buffers.ts';
import {
  CHECKPOINT_FORMAT,
  decodeCheckpoint,
  encodeCheckpoint,
  expectTensors,
  tensorsFromArena,
  tensorsIntoArena,
  type Checkpoint,
} from '../src/io/checkpoint.ts';
import { CheckpointError, decodeSafetensors, encodeSafetensors, type Tensor } from '../src/io/safetensors.ts';
import { seededUniform, uniformF32 } from '../src/check/random.ts';

const config: Config = { ...DEFAULT_CONFIG, hidden_size: 8, embedding_size: 4, vocab_size: 12, layers: 2, lr: 0.003, seed: 17 };

/** n values uniform in [-0.5, 0.5). */
const seeded = (n: number, seed: number) => uniformF32(n, seed, -0.5, 0.5);

/** docs/contract.md §3 lstm names and shapes for `config`. */
function lstmShapes(c: Config): { name: string; shape: number[] }[] {
  const { vocab_size: V, embedding_size: E, hidden_size: H } = c;
  const out = [
    { name: 'src_embedding.weight', shape: [V, E] },
    { name: 'tgt_embedding.weight', shape: [V, E] },
  ];
  for (const side of ['encoder', 'decoder']) {
    for (let k = 0; k < c.layers; k++) {
      out.push(
        { name: `${side}.weight_ih_l${k}`, shape: [4 * H, k === 0 ? E : H] },
        { name: `${side}.weight_hh_l${k}`, shape: [4 * H, H] },
        { name: `${side}.bias_ih_l${k}`, shape: [4 * H] },
        { name: `${side}.bias_hh_l${k}`, shape: [4 * H] },
      );
    }
  }
  out.push({ name: 'output.weight', shape: [V, H] }, { name: 'output.bias', shape: [V] });
  return out;
}

function sample(): Checkpoint {
  const shapes = lstmShapes(config);
  const tensors = new Map<string, Tensor>();
  const optimizer = new Map<string, Tensor>();
  shapes.forEach(({ name, shape }, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    tensors.set(name, { shape, data: seeded(n, i + 1) });
    optimizer.set(`m.${name}`, { shape, data: seeded(n, 100 + i) });
    optimizer.set(`v.${name}`, { shape, data: seeded(n, 200 + i).map(Math.abs) });
  });
  return {
    config,
    step: 1234,
    round: 4,
    tensors,
    optimizer,
    resume: { data: { seed: 17, next_sample: 78976 }, rng: { init: [1, 2, 3, 4] }, adam_t: 1234 },
  };
}

function bits(a: Float32Array): number[] {
  return [...new Uint32Array(a.buffer, a.byteOffset, a.length)];
}

function expectCheckpointError(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected CheckpointError matching ${pattern}`).toBeInstanceOf(CheckpointError);
  expect((caught as Error).message).toMatch(pattern);
  expect((caught as Error).message).toMatch(/\.$/);
  expect((caught as Error).message).not.toContain('\n');
}

describe('checkpoint round trip', () => {
  it('keeps config, step, round, resume, model and optimizer tensors bit for bit', () => {
    const c = sample();
    const back = decodeCheckpoint(encodeCheckpoint(c));
    expect(back.config).toEqual(c.config);
    expect(back.step).toBe(1234);
    expect(back.round).toBe(4);
    expect(back.resume).toEqual(c.resume);
    for (const [which, want, got] of [
      ['tensors', c.tensors, back.tensors],
      ['optimizer', c.optimizer, back.optimizer],
    ] as const) {
      expect([...got.keys()].sort(), which).toEqual([...want.keys()].sort());
      for (const [name, t] of want) {
        expect(got.get(name)!.shape, name).toEqual(t.shape);
        expect(bits(got.get(name)!.data), name).toEqual(bits(t.data));
      }
    }
  });

  it('is a plain safetensors file: docs/contract.md §3 names, optimizer. prefix, string metadata', () => {
    const file = decodeSafetensors(encodeCheckpoint(sample()));
    expect(file.tensors.has('encoder.weight_hh_l1')).toBe(true);
    expect(file.tensors.has('optimizer.m.encoder.weight_hh_l1')).toBe(true);
    expect(file.tensors.has('optimizer.v.output.bias')).toBe(true);
    expect(Object.keys(file.metadata).sort()).toEqual(['config', 'format', 'resume', 'round', 'step']);
    expect(file.metadata.format).toBe(CHECKPOINT_FORMAT);
    expect(JSON.parse(file.metadata.config)).toEqual(config);
    expect(file.metadata.step).toBe('1234');
  });

  it('gives the same bytes for the same checkpoint', () => {
    expect(encodeCheckpoint(sample())).toEqual(encodeCheckpoint(sample()));
  });

  it('refuses model tensors under the optimizer prefix and bad counters', () => {
    const c = sample();
    c.tensors.set('optimizer.x', { shape: [1], data: new Float32Array(1) });
    expect(() => encodeCheckpoint(c)).toThrow(/reserved prefix/);
    expect(() => encodeCheckpoint({ ...sample(), step: -1 })).toThrow(/step must be a non-negative integer/);
    expect(() => encodeCheckpoint({ ...sample(), round: 1.5 })).toThrow(/round must be a non-negative integer/);
  });
});

describe('checkpoint metadata validation', () => {
  const good = (): Record<string, string> => ({
    format: CHECKPOINT_FORMAT,
    config: JSON.stringify(config),
    step: '3',
    round: '1',
    resume: '{}',
  });
  const file = (meta: Record<string, string>) => encodeSafetensors([['w', { shape: [1], data: new Float32Array(1) }]], meta);
  const edit = (patch: Record<string, string | undefined>) => {
    const m = { ...good(), ...patch };
    for (const k of Object.keys(m)) if (m[k] === undefined) delete m[k];
    return file(m as Record<string, string>);
  };
  const withConfig = (patch: Record<string, unknown>, drop?: string) => {
    const c: Record<string, unknown> = { ...config, ...patch };
    if (drop) delete c[drop];
    return edit({ config: JSON.stringify(c) });
  };

  it('accepts the good metadata', () => {
    expect(decodeCheckpoint(edit({})).step).toBe(3);
  });

  it('loads a checkpoint written before the recurrence key with the default recording', () => {
    expect(decodeCheckpoint(withConfig({}, 'recurrence')).config.recurrence).toBe('auto');
    expect(decodeCheckpoint(withConfig({ recurrence: 'steps' })).config.recurrence).toBe('steps');
  });

  const cases: [string, () => Uint8Array, RegExp][] = [
    ['a plain safetensors file', () => file({}), /^checkpoint has no format in its metadata, so it was not written by seq2seq\.$/],
    ['another format', () => edit({ format: '2' }), /has format "2", but this version reads format 1/],
    ['no config', () => edit({ config: undefined }), /has no config in its metadata/],
    ['no step', () => edit({ step: undefined }), /has no step/],
    ['no round', () => edit({ round: undefined }), /has no round/],
    ['no resume', () => edit({ resume: undefined }), /has no resume/],
    ['a negative step', () => edit({ step: '-1' }), /has step "-1" in its metadata, which is not a non-negative integer/],
    ['a fractional step', () => edit({ step: '1.5' }), /step "1.5"/],
    ['a padded step', () => edit({ step: '01' }), /step "01"/],
    ['an empty round', () => edit({ round: '' }), /round ""/],
    ['an unsafe round', () => edit({ round: '9007199254740993' }), /round "9007199254740993"/],
    ['config that is not JSON', () => edit({ config: '{' }), /config metadata that is not valid JSON/],
    ['config that is not an object', () => edit({ config: '[1]' }), /config metadata that is not a JSON object/],
    ['config without a key', () => withConfig({}, 'hidden_size'), /has a config without hidden_size/],
    ['config with a wrong type', () => withConfig({ hidden_size: '8' }), /config whose hidden_size is "8", not a number/],
    ['config with unknown keys', () => withConfig({ colour: 1, size: 2 }), /config with unknown keys colour, size/],
    ['resume that is not JSON', () => edit({ resume: 'x' }), /resume metadata that is not valid JSON/],
    ['resume that is not an object', () => edit({ resume: 'null' }), /resume metadata that is not a JSON object/],
  ];
  it.each(cases)('rejects %s', (_, make, pattern) => {
    expectCheckpointError(() => decodeCheckpoint(make()), pattern);
  });

  it('names the source', () => {
    expect(() => decodeCheckpoint(new Uint8Array(2), 'checkpoint runs/a/last.safetensors')).toThrow(
      /^checkpoint runs\/a\/last\.safetensors is not a safetensors file/,
    );
  });

  it('fuzz: 2000 metadata edits give a checkpoint or a CheckpointError', () => {
    const rnd = seededUniform(99, 0, 1);
    const values = ['', '0', '-0', '1e3', '00', ' 1', '{}', '[]', 'null', '"x"', '{"a":', '\u0000', '9'.repeat(400), `${'['.repeat(50000)}${']'.repeat(50000)}`];
    const keys = ['format', 'config', 'step', 'round', 'resume'];
    let parsed = 0;
    for (let i = 0; i < 2000; i++) {
      const meta = good();
      const key = keys[Math.floor(rnd() * keys.length)];
      if (key === 'config' && rnd() < 0.6) {
        const c: Record<string, unknown> = JSON.parse(meta.config);
        const k = Object.keys(c)[Math.floor(rnd() * Object.keys(c).length)];
        c[k] = [null, 1, 'a', true, [], {}, undefined][Math.floor(rnd() * 7)];
        meta.config = JSON.stringify(c);
      } else if (rnd() < 0.1) {
        delete meta[key];
      } else {
        meta[key] = values[Math.floor(rnd() * values.length)];
      }
      try {
        decodeCheckpoint(file(meta));
        parsed++;
      } catch (err) {
        if (!(err instanceof CheckpointError)) throw new Error(`edit ${i} (${key}) threw ${(err as Error).name}: ${(err as Error).message}`);
      }
    }
    expect(parsed).toBeGreaterThan(0);
  });
});

describe('checkpoint fuzz', () => {
  it('1000 byte-level mutations of a checkpoint give a checkpoint or a CheckpointError', () => {
    const base = encodeCheckpoint(sample());
    const headerEnd = 8 + new DataView(base.buffer).getUint32(0, true);
    const u = seededUniform(7, 0, 1);
    const rnd = (n: number) => Math.floor(u() * n);
    let parsed = 0;
    for (let i = 0; i < 1000; i++) {
      let b = base.slice();
      if (i % 5 === 0) b = b.slice(0, rnd(b.length));
      else for (let k = 0; k <= rnd(3); k++) b[rnd(headerEnd)] = rnd(256);
      try {
        decodeCheckpoint(b);
        parsed++;
      } catch (err) {
        if (!(err instanceof CheckpointError)) throw new Error(`mutation ${i} threw ${(err as Error).name}: ${(err as Error).message}`);
      }
    }
    expect(parsed).toBeGreaterThan(0);
  });
});

describe('expectTensors', () => {
  const have = new Map<string, { shape: number[] }>([
    ['encoder.weight_hh_l0', { shape: [256, 64] }],
    ['output.bias', { shape: [100] }],
  ]);

  it('passes when names and shapes match exactly', () => {
    expect(() => expectTensors(have, [{ name: 'output.bias', shape: [100] }, { name: 'encoder.weight_hh_l0', shape: [256, 64] }])).not.toThrow();
  });

  it('names a single mismatched shape in the words of the brief', () => {
    expect(() =>
      expectTensors(have, [
        { name: 'encoder.weight_hh_l0', shape: [128, 32] },
        { name: 'output.bias', shape: [100] },
      ]),
    ).toThrow(/^checkpoint tensor encoder\.weight_hh_l0 has shape \[256,64\], but the config needs \[128,32\]\.$/);
  });

  it('tells a rank difference apart', () => {
    expectCheckpointError(
      () => expectTensors(have, [{ name: 'encoder.weight_hh_l0', shape: [256, 64, 1] }, { name: 'output.bias', shape: [100] }]),
      /has shape \[256,64\], but the config needs \[256,64,1\]/,
    );
  });

  it('reports missing, unexpected and mismatched tensors in one sentence', () => {
    expectCheckpointError(
      () =>
        expectTensors(
          have,
          [
            { name: 'output.bias', shape: [99] },
            { name: 'output.weight', shape: [100, 64] },
            { name: 'a', shape: [1] },
            { name: 'b', shape: [1] },
            { name: 'c', shape: [1] },
          ],
          'checkpoint last.safetensors',
        ),
      /^checkpoint last\.safetensors does not match the config: tensor output\.bias has shape \[100\], but the config needs \[99\]; it lacks tensors output\.weight, a, b and 1 more; it has tensor encoder\.weight_hh_l0, which the config does not use\.$/,
    );
  });

  it('reports a single missing tensor', () => {
    expectCheckpointError(
      () => expectTensors(have, [{ name: 'output.bias', shape: [100] }, { name: 'encoder.weight_hh_l0', shape: [256, 64] }, { name: 'x', shape: [] }]),
      /does not match the config: it lacks tensor x\.$/,
    );
  });

  it('checks a decoded checkpoint against the model layout, optimizer included', () => {
    const back = decodeCheckpoint(encodeCheckpoint(sample()));
    const shapes = lstmShapes(config);
    expectTensors(back.tensors, shapes);
    expectTensors(back.optimizer, [...shapes.map((s) => ({ ...s, name: `m.${s.name}` })), ...shapes.map((s) => ({ ...s, name: `v.${s.name}` }))]);
    expectCheckpointError(() => expectTensors(back.tensors, lstmShapes({ ...config, hidden_size: 16 })), /does not match the config/);
  });
});

describe('arena packing', () => {
  // Entries as an ArenaLayout lays them out: offsets padded to 64 elements.
  const entries: ArenaEntry[] = [
    { name: 'a', shape: [2, 3], offset: 0, length: 6 },
    { name: 'b', shape: [70], offset: 64, length: 70 },
    { name: 'c', shape: [], offset: 192, length: 1 },
  ];

  it('copies tensors out of an arena and back into the same places', () => {
    const arena = seeded(256, 5);
    const tensors = tensorsFromArena(entries, arena);
    expect(tensors.get('b')!.shape).toEqual([70]);
    expect([...tensors.get('b')!.data]).toEqual([...arena.subarray(64, 134)]);
    const back = new Float32Array(256);
    tensorsIntoArena(tensors, entries, back);
    for (const e of entries) expect([...back.subarray(e.offset, e.offset + e.length)]).toEqual([...arena.subarray(e.offset, e.offset + e.length)]);
    expect(back[6]).toBe(0); // padding untouched
  });

  it('refuses a missing or wrongly sized tensor', () => {
    const tensors = tensorsFromArena(entries.slice(0, 2), seeded(256, 1));
    expect(() => tensorsIntoArena(tensors, entries, new Float32Array(256))).toThrow(/Tensor c is missing/);
  });
});
