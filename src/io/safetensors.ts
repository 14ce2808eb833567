// The safetensors format (what Python's `safetensors` library reads and writes):
//   [u64 little-endian N][N bytes of JSON header][data section]
// The header maps each tensor name to {dtype, shape, data_offsets: [begin, end]}
// (offsets relative to the data section) plus an optional "__metadata__" of strings.
// Pure: Uint8Array in and out, no Node imports, so the page and the CLI share it.
import { UserError } from '../errors.ts';

/**
 * A checkpoint file that cannot be read. Extends UserError so the CLI prints its one
 * sentence verbatim: a bad file is the user's to fix, not an internal fault.
 */
export class CheckpointError extends UserError {
  override name = 'CheckpointError';
}

export interface Tensor {
  shape: number[];
  /** Row-major values; length is the product of `shape`. */
  data: Float32Array;
}

export interface SafetensorsFile {
  /** Tensors in file order (which, for files we write, is sorted by name). */
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

export interface DecodeOptions {
  /** Names the file at the start of every error sentence; default "checkpoint". */
  source?: string;
  /** Largest header accepted, in bytes; default MAX_HEADER_BYTES. */
  maxHeaderBytes?: number;
}

/** The Python library's cap: a larger header is corruption, not a model. */
export const MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = '__metadata__';
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** "[2,3]", the shape notation used in every message. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Number of elements of `shape`, or -1 when a dimension is not a non-negative safe integer or the product overflows. */
function elementCount(shape: readonly unknown[]): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return -1;
    n *= d;
  }
  // Checked after the loop so a zero dimension legitimately absorbs huge ones.
  return Number.isSafeInteger(n * 4) ? n : -1;
}

// ---------------------------------------------------------------------------------------
// Writing

/**
 * Serialises F32 tensors and string metadata. Tensors are sorted by name and
 * `__metadata__` comes first with sorted keys, so equal inputs give equal bytes; the
 * header is padded with spaces to a multiple of 8 so the data section is 8-aligned.
 * Throws Error (a programming mistake, not a user's) on a bad name, shape or length.
 */
export function encodeSafetensors(
  tensors: Iterable<readonly [string, Tensor]>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const entries = [...tensors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  const metaKeys = Object.keys(metadata).sort();
  if (metaKeys.length > 0) {
    const meta: Record<string, string> = {};
    for (const k of metaKeys) {
      const v = metadata[k];
      if (typeof v !== 'string') throw new Error(`Metadata value ${k} must be a string, not ${typeof v}.`);
      meta[k] = v;
    }
    header[METADATA_KEY] = meta;
  }
  let offset = 0;
  for (let i = 0; i < entries.length; i++) {
    const [name, t] = entries[i];
    if (name === METADATA_KEY) throw new Error(`A tensor cannot be named ${METADATA_KEY}.`);
    if (i > 0 && entries[i - 1][0] === name) throw new Error(`Tensor ${name} is given twice.`);
    if (!(t.data instanceof Float32Array)) throw new Error(`Tensor ${name} must hold a Float32Array.`);
    const n = elementCount(t.shape);
    if (n < 0) throw new Error(`Tensor ${name} has an invalid shape ${formatShape(t.shape)}.`);
    if (n !== t.data.length) {
      throw new Error(`Tensor ${name} has shape ${formatShape(t.shape)} (${n} values) but holds ${t.data.length} values.`);
    }
    // Defining the property keeps a tensor named "__proto__" an ordinary key.
    Object.defineProperty(header, name, {
      value: { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * n] },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    offset += 4 * n;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, padded % 2 ** 32, true);
  dv.setUint32(4, Math.floor(padded / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let pos = 8 + padded;
  for (const [, t] of entries) {
    if (LITTLE_ENDIAN_HOST) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    } else {
      for (let i = 0; i < t.data.length; i++) dv.setFloat32(pos + 4 * i, t.data[i], true);
    }
    pos += t.data.byteLength;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Reading

interface Span {
  name: string;
  shape: number[];
  begin: number;
  end: number;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A name as printed in messages: bare when it looks like a name, else quoted and shortened. */
export function showName(name: string): string {
  return /^[\w.\-]{1,80}$/.test(name) ? name : showValue(name);
}

/**
 * Short, printable form of a header value for an error message. Bounded in depth and
 * width, not JSON.stringify: a hostile header can nest arrays a million deep, which
 * JSON.parse accepts but any recursive printer overflows the stack on.
 */
export function showValue(v: unknown, depth = 0): string {
  let s: string;
  if (typeof v === 'string') s = JSON.stringify(v.slice(0, 41));
  else if (Array.isArray(v)) {
    s = depth >= 2 ? '[...]' : `[${v.slice(0, 4).map((x) => showValue(x, depth + 1)).join(',')}${v.length > 4 ? ',...' : ''}]`;
  } else if (typeof v === 'object' && v !== null) {
    const keys = Object.keys(v);
    const inner = keys.slice(0, 3).map((k) => `${showValue(k, 2)}:${showValue((v as Record<string, unknown>)[k], depth + 1)}`);
    s = depth >= 2 ? '{...}' : `{${inner.join(',')}${keys.length > 3 ? ',...' : ''}}`;
  } else s = String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/**
 * Parses and validates a safetensors file, strictly: the tensors must tile the data
 * section exactly (no gaps, no overlaps, no trailing bytes), as the Python library
 * requires. Only F32 is accepted. Every failure is a CheckpointError with one sentence;
 * returned arrays are copies, so they are aligned whatever the header length.
 */
export function decodeSafetensors(bytes: Uint8Array, options: DecodeOptions = {}): SafetensorsFile {
  const src = options.source ?? 'checkpoint';
  const fail: Fail = (msg) => {
    throw new CheckpointError(`${src} ${msg}.`);
  };
  const { header, headerSize } = readHeader(bytes, options.maxHeaderBytes ?? MAX_HEADER_BYTES, fail);
  const { metadata, spans } = splitHeader(header, fail);
  const dataStart = 8 + headerSize;
  checkTiling(spans, bytes.length - dataStart, fail);
  const tensors = new Map<string, Tensor>();
  for (const s of spans) {
    tensors.set(s.name, { shape: s.shape, data: readF32(bytes, dataStart + s.begin, dataStart + s.end) });
  }
  return { tensors, metadata };
}

type Fail = (msg: string) => never;

/** The 8-byte length, then the JSON header object it announces (within `cap` bytes). */
function readHeader(bytes: Uint8Array, cap: number, fail: Fail): { header: Record<string, unknown>; headerSize: number } {
  if (bytes.length < 8) fail(`is not a safetensors file: it is only ${bytes.length} bytes long`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = dv.getUint32(0, true);
  const high = dv.getUint32(4, true);
  const headerSize = high * 2 ** 32 + low;
  if (high !== 0 || headerSize > cap) {
    fail(`is not a safetensors file: its header size ${headerSize} exceeds the ${cap}-byte limit`);
  }
  if (headerSize > bytes.length - 8) {
    fail(`is truncated or not a safetensors file: its header claims ${headerSize} bytes but only ${bytes.length - 8} follow`);
  }
  const headerBytes = bytes.subarray(8, 8 + headerSize);
  if (headerBytes[0] !== 0x7b /* { */) fail('is not a safetensors file: its header does not start with "{"');
  let headerText = '';
  try {
    headerText = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    fail('has a header that is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch {
    fail('has a header that is not valid JSON');
  }
  if (!isPlainObject(header)) fail('has a header that is not a JSON object');
  return { header: header as Record<string, unknown>, headerSize };
}

/** The header's string metadata and its tensor entries, each checked. */
function splitHeader(h: Record<string, unknown>, fail: Fail): { metadata: Record<string, string>; spans: Span[] } {
  const metadata: Record<string, string> = {};
  const spans: Span[] = [];
  for (const [name, entry] of Object.entries(h)) {
    if (name === METADATA_KEY) {
      if (!isPlainObject(entry)) fail(`has a ${METADATA_KEY} that is not a JSON object`);
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`metadata ${showName(k)} is ${showValue(v)}, but metadata values must be strings`);
        Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    spans.push(parseEntry(name, entry, fail));
  }
  return { metadata, spans };
}

/** The tensors must tile the data section exactly: no gaps, no overlaps, no trailing bytes. */
function checkTiling(spans: readonly Span[], dataSize: number, fail: Fail): void {
  // Sorting by (begin, end) puts zero-length tensors before a tensor sharing their start.
  const order = [...spans].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let prev: Span | null = null;
  for (const s of order) {
    if (s.end > dataSize) {
      fail(`tensor ${showName(s.name)} ends at byte ${s.end} of a data section of only ${dataSize} bytes`);
    }
    if (s.begin < covered) fail(`tensors ${showName(prev!.name)} and ${showName(s.name)} overlap in the data section`);
    if (s.begin > covered) {
      fail(`leaves bytes ${covered} to ${s.begin} of its data section unused before tensor ${showName(s.name)}`);
    }
    covered = s.end;
    prev = s;
  }
  if (covered !== dataSize) {
    fail(`has ${dataSize - covered} bytes after its last tensor; the data section must hold exactly its tensors`);
  }
}

function parseEntry(name: string, entry: unknown, fail: (msg: string) => never): Span {
  const t = `tensor ${showName(name)}`;
  if (!isPlainObject(entry)) fail(`${t} is described by ${showValue(entry)}, not by an object`);
  const e = entry as Record<string, unknown>;
  for (const key of ['dtype', 'shape', 'data_offsets']) {
    if (!(key in e)) fail(`${t} has no ${key}`);
  }
  if (typeof e.dtype !== 'string') fail(`${t} has dtype ${showValue(e.dtype)}, which is not a string`);
  if (e.dtype !== 'F32') fail(`${t} has dtype ${e.dtype}, but only F32 is supported`);
  if (!Array.isArray(e.shape)) fail(`${t} has shape ${showValue(e.shape)}, which is not an array`);
  const shape = e.shape as unknown[];
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      fail(`${t} has shape ${showValue(shape)}, whose entries must be non-negative integers`);
    }
  }
  const count = elementCount(shape);
  if (count < 0) fail(`${t} has shape ${showValue(shape)}, which is too large`);
  const off = e.data_offsets;
  if (!Array.isArray(off) || off.length !== 2) fail(`${t} has data_offsets ${showValue(off)}, which is not a [begin, end] pair`);
  const [begin, end] = off as unknown[];
  for (const v of [begin, end]) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      fail(`${t} has data_offsets ${showValue(off)}, which must be non-negative integers`);
    }
  }
  const b = begin as number;
  const en = end as number;
  if (en < b) fail(`${t} has data_offsets ${showValue(off)}, which end before they begin`);
  if (en - b !== 4 * count) {
    fail(`${t} has shape ${formatShape(shape as number[])} (${4 * count} bytes of F32) but data_offsets span ${en - b} bytes`);
  }
  return { name, shape: shape as number[], begin: b, end: en };
}

/** Copies little-endian f32 bytes [begin, end) into a fresh, aligned Float32Array. */
function readF32(bytes: Uint8Array, begin: number, end: number): Float32Array {
  if (LITTLE_ENDIAN_HOST) return new Float32Array(bytes.slice(begin, end).buffer);
  const out = new Float32Array((end - begin) / 4);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + begin, end - begin);
  for (let i = 0; i < out.length; i++) out[i] = dv.getFloat32(4 * i, true);
  return out;
}
