// Embedding gather and its deterministic gradient. See shaders/embedding.wgsl.
import code from '../../shaders/embedding.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import { view, type View } from '../gpu/buffers.ts';
import { linearWorkgroups, type Dispatch } from '../gpu/program.ts';
import { u32 } from '../gpu/uniforms.ts';
import { checkCount, checkShape, checkWritableApart } from './view_checks.ts';

const WG = 64;

export interface EmbeddingForwardArgs {
  weight: View; // (V, E)
  ids: View; // (R) i32
  out: View; // (R, E)
  vocab: number; // V
  dim: number; // E
  label?: string;
}

/** out[r, :] = weight[ids[r], :]; an id outside [0, V) gathers zeros.  R = ids.length */
export function embeddingForward(gpu: Gpu, args: EmbeddingForwardArgs): Dispatch {
  const label = args.label ?? 'embedding_forward';
  const { weight, ids, out, vocab, dim } = args;
  checkCount(label, 'vocab', vocab, 1);
  checkCount(label, 'dim', dim, 1);
  checkShape(label, 'weight', weight, '(V, E)', [vocab, dim]);
  checkShape(label, 'out', out, '(R, E)', [ids.length, dim]);
  checkWritableApart(label, [['out', out]], [['ids', ids], ['weight', weight]]);
  // Rows of a multiple of 4 go 4 elements per invocation (fewer invocations is what pays).
  const quads = dim % 4 === 0;
  const entryPoint = quads ? 'embedding_forward4' : 'embedding_forward';
  const pipeline = gpu.pipelines.get({ name: 'embedding', code, entryPoint, bindings: ['uniform', 'read', 'read', 'storage'], constants: { WG } });
  const params = gpu.uniform([u32(weight.offset), u32(ids.offset), u32(out.offset), u32(ids.length), u32(vocab), u32(dim)]);
  return gpu.dispatch(label, pipeline, [params, ids, weight, out], linearWorkgroups((ids.length * dim) / (quads ? 4 : 1), WG));
}

export interface EmbeddingBackwardArgs {
  dOut: View; // (R, E)
  ids: View; // (R) i32
  dWeight: View; // (V, E)
  vocab: number; // V
  dim: number; // E
  /** dWeight += … instead of dWeight = … */
  accumulate?: boolean;
  /** (embeddingBackwardScratch(V, R)) u32 bookkeeping; a buffer is created when omitted. */
  scratch?: View;
  label?: string;
}

/** Elements of the embedding backward's scratch: counts (V), offsets (V + 1), rows (R). */
export function embeddingBackwardScratch(vocab: number, rows: number): number {
  return 2 * vocab + 1 + rows;
}

/**
 * dWeight[v, :] (+)= Σ_{r: ids[r] = v} dOut[r, :], each (v, e) summing its rows r in
 * ascending order: four dispatches (count, offsets, bucket the rows by id, sum).
 */
export function embeddingBackward(gpu: Gpu, args: EmbeddingBackwardArgs): Dispatch[] {
  const label = args.label ?? 'embedding_backward';
  const { dOut, ids, dWeight, vocab, dim } = args;
  checkCount(label, 'vocab', vocab, 1);
  checkCount(label, 'dim', dim, 1);
  checkShape(label, 'dWeight', dWeight, '(V, E)', [vocab, dim]);
  checkShape(label, 'dOut', dOut, '(R, E)', [ids.length, dim]);
  const scratch = args.scratch ?? view(gpu.createBuffer(`${label}.scratch`, embeddingBackwardScratch(vocab, ids.length)));
  checkShape(label, 'scratch', scratch, '(2V + 1 + R)', [embeddingBackwardScratch(vocab, ids.length)]);
  checkWritableApart(label, [['dWeight', dWeight], ['scratch', scratch]], [['ids', ids], ['dOut', dOut]]);
  const pipe = (entryPoint: string, bindings: ('read' | 'storage')[]) =>
    gpu.pipelines.get({ name: 'embedding', code, entryPoint, bindings: ['uniform', ...bindings], constants: entryPoint === 'embedding_offsets' ? {} : { WG } });
  const index = gpu.uniform([u32(0), u32(ids.offset), u32(scratch.offset), u32(ids.length), u32(vocab), u32(dim)]);
  return [
    gpu.dispatch(`${label}.count`, pipe('embedding_count', ['read', 'storage']), [index, ids, scratch], linearWorkgroups(vocab, WG)),
    gpu.dispatch(`${label}.offsets`, pipe('embedding_offsets', ['read', 'storage']), [index, ids, scratch], [1, 1, 1]),
    gpu.dispatch(`${label}.bucket`, pipe('embedding_bucket', ['read', 'storage']), [index, ids, scratch], linearWorkgroups(vocab, WG)),
    embeddingBucketSum(gpu, { ...args, scratch, label: `${label}.sum` }),
  ];
}

/**
 * The last of embeddingBackward's dispatches alone, for a scratch already holding the buckets
 * of the ids (src/ops/host_tokens.ts embeddingBuckets, uploaded with the batch).
 */
export function embeddingBucketSum(gpu: Gpu, args: Omit<EmbeddingBackwardArgs, 'ids'> & { scratch: View }): Dispatch {
  const label = args.label ?? 'embedding_bucket_sum';
  const { dOut, dWeight, vocab, dim, scratch } = args;
  checkCount(label, 'vocab', vocab, 1);
  checkCount(label, 'dim', dim, 1);
  checkShape(label, 'dWeight', dWeight, '(V, E)', [vocab, dim]);
  const R = dOut.length / dim;
  if (!Number.isInteger(R)) throw new RangeError(`${label}: dOut has ${dOut.length} elements, not a whole number of rows of ${dim}.`);
  checkShape(label, 'scratch', scratch, '(2V + 1 + R)', [embeddingBackwardScratch(vocab, R)]);
  checkWritableApart(label, [['dWeight', dWeight]], [['scratch', scratch], ['dOut', dOut]]);
  const pipeline = gpu.pipelines.get({ name: 'embedding', code, entryPoint: 'embedding_backward', bindings: ['uniform', 'read', 'read', 'storage'], constants: { WG } });
  const sum = gpu.uniform([u32(dWeight.offset), u32(dOut.offset), u32(scratch.offset), u32(vocab), u32(dim), u32(args.accumulate ? 1 : 0)]);
  return gpu.dispatch(label, pipeline, [sum, scratch, dOut, dWeight], linearWorkgroups(vocab * dim, WG));
}
