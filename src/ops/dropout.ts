// Inverted dropout whose mask is a counter-based hash of (seed, step, tensor id, index): the
// backward is the same dispatch over the gradient. See shaders/dropout.wgsl; float64
// reference: src/reference/dropout.ts.
import code from '../../shaders/dropout.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import type { View } from '../gpu/buffers.ts';
import { linearWorkgroups, type Dispatch } from '../gpu/program.ts';
import { f32, u32 } from '../gpu/uniforms.ts';
import { dropoutScale, dropoutThreshold, seedWords } from '../reference/dropout.ts';
import { checkCount, checkShape, checkWritableApart } from './view_checks.ts';

// Elementwise, as ops/activation.
const WG = 256;

export interface DropoutArgs {
  /** Probability of dropping, in [0, 1). */
  p: number;
  seed: number;
  /** Distinguishes the model's dropout sites: each gets its own mask. */
  tensor: number;
  /** (1) u32: the training step, rewritten before each submit. */
  step: View;
  x: View; // (n)
  /** (n) in a buffer apart from x; omitted or the very same view as x: in place. */
  y?: View;
  label?: string;
}

/** The uniform fields of the mask's key (threshold, scale, seed words, tensor id), checked. */
function keyFields(label: string, a: Omit<DropoutArgs, 'x'>) {
  const threshold = dropoutThreshold(a.p);
  const [lo, hi] = seedWords(a.seed);
  checkCount(label, 'tensor', a.tensor, 0);
  checkShape(label, 'step', a.step, '(1)', [1]);
  return [u32(threshold), f32(dropoutScale(a.p)), u32(lo), u32(hi), u32(a.tensor)];
}

/** y = mask ⊙ x / (1 − p); also the backward, dx = mask ⊙ dy / (1 − p), with the forward's key. */
export function dropout(gpu: Gpu, a: DropoutArgs): Dispatch {
  const label = a.label ?? 'dropout';
  const { x } = a;
  const y = a.y ?? x;
  checkShape(label, 'y', y, '(n)', [x.length]);
  const inPlace = y.buffer === x.buffer && y.offset === x.offset;
  const tail = keyFields(label, a);
  const params = gpu.uniform([u32(x.length), u32(x.offset), u32(y.offset), u32(a.step.offset), ...tail, u32(0)]);
  if (inPlace) {
    checkWritableApart(label, [['x', x]], [['step', a.step]]);
    const pipeline = gpu.pipelines.get({ name: 'dropout', code, entryPoint: 'dropout_inplace', bindings: ['uniform', 'read', 'storage'], constants: { WG } });
    return gpu.dispatch(label, pipeline, [params, a.step, x], linearWorkgroups(x.length, WG));
  }
  checkWritableApart(label, [['y', y]], [['x', x], ['step', a.step]]);
  const pipeline = gpu.pipelines.get({ name: 'dropout', code, entryPoint: 'dropout', bindings: ['uniform', 'read', 'read', 'storage'], constants: { WG } });
  return gpu.dispatch(label, pipeline, [params, a.step, x, y], linearWorkgroups(x.length, WG));
}

export interface DropoutResidualArgs extends Omit<DropoutArgs, 'y'> {
  res: View; // (n) the skip path
  out: View; // (n) in a buffer apart from x and res
}

/** out = res + mask ⊙ x / (1 − p): a residual branch x joining its skip path. */
export function dropoutResidual(gpu: Gpu, a: DropoutResidualArgs): Dispatch {
  const label = a.label ?? 'dropout_residual';
  const tail = keyFields(label, a);
  checkShape(label, 'res', a.res, '(n)', [a.x.length]);
  checkShape(label, 'out', a.out, '(n)', [a.x.length]);
  checkWritableApart(label, [['out', a.out]], [['x', a.x], ['res', a.res], ['step', a.step]]);
  const params = gpu.uniform([u32(a.x.length), u32(a.x.offset), u32(a.out.offset), u32(a.step.offset), ...tail, u32(a.res.offset)]);
  const pipeline = gpu.pipelines.get({ name: 'dropout', code, entryPoint: 'dropout_residual', bindings: ['uniform', 'read', 'read', 'read', 'storage'], constants: { WG } });
  return gpu.dispatch(label, pipeline, [params, a.step, a.res, a.x, a.out], linearWorkgroups(a.x.length, WG));
}
