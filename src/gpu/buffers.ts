// Storage buffers and views into them. Kernels bind whole buffers and receive element
// offsets through their uniforms, so a view costs nothing and needs no alignment.

/** `length` 4-byte elements (f32, i32 or u32) starting at element `offset` of `buffer`. */
export interface View {
  buffer: GPUBuffer;
  offset: number;
  length: number;
}

/**
 * GPUBufferUsage.STORAGE | COPY_SRC | COPY_DST as the WebGPU spec numbers them: a literal, because
 * in Node the GPU* globals exist only once Dawn is installed, after this module is imported.
 */
export const STORAGE_USAGE = 0x80 | 0x04 | 0x08;

export function view(buffer: GPUBuffer, offset = 0, length = buffer.size / 4 - offset): View {
  if (offset < 0 || length < 0 || (offset + length) * 4 > buffer.size) {
    throw new RangeError(`View [${offset}, ${offset + length}) is outside buffer ${buffer.label} of ${buffer.size / 4} elements.`);
  }
  return { buffer, offset, length };
}

/** A sub-view, `offset` and `length` relative to `v`. */
export function slice(v: View, offset: number, length: number): View {
  if (offset < 0 || length < 0 || offset + length > v.length) {
    throw new RangeError(`Slice [${offset}, ${offset + length}) is outside a view of ${v.length} elements of ${v.buffer.label}.`);
  }
  return { buffer: v.buffer, offset: v.offset + offset, length };
}

/** Elements per alignment unit: 256 bytes, the usual minStorageBufferOffsetAlignment. */
export const ARENA_ALIGN = 64;

export interface ArenaEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

/**
 * A layout of named tensors in one buffer, each aligned to 256 bytes. Parameters,
 * gradients and optimizer moments share one layout, so clipping and Adam are single
 * dispatches over the whole arena.
 */
export class ArenaLayout {
  readonly entries: ArenaEntry[] = [];
  private readonly byName = new Map<string, ArenaEntry>();
  size = 0;

  add(name: string, shape: number[]): ArenaEntry {
    if (this.byName.has(name)) throw new Error(`Tensor ${name} is already in the arena.`);
    const length = shape.reduce((a, b) => a * b, 1);
    const entry = { name, shape: [...shape], offset: this.size, length };
    this.size += Math.ceil(length / ARENA_ALIGN) * ARENA_ALIGN;
    this.entries.push(entry);
    this.byName.set(name, entry);
    return entry;
  }

  get(name: string): ArenaEntry {
    const e = this.byName.get(name);
    if (!e) throw new Error(`No tensor named ${name} in the arena.`);
    return e;
  }

  viewOf(buffer: GPUBuffer, name: string): View {
    const e = this.get(name);
    return { buffer, offset: e.offset, length: e.length };
  }
}
