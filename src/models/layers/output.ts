// The `output` Linear (H → V) and the mean softmax cross-entropy over R = T·B rows, forward
// and backward, plus the per-step logits and argmax of greedy decoding. Shared by `lstm` and `attn`.
import { slice, view, type View } from '../../gpu/buffers.ts';
import type { Gpu } from '../../gpu/context.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { argmax, crossEntropy } from '../../ops/cross_entropy.ts';
import { matmul } from '../../ops/matmul.ts';
import { columnSum } from '../../ops/reduce.ts';
import type { Allocate, Arena } from './lstm_stack.ts';

export interface OutputLayer {
  gpu: Gpu;
  arena: Arena;
  R: number;
  H: number;
  V: number;
  /** (R, V) logits and their gradient. */
  logits: View;
  dLogits: View;
  /** (1) mean cross-entropy. */
  loss: View;
  /** (R + 1) per-row losses, then the count. */
  scratch: View;
  /** Label smoothing ε of the loss (config label_smoothing). */
  smoothing: number;
}

export function createOutputLayer(gpu: Gpu, arena: Arena, R: number, H: number, V: number, buf: Allocate, smoothing = 0): OutputLayer {
  return { gpu, arena, R, H, V, smoothing, logits: view(buf('logits', R * V)), dLogits: view(buf('dLogits', R * V)), loss: view(buf('loss', 1)), scratch: view(buf('ceScratch', R + 1)) };
}

const P = (o: OutputLayer, name: string) => o.arena.layout.viewOf(o.arena.params, name);
const Gr = (o: OutputLayer, name: string) => o.arena.layout.viewOf(o.arena.grads, name);

/** logits = h·Wᵀ + b, then the loss and dLogits against targets.  h (R, H), targets (R) i32 */
export function outputForward(o: OutputLayer, h: View, targets: View): Dispatch[] {
  const { gpu, R, H, V } = o;
  return [
    matmul(gpu, { a: h, b: P(o, 'output.weight'), bias: P(o, 'output.bias'), c: o.logits, M: R, N: V, K: H, transB: true, label: 'output' }),
    crossEntropy(gpu, { logits: o.logits, targets, dLogits: o.dLogits, loss: o.loss, rows: R, vocab: V, smoothing: o.smoothing, scratch: o.scratch, label: 'cross_entropy' }),
  ].flat();
}

/**
 * dH (R, H) = dLogits·W; the output weight and bias gradients.  h (R, H) the forward input.
 * `tanhOf` (R, H) (h = tanh(x), as attn's h̃, or h a dropout of it): dH is the gradient of x
 * instead, dLogits·W ⊙ (1 − tanhOf²).
 */
export function outputBackward(o: OutputLayer, h: View, dH: View, opts: { tanhOf?: View } = {}): Dispatch[] {
  const { gpu, R, H, V } = o;
  return [
    matmul(gpu, { a: o.dLogits, b: P(o, 'output.weight'), c: dH, M: R, N: H, K: V, tanhGradOf: opts.tanhOf, label: 'output.dH' }),
    matmul(gpu, { a: o.dLogits, b: h, c: Gr(o, 'output.weight'), M: V, N: H, K: R, transA: true, label: 'output.dW' }),
    columnSum(gpu, { dy: o.dLogits, db: Gr(o, 'output.bias'), rows: R, cols: V, label: 'output.db' }),
  ];
}

/** Greedy step t: logits of h (B, H) into the first B rows, then their argmax into `tokens` (B) i32. */
export function outputArgmax(o: OutputLayer, h: View, tokens: View, B: number, t: number): Dispatch[] {
  const { gpu, H, V } = o;
  const stepLogits = slice(o.logits, 0, B * V); // (B, V)
  return [
    matmul(gpu, { a: h, b: P(o, 'output.weight'), bias: P(o, 'output.bias'), c: stepLogits, M: B, N: V, K: H, transB: true, label: `decode.t${t}.output` }),
    argmax(gpu, { x: stepLogits, out: tokens, rows: B, cols: V, label: `decode.t${t}.argmax` }),
  ];
}
