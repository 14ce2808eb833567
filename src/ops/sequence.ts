// Per-sequence reversal of time-major tokens (the paper's reversed source). See shaders/sequence.wgsl.
import code from '../../shaders/sequence.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import type { View } from '../gpu/buffers.ts';
import { linearWorkgroups, type Dispatch } from '../gpu/program.ts';
import { u32 } from '../gpu/uniforms.ts';
import { checkCount, checkShape, checkWritableApart } from './view_checks.ts';

const WG = 64;

export interface ReverseSequencesArgs {
  tokens: View; // (S, B) i32
  lengths: View; // (B) i32, clamped to [0, S] on the GPU
  out: View; // (S, B) i32, a buffer apart from tokens and lengths
  steps: number; // S
  batch: number; // B
  label?: string;
}

/** out[t, b] = tokens[len_b - 1 - t, b] for t < len_b, else PAD (0). */
export function reverseSequences(gpu: Gpu, args: ReverseSequencesArgs): Dispatch {
  const label = args.label ?? 'reverse_sequences';
  const { tokens, lengths, out, steps, batch } = args;
  checkCount(label, 'steps', steps, 0);
  checkCount(label, 'batch', batch, 0);
  checkShape(label, 'tokens', tokens, '(S, B)', [steps, batch]);
  checkShape(label, 'lengths', lengths, '(B)', [batch]);
  checkShape(label, 'out', out, '(S, B)', [steps, batch]);
  checkWritableApart(label, [['out', out]], [['tokens', tokens], ['lengths', lengths]]);
  const pipeline = gpu.pipelines.get({ name: 'sequence', code, entryPoint: 'reverse_sequences', bindings: ['uniform', 'read', 'read', 'storage'], constants: { WG } });
  const params = gpu.uniform([u32(tokens.offset), u32(lengths.offset), u32(out.offset), u32(steps), u32(batch)]);
  return gpu.dispatch(label, pipeline, [params, tokens, lengths, out], linearWorkgroups(steps * batch, WG));
}
