import { describe, expect, it } from 'vitest';
import { CheckpointError, decodeSafetensors, encodeSafetensors, MAX_HEADER_BYTES, type Tensor } from '../src/io/safetensors.ts';
import { UserError } from '../src/errors.ts';
import { seededUniform } from '../src/check/random.ts';

const enc = new TextEncoder();

function t(shape: number[], values?: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from(values ?? Array.from({ length: n }, (_, i) => i * 0.5 - 1)) };
}

/** A file from a header object and raw data, the header padded to 8 unless `pad` is false. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0), pad = true): Uint8Array {
  let json = JSON.stringify(header);
  if (pad) json = json.padEnd(Math.ceil(json.length / 8) * 8, ' ');
  return withHeaderText(json, data);
}

function withHeaderText(json: string | Uint8Array, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = typeof json === 'string' ? enc.encode(json) : json;
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function bits(a: Float32Array): number[] {
  return [...new Uint32Array(a.buffer, a.byteOffset, a.length)];
}

function expectError(bytes: Uint8Array, pattern: RegExp): CheckpointError {
  let caught: unknown;
  try {
    decodeSafetensors(bytes);
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected a CheckpointError matching ${pattern}`).toBeInstanceOf(CheckpointError);
  const e = caught as CheckpointError;
  expect(e.message).toMatch(pattern);
  // One sentence: starts with the source, ends with one full stop, no line breaks.
  expect(e.message).toMatch(/^checkpoint .*\.$/);
  expect(e.message).not.toContain('\n');
  return e;
}

describe('safetensors round trip', () => {
  it('keeps names, shapes, bit patterns and metadata', () => {
    const special = new Float32Array([0, -0, Infinity, -Infinity, NaN, 1.401298464324817e-45, 3.4028234663852886e38, 0.1]);
    new Uint32Array(special.buffer)[4] = 0x7fc12345; // a NaN with a payload
    const tensors = new Map<string, Tensor>([
      ['encoder.weight_hh_l0', t([8, 3])],
      ['embedding.weight', t([5, 2])],
      ['special', { shape: [2, 4], data: special }],
      ['scalar', t([], [42])],
      ['empty', t([0, 7])],
      ['__proto__', t([1], [7])],
    ]);
    const metadata = { config: '{"a":1}', step: '12', unicode: 'héllo ✓ 𝄞', __proto__x: '' };
    const bytes = encodeSafetensors(tensors, metadata);
    const file = decodeSafetensors(bytes);
    expect([...file.tensors.keys()].sort()).toEqual([...tensors.keys()].sort());
    for (const [name, want] of tensors) {
      const got = file.tensors.get(name)!;
      expect(got.shape, name).toEqual(want.shape);
      expect(got.data).toBeInstanceOf(Float32Array);
      expect(bits(got.data), name).toEqual(bits(want.data));
    }
    expect(file.metadata).toEqual(metadata);
  });

  it('writes the same bytes whatever the insertion order, sorted by name', () => {
    const a = encodeSafetensors([['b', t([2])], ['a', t([3])]], { y: '1', x: '2' });
    const b = encodeSafetensors([['a', t([3])], ['b', t([2])]], { x: '2', y: '1' });
    expect(a).toEqual(b);
    const file = decodeSafetensors(a);
    expect([...file.tensors.keys()]).toEqual(['a', 'b']);
  });

  it('pads the header with spaces to a multiple of 8 so the data is 8-aligned', () => {
    for (let n = 0; n < 10; n++) {
      const bytes = encodeSafetensors([['x'.repeat(n + 1), t([n])]]);
      const dv = new DataView(bytes.buffer);
      const size = dv.getUint32(0, true);
      expect(dv.getUint32(4, true)).toBe(0);
      expect(size % 8).toBe(0);
      const header = new TextDecoder().decode(bytes.subarray(8, 8 + size));
      expect(header).toMatch(/^\{.*\} *$/);
      expect(bytes.length).toBe(8 + size + 4 * n);
    }
  });

  it('writes an empty file as a valid one', () => {
    const bytes = encodeSafetensors([]);
    expect(new TextDecoder().decode(bytes.subarray(8))).toBe('{}      ');
    expect(decodeSafetensors(bytes)).toEqual({ tensors: new Map(), metadata: {} });
  });

  it('refuses to write bad tensors (programming errors)', () => {
    expect(() => encodeSafetensors([['a', { shape: [2, 2], data: new Float32Array(3) }]])).toThrow(/holds 3 values/);
    expect(() => encodeSafetensors([['a', { shape: [-1], data: new Float32Array(0) }]])).toThrow(/invalid shape/);
    expect(() => encodeSafetensors([['__metadata__', t([1])]])).toThrow(/cannot be named/);
    expect(() => encodeSafetensors([['a', t([1])], ['a', t([1])]])).toThrow(/twice/);
    expect(() => encodeSafetensors([], { a: 1 as unknown as string })).toThrow(/must be a string/);
  });

  it('reads a subarray of a larger buffer and returns copies', () => {
    const inner = encodeSafetensors([['w', t([3], [1, 2, 3])]]);
    const outer = new Uint8Array(inner.length + 5);
    outer.set(inner, 3);
    const file = decodeSafetensors(outer.subarray(3, 3 + inner.length));
    const w = file.tensors.get('w')!.data;
    expect([...w]).toEqual([1, 2, 3]);
    expect(w.buffer).not.toBe(outer.buffer);
  });
});

describe('compatibility with the Python safetensors layout', () => {
  // Built by hand from the format description: u64 LE header size, JSON header padded
  // with spaces to 8, little-endian f32 data with offsets relative to the data section.
  const header =
    '{"__metadata__":{"format":"pt"},' +
    '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
    '"b":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}}';
  const known = new Uint8Array([
    0x90, 0, 0, 0, 0, 0, 0, 0, // 144 = 141 header bytes + 3 spaces
    ...enc.encode(header),
    0x20, 0x20, 0x20,
    0x00, 0x00, 0x80, 0x3f, // a[0] = 1.0
    0x00, 0x00, 0x20, 0xc0, // a[1] = -2.5
    0xcd, 0xcc, 0xcc, 0x3d, // b[0][0] = 0.1f
  ]);

  it('decodes the hand-built file', () => {
    expect(header.length).toBe(141);
    const file = decodeSafetensors(known);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.tensors.get('a')).toEqual({ shape: [2], data: new Float32Array([1, -2.5]) });
    expect(file.tensors.get('b')).toEqual({ shape: [1, 1], data: new Float32Array([0.1]) });
  });

  it('encodes exactly the hand-built bytes', () => {
    const bytes = encodeSafetensors(
      [['b', { shape: [1, 1], data: new Float32Array([0.1]) }], ['a', { shape: [2], data: new Float32Array([1, -2.5]) }]],
      { format: 'pt' },
    );
    expect([...bytes]).toEqual([...known]);
  });

  it('reads an unpadded header whose data is not 4-aligned', () => {
    // Older writers did not pad; data then starts at an odd offset.
    const data = new Uint8Array(new Float32Array([3.5, -1]).buffer);
    const bytes = rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, data, false);
    expect((bytes.length - 8) % 4).not.toBe(0);
    expect([...decodeSafetensors(bytes).tensors.get('w')!.data]).toEqual([3.5, -1]);
  });

  it('tolerates fields it does not use and header keys in any order', () => {
    const data = new Uint8Array(new Float32Array([1, 2]).buffer);
    const bytes = rawFile(
      { y: { data_offsets: [4, 8], shape: [1], dtype: 'F32', extra: true }, x: { shape: [1], dtype: 'F32', data_offsets: [0, 4] } },
      data,
    );
    const file = decodeSafetensors(bytes);
    expect([...file.tensors.get('x')!.data]).toEqual([1]);
    expect([...file.tensors.get('y')!.data]).toEqual([2]);
  });
});

describe('safetensors reader rejects malformed files with one sentence', () => {
  const f32 = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);
  const entry = (shape: unknown, begin: unknown, end: unknown, dtype: unknown = 'F32') => ({ dtype, shape, data_offsets: [begin, end] });

  it('is a CheckpointError, which the CLI prints verbatim as a UserError', () => {
    const e = expectError(new Uint8Array(3), /only 3 bytes long/);
    expect(e).toBeInstanceOf(UserError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('CheckpointError');
  });

  it('names the source when given', () => {
    expect(() => decodeSafetensors(new Uint8Array(0), { source: 'runs/a/last.safetensors' })).toThrow(
      /^runs\/a\/last\.safetensors is not a safetensors file: it is only 0 bytes long\.$/,
    );
  });

  const cases: [string, () => Uint8Array, RegExp][] = [
    ['an empty file', () => new Uint8Array(0), /only 0 bytes long/],
    ['a header larger than the file', () => withHeaderText('{}      ').subarray(0, 12), /claims 8 bytes but only 4 follow/],
    [
      'a header size with high bits set',
      () => {
        const b = withHeaderText('{}      ');
        b[7] = 1;
        return b;
      },
      /exceeds the 100000000-byte limit/,
    ],
    [
      'a header size above the cap',
      () => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setUint32(0, MAX_HEADER_BYTES + 1, true);
        return b;
      },
      /exceeds the/,
    ],
    ['a header that is not UTF-8', () => withHeaderText(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /not valid UTF-8/],
    ['a header that is not JSON', () => withHeaderText('{"a": '), /not valid JSON/],
    ['a header that does not start with {', () => withHeaderText(' {}'), /does not start with "\{"/],
    ['a header that is an array', () => withHeaderText('[1,2]'), /does not start with/],
    ['an entry that is not an object', () => rawFile({ w: 3 }), /tensor w is described by 3, not by an object/],
    ['an entry without dtype', () => rawFile({ w: { shape: [1], data_offsets: [0, 4] } }, f32(1)), /tensor w has no dtype/],
    ['an entry without shape', () => rawFile({ w: { dtype: 'F32', data_offsets: [0, 4] } }, f32(1)), /has no shape/],
    ['an entry without data_offsets', () => rawFile({ w: { dtype: 'F32', shape: [1] } }, f32(1)), /has no data_offsets/],
    ['a dtype that is not a string', () => rawFile({ w: entry([1], 0, 4, 7) }, f32(1)), /dtype 7, which is not a string/],
    ['a dtype other than F32', () => rawFile({ w: entry([2], 0, 4, 'F16') }, f32(1)), /dtype F16, but only F32 is supported/],
    ['a shape that is not an array', () => rawFile({ w: entry(4, 0, 4) }, f32(1)), /shape 4, which is not an array/],
    ['a negative dimension', () => rawFile({ w: entry([-1], 0, 0) }), /non-negative integers/],
    ['a fractional dimension', () => rawFile({ w: entry([1.5], 0, 4) }, f32(1)), /non-negative integers/],
    ['a string dimension', () => rawFile({ w: entry(['2'], 0, 8) }, f32(1, 2)), /non-negative integers/],
    ['an unsafe dimension', () => rawFile({ w: entry([2 ** 53], 0, 4) }, f32(1)), /non-negative integers/],
    ['an overflowing shape', () => rawFile({ w: entry([2 ** 30, 2 ** 30], 0, 4) }, f32(1)), /too large/],
    ['offsets that are not a pair', () => rawFile({ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, f32(1)), /not a \[begin, end\] pair/],
    ['negative offsets', () => rawFile({ w: entry([0], -4, -4) }), /must be non-negative integers/],
    ['fractional offsets', () => rawFile({ w: entry([1], 0.5, 4.5) }, f32(1, 2)), /must be non-negative integers/],
    ['offsets that end before they begin', () => rawFile({ w: entry([1], 8, 4) }, f32(1, 2)), /end before they begin/],
    ['offsets that disagree with the shape', () => rawFile({ w: entry([2], 0, 4) }, f32(1, 2)), /\(8 bytes of F32\) but data_offsets span 4 bytes/],
    ['offsets past the data', () => rawFile({ w: entry([2], 0, 8) }, f32(1)), /ends at byte 8 of a data section of only 4 bytes/],
    ['overlapping tensors', () => rawFile({ a: entry([2], 0, 8), b: entry([1], 4, 8) }, f32(1, 2)), /tensors a and b overlap/],
    ['identical tensors', () => rawFile({ a: entry([1], 0, 4), b: entry([1], 0, 4) }, f32(1)), /overlap/],
    ['a gap between tensors', () => rawFile({ a: entry([1], 0, 4), b: entry([1], 8, 12) }, f32(1, 2, 3)), /leaves bytes 4 to 8 .* unused before tensor b/],
    ['bytes after the last tensor', () => rawFile({ a: entry([1], 0, 4) }, f32(1, 2)), /has 4 bytes after its last tensor/],
    ['metadata that is not an object', () => rawFile({ __metadata__: ['x'] }), /__metadata__ that is not a JSON object/],
    ['a metadata value that is not a string', () => rawFile({ __metadata__: { step: 3 } }), /metadata step is 3, but metadata values must be strings/],
  ];
  it.each(cases)('%s', (_, make, pattern) => {
    expectError(make(), pattern);
  });

  it('keeps zero-length tensors anywhere without calling them overlaps', () => {
    const bytes = rawFile({ z: entry([0, 5], 4, 4), a: entry([1], 0, 4), b: entry([1], 4, 8), y: entry([0], 8, 8) }, f32(1, 2));
    const file = decodeSafetensors(bytes);
    expect(file.tensors.get('z')!.data.length).toBe(0);
    expect([...file.tensors.get('b')!.data]).toEqual([2]);
  });

  it('survives headers nested a million deep (JSON.parse accepts them; printers overflow)', () => {
    const deep = (d: number) => `${'['.repeat(d)}${']'.repeat(d)}`;
    const d = 200_000;
    expectError(withHeaderText(`{"w":{"dtype":"F32","shape":${deep(d)},"data_offsets":[0,0]}}`), /tensor w has shape \[\[\[\.\.\.\]\]\], whose entries/);
    expectError(withHeaderText(`{"w":${deep(d)}}`), /tensor w is described by \[\[\[\.\.\.\]\]\]/);
    expectError(withHeaderText(`{"__metadata__":{"a":${deep(d)}}}`), /metadata a is/);
  });

  it('shortens very long values in messages', () => {
    const e = expectError(rawFile({ w: entry([1], 0, 4, 'X'.repeat(500)) }, f32(1)), /only F32/);
    expect(e.message.length).toBeLessThan(700);
    const e2 = expectError(rawFile({ w: entry('s'.repeat(500), 0, 4) }, f32(1)), /not an array/);
    expect(e2.message.length).toBeLessThan(200);
  });
});

// ---------------------------------------------------------------------------------------
// Fuzz: random mutations of a valid file either parse into a consistent result or throw
// CheckpointError; nothing else, and quickly.

const NASTY: unknown[] = [
  -1, 0, 1, 3, 4, 7, 8, 1.5, -0.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e308, -1e308, 'F32', 'F16', 'I64', '', '4', null,
  true, [], {}, [0], [1, 2], [0, 4, 8], [-4, 0], [4, 0], [[1]], { dtype: 'F32' }, 'x'.repeat(100),
];

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const int = (rng: Rng, n: number) => Math.floor(rng() * n);

function headerOf(bytes: Uint8Array): { json: Record<string, unknown>; data: Uint8Array } {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  return { json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))), data: bytes.subarray(8 + n) };
}

/** A header edit; the input unchanged when an earlier mutation already broke the header. */
function mutateJson(rng: Rng, bytes: Uint8Array): Uint8Array {
  try {
    return editJson(rng, bytes);
  } catch {
    return bytes;
  }
}

function editJson(rng: Rng, bytes: Uint8Array): Uint8Array {
  const { json, data } = headerOf(bytes);
  const names = Object.keys(json).filter((k) => k !== '__metadata__');
  const name = pick(rng, names);
  const e = json[name] as Record<string, unknown>;
  switch (int(rng, 9)) {
    case 0: e[pick(rng, ['dtype', 'shape', 'data_offsets'])] = pick(rng, NASTY); break;
    case 1: delete e[pick(rng, ['dtype', 'shape', 'data_offsets'])]; break;
    case 2: (e.shape as unknown[])[int(rng, 3)] = pick(rng, NASTY); break;
    case 3: (e.data_offsets as unknown[])[int(rng, 2)] = pick(rng, NASTY); break;
    case 4: {
      const other = json[pick(rng, names)] as Record<string, unknown>;
      [e.data_offsets, other.data_offsets] = [other.data_offsets, e.data_offsets];
      break;
    }
    case 5: delete json[name]; break;
    case 6: json[`extra${int(rng, 3)}`] = { dtype: 'F32', shape: [int(rng, 3)], data_offsets: [4 * int(rng, 5), 4 * int(rng, 5)] }; break;
    case 7: json.__metadata__ = pick(rng, [null, [], { a: pick(rng, NASTY) }, 'm', { step: '1' }]); break;
    default: json[name] = pick(rng, NASTY);
  }
  return rawFile(json, data, rng() < 0.7);
}

function mutate(rng: Rng, input: Uint8Array): Uint8Array {
  let b: Uint8Array = input.slice();
  const headerEnd = 8 + new DataView(b.buffer).getUint32(0, true);
  switch (int(rng, 7)) {
    case 0: { // byte flips, mostly in the header
      const k = 1 + int(rng, 4);
      for (let i = 0; i < k; i++) {
        const pos = rng() < 0.8 ? int(rng, Math.min(headerEnd, b.length)) : int(rng, b.length);
        b[pos] = rng() < 0.5 ? b[pos] ^ (1 << int(rng, 8)) : int(rng, 256);
      }
      return b;
    }
    case 1: return b.slice(0, int(rng, b.length)); // truncation
    case 2: { // header-size edit
      const dv = new DataView(b.buffer);
      const n = dv.getUint32(0, true);
      const v = pick(rng, [n + 1, n - 1, n + 4, n - 8, n * 2, 0, 8, b.length, b.length - 7, 0xffffffff, int(rng, 2 ** 32)]);
      dv.setUint32(0, v >>> 0, true);
      if (rng() < 0.2) dv.setUint32(4, int(rng, 2 ** 32), true);
      return b;
    }
    case 3: { // splice: insert random bytes
      const pos = int(rng, b.length + 1);
      const ins = Uint8Array.from({ length: 1 + int(rng, 16) }, () => int(rng, 256));
      const out = new Uint8Array(b.length + ins.length);
      out.set(b.subarray(0, pos));
      out.set(ins, pos);
      out.set(b.subarray(pos), pos + ins.length);
      return out;
    }
    case 4: { // splice: delete or duplicate a range
      const s = int(rng, b.length);
      const e = Math.min(b.length, s + 1 + int(rng, 32));
      const parts = rng() < 0.5 ? [b.subarray(0, s), b.subarray(e)] : [b.subarray(0, e), b.subarray(s)];
      const out = new Uint8Array(parts[0].length + parts[1].length);
      out.set(parts[0]);
      out.set(parts[1], parts[0].length);
      return out;
    }
    case 5: return mutateJson(rng, b);
    default: { // two mutations
      b = mutate(rng, b);
      return b.length >= 8 ? mutate(rng, b) : b;
    }
  }
}

describe('safetensors fuzz', () => {
  it('10000 random mutations each parse consistently or throw CheckpointError', () => {
    const base = encodeSafetensors(
      [
        ['embedding.weight', t([4, 3])],
        ['encoder.bias_hh_l0', t([8])],
        ['empty', t([0, 2])],
        ['scalar', t([], [1])],
        ['output.weight', t([2, 2, 2])],
      ],
      { config: '{"hidden_size":4}', step: '7' },
    );
    const rng = seededUniform(20240601, 0, 1);
    const outcomes = { parsed: 0, rejected: 0 };
    const messages = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const bytes = mutate(rng, base);
      try {
        const file = decodeSafetensors(bytes);
        outcomes.parsed++;
        for (const [name, tensor] of file.tensors) {
          const n = tensor.shape.reduce((a, d) => a * d, 1);
          if (!(tensor.data instanceof Float32Array) || tensor.data.length !== n) {
            throw new Error(`mutation ${i}: tensor ${name} has ${tensor.data.length} values for shape ${tensor.shape}`);
          }
        }
        for (const v of Object.values(file.metadata)) expect(typeof v).toBe('string');
      } catch (err) {
        if (!(err instanceof CheckpointError)) {
          throw new Error(`mutation ${i} threw ${(err as Error)?.name}: ${(err as Error)?.message}`);
        }
        expect(err.message).not.toContain('\n');
        outcomes.rejected++;
        messages.add(err.message.replace(/[0-9]+/g, 'N').slice(0, 40));
      }
    }
    // No timed assertion (speed belongs to bench): a parse that hangs fails by the test timeout.
    // The mutations must reach past the first checks, and some must survive them.
    expect(outcomes.parsed).toBeGreaterThan(100);
    expect(outcomes.rejected).toBeGreaterThan(5000);
    expect(messages.size).toBeGreaterThan(15);
  });
});
