// What every arena model owns: its buffers (destroyed together), the parameter and gradient
// arenas, and the batch upload of an LSTM stack.
import type { Config } from '../../config/config.ts';
import type { ArenaLayout } from '../../gpu/buffers.ts';
import type { Gpu } from '../../gpu/context.ts';
import type { Batch } from '../../task/batch.ts';
import { initialArena } from '../../reference/init.ts';
import { embeddingBuckets, reverseWithinLengths } from '../../ops/host_tokens.ts';
import type { Allocate, Arena, LstmStack } from './lstm_stack.ts';

export interface OwnedArena {
  arena: Arena;
  /** Allocates a buffer labelled `${prefix}.${label}` that destroy() frees. */
  buf: Allocate;
  uploadParams(data: Float32Array): void;
  destroy(): void;
}

/** Parameters (initialised from config: init, init_scale, seed) and gradients of `layout`, and the buffers to come. */
export function createOwnedArena(gpu: Gpu, config: Config, prefix: string, layout: ArenaLayout): OwnedArena {
  const own: GPUBuffer[] = [];
  const buf: Allocate = (label, n) => {
    const b = gpu.createBuffer(`${prefix}.${label}`, n);
    own.push(b);
    return b;
  };
  const params = buf('params', layout.size);
  const grads = buf('grads', layout.size);
  gpu.upload(params, initialArena(layout, config));
  return {
    arena: { layout, params, grads },
    buf,
    uploadParams(data) {
      if (data.length !== layout.size) throw new RangeError(`${prefix}.uploadParams: got ${data.length} floats, the arena holds ${layout.size}.`);
      gpu.upload(params, data);
    },
    destroy() {
      for (const b of own) gpu.destroyBuffer(b);
      own.length = 0;
    },
  };
}

/**
 * Uploads a batch's tokens into the stack (queue writes only), with what the host works out
 * from them so the training step needs no dispatch for it: the encoder's ids (the source
 * reversed within each length, when reverse_source) and both layer-0 embedding backwards' buckets.
 */
export function setStackBatch(s: LstmStack, batch: Batch, name: string): void {
  const { B, S, T } = s.dims;
  if (batch.B !== B || batch.S !== S || batch.T !== T) {
    throw new RangeError(`${name}.setBatch: the model was recorded for B=${B}, S=${S}, T=${T}, but the batch is B=${batch.B}, S=${batch.S}, T=${batch.T}.`);
  }
  s.gpu.upload(s.src, batch.src);
  s.gpu.upload(s.lengths, batch.srcLengths);
  // The sequence kernels run only as many steps as the batch's longest source and target.
  s.gpu.upload(s.liveSrc, Int32Array.of(Math.max(0, ...batch.srcLengths)));
  s.gpu.upload(s.liveTgt, Int32Array.of(Math.max(0, ...batch.tgtLengths)));
  s.gpu.upload(s.tgt, batch.tgt);
  s.gpu.upload(s.decIn, batch.decIn);
  const encIds = s.config.reverse_source ? reverseWithinLengths(batch.src, batch.srcLengths, S, B) : batch.src;
  if (s.config.reverse_source) s.gpu.upload(s.srcRev, encIds);
  s.gpu.upload(s.embScratch[0], embeddingBuckets(encIds, s.dims.V));
  s.gpu.upload(s.embScratch[1], embeddingBuckets(batch.decIn, s.dims.V));
}
