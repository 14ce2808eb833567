// Embedding gather and its deterministic gradient. See shaders/embedding.wgsl.
import code from '../../shaders/embedding.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import type { View } from '../gpu/buffers.ts';
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
  const pipeline = gpu.pipelines.get({ name: 'embedding', code, entryPoint: 'embedding_forward', bindings: ['uniform', 'read', 'read', 'storage'], constants: { WG } });
  const params = gpu.uniform([u32(weight.offset), u32(ids.offset), u32(out.offset), u32(ids.length), u32(vocab), u32(dim), u32(0)]);
  return gpu.dispatch(label, pipeline, [params, ids, weight, out], linearWorkgroups(ids.length * dim, WG));
}

export interface EmbeddingBackwardArgs {
  dOut: View; // (R, E)
  ids: View; // (R) i32
  dWeight: View; // (V, E)
  vocab: number; // V
  dim: number; // E
  /** dWeight += … instead of dWeight = … */
  accumulate?: boolean;
  label?: string;
}

/** dWeight[v, :] (+)= Σ_{r: ids[r] = v} dOut[r, :], each (v, e) summed over r in order. */
export function embeddingBackward(gpu: Gpu, args: EmbeddingBackwardArgs): Dispatch {
  const label = args.label ?? 'embedding_backward';
  const { dOut, ids, dWeight, vocab, dim } = args;
  checkCount(label, 'vocab', vocab, 1);
  checkCount(label, 'dim', dim, 1);
  checkShape(label, 'dWeight', dWeight, '(V, E)', [vocab, dim]);
  checkShape(label, 'dOut', dOut, '(R, E)', [ids.length, dim]);
  checkWritableApart(label, [['dWeight', dWeight]], [['ids', ids], ['dOut', dOut]]);
  const pipeline = gpu.pipelines.get({ name: 'embedding', code, entryPoint: 'embedding_backward', bindings: ['uniform', 'read', 'read', 'storage'], constants: { WG } });
  const params = gpu.uniform([u32(dWeight.offset), u32(ids.offset), u32(dOut.offset), u32(ids.length), u32(vocab), u32(dim), u32(args.accumulate ? 1 : 0)]);
  return gpu.dispatch(label, pipeline, [params, ids, dOut, dWeight], linearWorkgroups(vocab * dim, WG));
}
