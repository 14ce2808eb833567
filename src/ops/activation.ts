// Elementwise relu / tanh / sigmoid, forward (in place or out of place) and backward from
// the forward output: dx (+)= dy * act'(y). See shaders/activation.wgsl.
import code from '../../shaders/activation.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import type { View } from '../gpu/buffers.ts';
import { linearWorkgroups, type Dispatch } from '../gpu/program.ts';
import { u32 } from '../gpu/uniforms.ts';
import type { Nonlinearity } from '../reference/activation.ts';
import { checkShape, checkWritableApart } from './view_checks.ts';

export type { Nonlinearity } from '../reference/activation.ts';

// Elementwise: 256 invocations per workgroup measured faster than 64 on SwiftShader.
const WG = 256;
const ACT_CODE: Record<Nonlinearity, number> = { relu: 0, tanh: 1, sigmoid: 2 };

function actCode(label: string, act: Nonlinearity): number {
  const c = ACT_CODE[act];
  if (c === undefined) throw new Error(`${label}: unknown activation '${act}' (use relu, tanh or sigmoid).`);
  return c;
}

export interface ActivationForwardArgs {
  act: Nonlinearity;
  x: View; // (n)
  /** (n); omitted or the very same view as x: in place. */
  y?: View;
  label?: string;
}

/** y = act(x), in place when y is omitted or equals x.  x, y: (n) */
export function activationForward(gpu: Gpu, args: ActivationForwardArgs): Dispatch {
  const label = args.label ?? `${args.act}_forward`;
  const { x } = args;
  const y = args.y ?? x;
  const constants = { WG, ACT: actCode(label, args.act) };
  checkShape(label, 'y', y, '(n)', [x.length]);
  const inPlace = y.buffer === x.buffer && y.offset === x.offset;
  if (inPlace) {
    const pipeline = gpu.pipelines.get({ name: 'activation', code, entryPoint: 'activation_forward_inplace', bindings: ['uniform', 'storage'], constants });
    const params = gpu.uniform([u32(0), u32(y.offset), u32(y.length)]);
    return gpu.dispatch(label, pipeline, [params, y], linearWorkgroups(y.length, WG));
  }
  checkWritableApart(label, [['y', y]], [['x', x]]);
  const pipeline = gpu.pipelines.get({ name: 'activation', code, entryPoint: 'activation_forward', bindings: ['uniform', 'read', 'storage'], constants });
  const params = gpu.uniform([u32(x.offset), u32(y.offset), u32(x.length)]);
  return gpu.dispatch(label, pipeline, [params, x, y], linearWorkgroups(x.length, WG));
}

export interface ActivationBackwardArgs {
  act: Nonlinearity;
  /** The forward output. (n) */
  y: View;
  dy: View; // (n)
  /** (n); omitted or the very same view as dy: dy is overwritten with dx. */
  dx?: View;
  /** dx += dy * act'(y) instead of dx = …; not allowed in place. */
  accumulate?: boolean;
  label?: string;
}

/** dx (+)= dy * act'(y).  y, dy, dx: (n) */
export function activationBackward(gpu: Gpu, args: ActivationBackwardArgs): Dispatch {
  const label = args.label ?? `${args.act}_backward`;
  const { y, dy } = args;
  const dx = args.dx ?? dy;
  const accumulate = args.accumulate ?? false;
  const constants = { WG, ACT: actCode(label, args.act) };
  checkShape(label, 'dy', dy, '(n)', [y.length]);
  checkShape(label, 'dx', dx, '(n)', [y.length]);
  const inPlace = dx.buffer === dy.buffer && dx.offset === dy.offset;
  if (inPlace) {
    if (accumulate) throw new Error(`${label}: accumulate needs a dx apart from dy.`);
    checkWritableApart(label, [['dx (in place over dy)', dx]], [['y', y]]);
    const pipeline = gpu.pipelines.get({ name: 'activation', code, entryPoint: 'activation_backward_inplace', bindings: ['uniform', 'read', 'storage'], constants });
    const params = gpu.uniform([u32(y.offset), u32(dy.offset), u32(dx.offset), u32(y.length), u32(0)]);
    return gpu.dispatch(label, pipeline, [params, y, dx], linearWorkgroups(y.length, WG));
  }
  checkWritableApart(label, [['dx', dx]], [['y', y], ['dy', dy]]);
  const pipeline = gpu.pipelines.get({ name: 'activation', code, entryPoint: 'activation_backward', bindings: ['uniform', 'read', 'read', 'storage'], constants });
  const params = gpu.uniform([u32(y.offset), u32(dy.offset), u32(dx.offset), u32(y.length), u32(accumulate ? 1 : 0)]);
  return gpu.dispatch(label, pipeline, [params, y, dy, dx], linearWorkgroups(y.length, WG));
}
