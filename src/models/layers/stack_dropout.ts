// Dropout of the LSTM stack models (`lstm`, `attn`) in training, at Joey NMT's places
// (specs/lstm.ts LstmDropoutSite): the embedded inputs of both modules, the input of every
// stacked layer k ≥ 1, and what the output layer reads. Inverted dropout (ops/dropout), its
// mask a hash of (seed, step, site, index); the backward recomputes it. Only the training
// step records these; decoding and beam search never do.
//
// With dropout, layer 0 cannot fold its embedding into the (V, G) table P (lstm_layer.ts): it
// gathers the embeddings into X0, drops them, and projects them with W_ih like a layer k ≥ 1.
//
// Letters: B batch, S source length, T = S + 1, E embedding, H hidden.
import type { Config } from '../../config/config.ts';
import { slice, view, type View } from '../../gpu/buffers.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { dropout } from '../../ops/dropout.ts';
import { lstmDropoutId, type LstmDropoutSite } from '../../specs/lstm.ts';
import type { Allocate, LstmStack } from './lstm_stack.ts';

export interface StackDropout {
  p: number;
  seed: number;
  /** (1) u32 the training step, written by the model's setStep. */
  step: View;
  /** (S + T, B, E) the embedded inputs after dropout, encoder rows then decoder rows, and their gradient. */
  x0: View;
  dX0: View;
  /** Per layer k ≥ 1: (S + T, B, H) its input after dropout (null for k = 0). */
  xs: (View | null)[];
  /** (T·B, H) what the output layer reads after dropout. */
  top: View;
}

/** The dropout buffers of a stack of these sizes, or nothing when config.dropout is 0. */
export function createStackDropout(config: Config, d: { E: number; H: number; L: number; B: number; S: number; T: number }, buf: Allocate): StackDropout | undefined {
  if (config.dropout === 0) return undefined;
  const { E, H, L, B, S, T } = d;
  return {
    p: config.dropout,
    seed: config.seed,
    step: view(buf('dropout.step', 1)),
    x0: view(buf('dropout.x0', (S + T) * B * E)),
    dX0: view(buf('dropout.dX0', (S + T) * B * E)),
    xs: Array.from({ length: L }, (_, k) => (k === 0 ? null : view(buf(`dropout.x${k}`, (S + T) * B * H)))),
    top: view(buf('dropout.top', T * B * H)),
  };
}

/** y = drop(x) at `site` (in place when y is omitted); also its backward on a gradient. */
export function dropSite(s: LstmStack, site: LstmDropoutSite, x: View, y?: View, label: string = site): Dispatch {
  const d = s.drop!;
  return dropout(s.gpu, { p: d.p, seed: d.seed, step: d.step, tensor: lstmDropoutId(site), x, y, label });
}

/** (n·B, W) rows from row r of layer k's dropped input (k = 0: X0), and of its gradient (k = 0 only). */
export function droppedRows(s: LstmStack, k: number, r: number, n: number): View {
  const { B, E, H } = s.dims;
  return k === 0 ? slice(s.drop!.x0, r * B * E, n * B * E) : slice(s.drop!.xs[k]!, r * B * H, n * B * H);
}
export const dX0Rows = (s: LstmStack, r: number, n: number) => slice(s.drop!.dX0, r * s.dims.B * s.dims.E, n * s.dims.B * s.dims.E);

/** The output layer's input (R, H) in training: x itself, or x dropped, with the dispatches for both directions. */
export function outputInput(s: LstmStack, x: View): { y: View; forward: Dispatch[]; backward: (dY: View) => Dispatch[] } {
  if (!s.drop) return { y: x, forward: [], backward: () => [] };
  const y = slice(s.drop.top, 0, x.length);
  return { y, forward: [dropSite(s, 'output.dropout', x, y)], backward: (dY) => [dropSite(s, 'output.dropout', dY, undefined, 'output.dropout.backward')] };
}
