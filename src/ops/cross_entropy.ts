// Fused softmax cross-entropy (mean over non-PAD targets, forward and backward in one
// pass over the logits) and greedy argmax. See shaders/cross_entropy.wgsl.
import body from '../../shaders/cross_entropy.wgsl?raw';
import treeSum from '../../shaders/tree_sum.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import { view, type View } from '../gpu/buffers.ts';
import { linearWorkgroups, type Dispatch } from '../gpu/program.ts';
import { f32, u32 } from '../gpu/uniforms.ts';
import { checkCount, checkShape, checkWritableApart } from './view_checks.ts';

// WGSL has no includes: the shared tree reduction is appended.
const code = `${body}\n${treeSum}`;

const WG = 64;
const RWG = 256;

export interface CrossEntropyArgs {
  logits: View; // (R, V)
  targets: View; // (R) i32, PAD = 0 ignored
  dLogits: View; // (R, V), a buffer apart from logits
  loss: View; // (1): mean loss over counted rows
  rows: number; // R
  vocab: number; // V
  /** PyTorch's label_smoothing ε in [0, 1] (default 0: the plain one-hot target). */
  smoothing?: number;
  /** (R + 1): per-row losses, then the count of non-PAD targets; a buffer is created when omitted. */
  scratch?: View;
  label?: string;
}

/**
 * Three dispatches: count the non-PAD targets (one workgroup), then per row the loss and
 * dLogits = (softmax - q) / count, q the (smoothed) target (0 on ignored rows), then the mean loss (one
 * workgroup, fixed order). After them scratch[R] holds the count.
 */
export function crossEntropy(gpu: Gpu, args: CrossEntropyArgs): Dispatch[] {
  const label = args.label ?? 'cross_entropy';
  const { logits, targets, dLogits, loss, rows, vocab } = args;
  checkCount(label, 'rows', rows, 1);
  checkCount(label, 'vocab', vocab, 1);
  const smoothing = args.smoothing ?? 0;
  if (!(smoothing >= 0 && smoothing <= 1)) throw new RangeError(`${label}: smoothing must be a number from 0 to 1, got ${smoothing}.`);
  checkShape(label, 'logits', logits, '(R, V)', [rows, vocab]);
  checkShape(label, 'targets', targets, '(R)', [rows]);
  checkShape(label, 'dLogits', dLogits, '(R, V)', [rows, vocab]);
  checkShape(label, 'loss', loss, '(1)', [1]);
  const scratch = args.scratch ?? view(gpu.createBuffer(`${label}.scratch`, rows + 1));
  checkShape(label, 'scratch', scratch, '(R + 1)', [rows + 1]);
  checkWritableApart(label, [['dLogits', dLogits], ['scratch', scratch], ['loss', loss]], [['logits', logits], ['targets', targets]]);
  const params = gpu.uniform([u32(logits.offset), u32(targets.offset), u32(dLogits.offset), u32(scratch.offset), u32(loss.offset), u32(rows), u32(vocab), f32(smoothing)]);
  const pipe = (entryPoint: string, bindings: ('read' | 'storage')[], constants: Record<string, number>) =>
    gpu.pipelines.get({ name: 'cross_entropy', code, entryPoint, bindings: ['uniform', ...bindings], constants });
  return [
    gpu.dispatch(`${label}.count`, pipe('cross_entropy_count', ['read', 'storage'], { RWG }), [params, targets, scratch], [1, 1, 1]),
    gpu.dispatch(
      `${label}.forward`,
      pipe('cross_entropy_forward', ['read', 'read', 'storage', 'storage'], { WG }),
      [params, logits, targets, dLogits, scratch],
      linearWorkgroups(rows, WG),
    ),
    gpu.dispatch(`${label}.mean`, pipe('cross_entropy_mean', ['read', 'storage'], { RWG }), [params, scratch, loss], [1, 1, 1]),
  ];
}

export interface ArgmaxArgs {
  x: View; // (R, V)
  out: View; // (R) i32
  rows: number; // R
  cols: number; // V
  label?: string;
}

/** out[r] = argmax_j x[r, j], the lowest j on ties.  x: (R, V), out: (R) i32 */
export function argmax(gpu: Gpu, args: ArgmaxArgs): Dispatch {
  const label = args.label ?? 'argmax';
  const { x, out, rows, cols } = args;
  checkCount(label, 'rows', rows, 0);
  checkCount(label, 'cols', cols, 1);
  checkShape(label, 'x', x, '(R, V)', [rows, cols]);
  checkShape(label, 'out', out, '(R)', [rows]);
  checkWritableApart(label, [['out', out]], [['x', x]]);
  const pipeline = gpu.pipelines.get({ name: 'cross_entropy', code, entryPoint: 'argmax', bindings: ['uniform', 'read', 'storage'], constants: { WG } });
  const params = gpu.uniform([u32(x.offset), u32(out.offset), u32(rows), u32(cols)]);
  return gpu.dispatch(label, pipeline, [params, x, out], linearWorkgroups(rows, WG));
}
