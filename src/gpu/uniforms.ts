// Per-dispatch uniform parameters (shapes, element offsets, scalars), packed into
// 256-byte slots of a few large buffers so that thousands of recorded dispatches
// cost no per-dispatch buffer creation.

export type UniformField = { type: 'u32' | 'i32' | 'f32'; value: number };
export const u32 = (value: number): UniformField => ({ type: 'u32', value });
export const i32 = (value: number): UniformField => ({ type: 'i32', value });
export const f32 = (value: number): UniformField => ({ type: 'f32', value });

/** A uniform binding: `size` bytes at `offset` of `buffer`. */
export interface UniformSlot {
  buffer: GPUBuffer;
  offset: number;
  size: number;
  /** Rewrites the slot (e.g. the Adam step); the next submit sees the new values. */
  write(fields: UniformField[]): void;
}

export const SLOT_BYTES = 256;
const SLOTS_PER_CHUNK = 256;

/** Packs scalar fields as consecutive 4-byte words (a WGSL struct of scalars). */
export function packUniform(fields: UniformField[]): ArrayBuffer {
  if (fields.length * 4 > SLOT_BYTES) throw new Error(`A uniform struct of ${fields.length} fields exceeds ${SLOT_BYTES} bytes.`);
  const bytes = new ArrayBuffer(Math.max(16, Math.ceil((fields.length * 4) / 16) * 16));
  const view = new DataView(bytes);
  fields.forEach((f, i) => {
    if (f.type === 'f32') view.setFloat32(i * 4, f.value, true);
    else if (f.type === 'i32') view.setInt32(i * 4, f.value, true);
    else {
      if (!Number.isInteger(f.value) || f.value < 0 || f.value > 0xffffffff) throw new Error(`u32 uniform field ${i} got ${f.value}.`);
      view.setUint32(i * 4, f.value, true);
    }
  });
  return bytes;
}

export class UniformPool {
  private chunk: GPUBuffer | null = null;
  private used = SLOTS_PER_CHUNK;
  private readonly chunks: GPUBuffer[] = [];

  constructor(private readonly device: GPUDevice) {}

  alloc(fields: UniformField[]): UniformSlot {
    if (this.used === SLOTS_PER_CHUNK) {
      this.chunk = this.device.createBuffer({
        label: `uniforms#${this.chunks.length}`,
        size: SLOT_BYTES * SLOTS_PER_CHUNK,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      this.chunks.push(this.chunk);
      this.used = 0;
    }
    const buffer = this.chunk!;
    const offset = this.used++ * SLOT_BYTES;
    const device = this.device;
    const slot: UniformSlot = {
      buffer,
      offset,
      size: SLOT_BYTES,
      write(next) {
        device.queue.writeBuffer(buffer, offset, packUniform(next));
      },
    };
    slot.write(fields);
    return slot;
  }

  get bytes(): number {
    return this.chunks.length * SLOT_BYTES * SLOTS_PER_CHUNK;
  }

  destroy(): void {
    for (const c of this.chunks) c.destroy();
    this.chunks.length = 0;
    this.used = SLOTS_PER_CHUNK;
  }
}
