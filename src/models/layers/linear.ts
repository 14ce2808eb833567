// Linear layers (PyTorch nn.Linear: weight (O, I), bias (O)) recorded over R rows of
// activations: forward with an optional ReLU, the input gradient, and the parameter
// gradients over every row at once. The `blog` model's MLPs are stacks of three.
import type { View } from '../../gpu/buffers.ts';
import type { Gpu } from '../../gpu/context.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { activationBackward } from '../../ops/activation.ts';
import { matmul } from '../../ops/matmul.ts';
import { columnSum } from '../../ops/reduce.ts';
import type { Arena } from './lstm_stack.ts';

/** The layer named `name` (its tensors `${name}.weight`, `${name}.bias` in the arena), I → O. */
export interface Linear {
  gpu: Gpu;
  arena: Arena;
  name: string;
  I: number;
  O: number;
}

export function linearOf(gpu: Gpu, arena: Arena, name: string): Linear {
  const [O, I] = arena.layout.get(`${name}.weight`).shape;
  return { gpu, arena, name, I, O };
}

/** The three Linear layers of a seed MLP (`${mlp}.0`, `.2`, `.4`; ReLUs between, as nn.Sequential numbers them). */
export function mlpOf(gpu: Gpu, arena: Arena, mlp: string): [Linear, Linear, Linear] {
  return [linearOf(gpu, arena, `${mlp}.0`), linearOf(gpu, arena, `${mlp}.2`), linearOf(gpu, arena, `${mlp}.4`)];
}

const param = (l: Linear, what: 'weight' | 'bias') => l.arena.layout.viewOf(l.arena.params, `${l.name}.${what}`);
const grad = (l: Linear, what: 'weight' | 'bias') => l.arena.layout.viewOf(l.arena.grads, `${l.name}.${what}`);

/** out (R, O) = act(x (R, I) · Wᵀ + b). */
export function linearForward(l: Linear, x: View, out: View, R: number, relu: boolean, tag = ''): Dispatch {
  return matmul(l.gpu, { a: x, b: param(l, 'weight'), bias: param(l, 'bias'), c: out, M: R, N: l.O, K: l.I, transB: true, activation: relu ? 'relu' : 'none', label: `${l.name}.forward${tag}` });
}

/** dx (R, I) (+)= dz (R, O) · W. */
export function linearInputGrad(l: Linear, dz: View, dx: View, R: number, accumulate: boolean, tag = ''): Dispatch {
  return matmul(l.gpu, { a: dz, b: param(l, 'weight'), c: dx, M: R, N: l.I, K: l.O, accumulate, label: `${l.name}.dx${tag}` });
}

/** dW (O, I) = dzᵀ · x and db (O) = Σ_rows dz, over all R rows at once. */
export function linearParamGrads(l: Linear, dz: View, x: View, R: number): Dispatch[] {
  return [
    matmul(l.gpu, { a: dz, b: x, c: grad(l, 'weight'), M: l.O, N: l.I, K: R, transA: true, label: `${l.name}.dW` }),
    columnSum(l.gpu, { dy: dz, db: grad(l, 'bias'), rows: R, cols: l.O, label: `${l.name}.db` }),
  ];
}

/** dy := dy ⊙ [y > 0], in place: back through the ReLU whose output was y. */
export function reluBackward(gpu: Gpu, y: View, dy: View, label: string): Dispatch {
  return activationBackward(gpu, { act: 'relu', y, dy, label });
}

/**
 * Back through a whole MLP over R rows whose output gradient is `dOut` (R, O): each layer's
 * parameter gradients, then its input gradient and the ReLU below it, last layer first.
 * `acts`: the forward's a1 (R, O₀) and a2 (R, O₁); `x`: its input; `da2`, `da1` receive the
 * inner gradients; `dx`: the input's gradient (R, I). `dropBack`: when the forward dropped a1
 * and a2 in place after their ReLUs, the dispatches that take da1 and da2 back through those
 * drops before the ReLU backward (the dropped a1, a2 gate the ReLU as the mask and the ReLU together).
 */
export function mlpBackward(
  m: [Linear, Linear, Linear],
  o: { dOut: View; x: View; a1: View; a2: View; da1: View; da2: View; dx: View; R: number; prefix: string; dropBack?: readonly [Dispatch[], Dispatch[]] },
): Dispatch[] {
  const gpu = m[0].gpu;
  const { R } = o;
  const [back1, back2] = o.dropBack ?? [[], []];
  return [
    ...linearParamGrads(m[2], o.dOut, o.a2, R),
    linearInputGrad(m[2], o.dOut, o.da2, R, false),
    ...back2,
    reluBackward(gpu, o.a2, o.da2, `${o.prefix}.a2.relu_backward`),
    ...linearParamGrads(m[1], o.da2, o.a1, R),
    linearInputGrad(m[1], o.da2, o.da1, R, false),
    ...back1,
    reluBackward(gpu, o.a1, o.da1, `${o.prefix}.a1.relu_backward`),
    ...linearParamGrads(m[0], o.da1, o.x, R),
    linearInputGrad(m[0], o.da1, o.dx, R, false),
  ];
}
