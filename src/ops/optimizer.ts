// Global gradient norm with clipping, Adam and SGD over whole arenas. See shaders/optimizer.wgsl.
//
// The stats buffer: stats[0] = global gradient norm, stats[1] = clip scale, written by
// gradNorm and read by adam / sgd (g = grad · scale), so clipping costs no host round trip.
//
// The Adam step number lives in Adam's uniform slot: the caller calls setStep(t) before
// submitting step t (a queue.writeBuffer, seen by the next submit). The host computes the
// bias corrections in float64, and resuming a run needs nothing but the step number. One
// submit can therefore hold one Adam step; record several adam() builders to batch more.
import body from '../../shaders/optimizer.wgsl?raw';
import treeSum from '../../shaders/tree_sum.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import { view, type View } from '../gpu/buffers.ts';
import { linearWorkgroups, type Dispatch } from '../gpu/program.ts';
import { f32, u32, type UniformField } from '../gpu/uniforms.ts';
import { partialCount, RWG, sumOfSquaresPartials } from './reduce.ts';
import { checkShape, checkWritableApart } from './view_checks.ts';

// WGSL has no includes: the shared tree reduction is appended.
const code = `${body}\n${treeSum}`;

// Elementwise: 256 invocations per workgroup measured faster than 64 on SwiftShader.
const WG = 256;
/** Elements of a stats view: [norm, scale]. */
export const STATS_LENGTH = 2;

function checkStats(label: string, stats: View): void {
  checkShape(label, 'stats', stats, '(2) [norm, scale]', [STATS_LENGTH]);
}

function checkPositive(label: string, name: string, value: number, allowZero = false): void {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`${label}: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${value}.`);
  }
}

/** A stats view holding [norm 0, scale 1], for updates that run without gradNorm. */
function unitStats(gpu: Gpu, label: string): View {
  const stats = view(gpu.createBuffer(`${label}.stats`, STATS_LENGTH));
  gpu.upload(stats, Float32Array.of(0, 1));
  return stats;
}

export interface GradNormArgs {
  grads: View; // (n), e.g. a whole gradient arena
  stats: View; // (2): [norm, scale] written here
  /** Clip to this global norm; 0 = no clipping (scale 1). */
  clipNorm: number;
  /** (partialCount(n)) partial sums of squares; a buffer is created when omitted. */
  scratch?: View;
  label?: string;
}

/** stats = [‖grads‖₂, min(1, clipNorm / (‖grads‖₂ + 1e-6))], in two fixed-order stages. */
export function gradNorm(gpu: Gpu, args: GradNormArgs): Dispatch[] {
  const label = args.label ?? 'grad_norm';
  const { grads, stats, clipNorm } = args;
  checkStats(label, stats);
  checkPositive(label, 'clipNorm', clipNorm, true);
  const partials = args.scratch ?? view(gpu.createBuffer(`${label}.partials`, partialCount(grads.length)));
  checkWritableApart(label, [['stats', stats]], [['scratch', partials]]);
  const first = sumOfSquaresPartials(gpu, { x: grads, partials, label: `${label}.partial` });
  const pipeline = gpu.pipelines.get({ name: 'optimizer', code, entryPoint: 'grad_norm_finalize', bindings: ['uniform', 'read', 'storage'], constants: { RWG } });
  const params = gpu.uniform([u32(partials.offset), u32(partials.length), u32(stats.offset), f32(clipNorm)]);
  return [first, gpu.dispatch(`${label}.finalize`, pipeline, [params, partials, stats], [1, 1, 1])];
}

export interface AdamArgs {
  params: View; // (n)
  grads: View; // (n)
  m: View; // (n) first moments, zero at the start
  v: View; // (n) second moments, zero at the start
  /** (2) from gradNorm; omitted: no clipping. */
  stats?: View;
  lr: number;
  beta1?: number; // 0.9
  beta2?: number; // 0.999
  eps?: number; // 1e-8
  label?: string;
}

export interface AdamUpdate {
  dispatches: Dispatch[];
  /** Sets the 1-based step number the next submit applies. */
  setStep(step: number): void;
  setLr(lr: number): void;
}

/** One dispatch of PyTorch's Adam with g = grads · stats[1]; step 1 until setStep is called. */
export function adam(gpu: Gpu, args: AdamArgs): AdamUpdate {
  const label = args.label ?? 'adam';
  const { params, grads, m, v } = args;
  const beta1 = args.beta1 ?? 0.9;
  const beta2 = args.beta2 ?? 0.999;
  const eps = args.eps ?? 1e-8;
  let lr = args.lr;
  checkPositive(label, 'lr', lr, true);
  if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new RangeError(`${label}: beta1 and beta2 must lie in [0, 1), got ${beta1} and ${beta2}.`);
  checkPositive(label, 'eps', eps);
  const n = params.length;
  checkShape(label, 'grads', grads, '(n)', [n]);
  checkShape(label, 'm', m, '(n)', [n]);
  checkShape(label, 'v', v, '(n)', [n]);
  const stats = args.stats ?? unitStats(gpu, label);
  checkStats(label, stats);
  checkWritableApart(label, [['params', params], ['m', m], ['v', v]], [['grads', grads], ['stats', stats]]);

  let step = 1;
  const fields = (): UniformField[] => [
    u32(params.offset),
    u32(grads.offset),
    u32(m.offset),
    u32(v.offset),
    u32(stats.offset),
    u32(n),
    f32(lr / (1 - beta1 ** step)),
    f32(1 / Math.sqrt(1 - beta2 ** step)),
    f32(beta1),
    f32(beta2),
    f32(eps),
  ];
  const slot = gpu.uniform(fields());
  const pipeline = gpu.pipelines.get({
    name: 'optimizer',
    code,
    entryPoint: 'adam_step',
    bindings: ['uniform', 'storage', 'read', 'storage', 'storage', 'read'],
    constants: { WG },
  });
  const dispatch = gpu.dispatch(label, pipeline, [slot, params, grads, m, v, stats], linearWorkgroups(n, WG));
  return {
    dispatches: [dispatch],
    setStep(next: number) {
      if (!Number.isInteger(next) || next < 1) throw new RangeError(`${label}: the step must be an integer >= 1, got ${next}.`);
      step = next;
      slot.write(fields());
    },
    setLr(next: number) {
      checkPositive(label, 'lr', next, true);
      lr = next;
      slot.write(fields());
    },
  };
}

export interface SgdArgs {
  params: View; // (n)
  grads: View; // (n)
  /** (2) from gradNorm; omitted: no clipping. */
  stats?: View;
  lr: number;
  label?: string;
}

export interface SgdUpdate {
  dispatches: Dispatch[];
  setLr(lr: number): void;
}

/** params -= lr · grads · stats[1]. */
export function sgd(gpu: Gpu, args: SgdArgs): SgdUpdate {
  const label = args.label ?? 'sgd';
  const { params, grads } = args;
  let lr = args.lr;
  checkPositive(label, 'lr', lr, true);
  checkShape(label, 'grads', grads, '(n)', [params.length]);
  const stats = args.stats ?? unitStats(gpu, label);
  checkStats(label, stats);
  checkWritableApart(label, [['params', params]], [['grads', grads], ['stats', stats]]);
  const fields = (): UniformField[] => [u32(params.offset), u32(grads.offset), u32(stats.offset), u32(params.length), f32(lr)];
  const slot = gpu.uniform(fields());
  const pipeline = gpu.pipelines.get({ name: 'optimizer', code, entryPoint: 'sgd_step', bindings: ['uniform', 'storage', 'read', 'read'], constants: { WG } });
  const dispatch = gpu.dispatch(label, pipeline, [slot, params, grads, stats], linearWorkgroups(params.length, WG));
  return {
    dispatches: [dispatch],
    setLr(next: number) {
      checkPositive(label, 'lr', next, true);
      lr = next;
      slot.write(fields());
    },
  };
}
