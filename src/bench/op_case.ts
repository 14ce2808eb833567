// What a per-op benchmark case of `seq2seq bench` is: inputs built from seeded data, the op's
// dispatches, and the float64 reference of every output, so src/bench/ops.ts can check the
// op before it times it. Sizes come from a model config (B batch, H hidden, E embedding,
// V vocabulary, T = max_length + 1 target steps, R = B·T rows).
import type { Config } from '../config/config.ts';
import { view, type View } from '../gpu/buffers.ts';
import type { Gpu } from '../gpu/context.ts';
import type { Dispatch } from '../gpu/program.ts';
import { lstmParamShapes } from '../reference/lstm_model.ts';
import { seeded } from './timing.ts';

export interface OpDims {
  B: number;
  H: number;
  E: number;
  V: number;
  T: number;
  /** Parameters of a 1-layer lstm of these sizes (what Adam and the gradient norm sweep). */
  params: number;
}

export function opDims(c: Config): OpDims {
  const d = { V: c.vocab_size, E: c.embedding_size, H: c.hidden_size, L: 1 };
  const params = lstmParamShapes(d).reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
  return { B: c.batch_size, H: c.hidden_size, E: c.embedding_size, V: c.vocab_size, T: c.max_length + 1, params };
}

/** One output of a case and its float64 reference; |gpu − ref| <= atol + rtol·|ref| must hold. */
export interface Expected {
  name: string;
  view: View;
  ref: ArrayLike<number>;
  atol?: number;
  rtol?: number;
}

export interface OpCase {
  op: string;
  /** The sizes, e.g. 'B=64 H=64'. */
  shape: string;
  dispatches: Dispatch[];
  /** Bytes one call must read and write at least; floating-point operations when it computes more than it moves. */
  bytes: number;
  flops?: number;
  /** Writes every input again (the ops update some in place). */
  reset(): void;
  expected: Expected[];
  destroy(): void;
}

/** Buffers of one case: inputs are re-uploaded by reset(), everything is destroyed together. */
export class CaseBuffers {
  private readonly inputs: { view: View; data: Float32Array | Int32Array }[] = [];
  private readonly buffers: GPUBuffer[] = [];
  constructor(private readonly gpu: Gpu) {}

  input(label: string, data: Float32Array | Int32Array): View {
    const v = this.output(label, data.length);
    this.inputs.push({ view: v, data });
    return v;
  }

  output(label: string, n: number): View {
    const b = this.gpu.createBuffer(`bench-op.${label}`, n);
    this.buffers.push(b);
    return view(b);
  }

  reset(): void {
    for (const { view: v, data } of this.inputs) this.gpu.upload(v, data);
  }

  destroy(): void {
    for (const b of this.buffers) this.gpu.destroyBuffer(b);
  }
}

/** n seeded values uniform in [-s, s). */
export const scaled = (n: number, seed: number, s: number) => Float32Array.from(seeded(n, seed), (x) => x * s);
/** Mixed lengths, so masks matter: row b is live at step T/2 iff T/2 < lengths[b]. */
export const lengthsOf = (B: number, T: number) => Int32Array.from({ length: B }, (_, b) => 1 + (b % T));
