// One op's check case, shared by the GPU tests, `seq2seq bench` (check before timing) and the
// GPU check: inputs from the one seeded generator (random.ts), the op's dispatches, and the
// float64 reference of every output under the one tolerance rule (compare.ts). Sizes come
// from OpDims (B batch, H hidden, E embedding, V vocabulary, T = max_length + 1 target
// steps, R = B·T rows): tiny and odd in the tests, a model's in bench, larger in the GPU check.
import type { Config } from '../config/config.ts';
import { view, type View } from '../gpu/buffers.ts';
import type { Gpu } from '../gpu/context.ts';
import type { Dispatch } from '../gpu/program.ts';
import { lstmParamShapes } from '../reference/lstm_model.ts';
import { compare, EXACT, F32_TOL, type CheckResult, type Tolerance } from './compare.ts';

export interface OpDims {
  B: number;
  H: number;
  E: number;
  V: number;
  T: number;
  /** Parameters of a 1-layer lstm of these sizes (what Adam and the gradient norm sweep). */
  params: number;
}

export function dimsOf(s: Omit<OpDims, 'params'>): OpDims {
  const params = lstmParamShapes({ V: s.V, E: s.E, H: s.H, L: 1 }).reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
  return { ...s, params };
}

export function opDims(c: Config): OpDims {
  return dimsOf({ B: c.batch_size, H: c.hidden_size, E: c.embedding_size, V: c.vocab_size, T: c.max_length + 1 });
}

/** One output of a case and its float64 reference; F32_TOL unless the case says otherwise. */
export interface Expected {
  name: string;
  view: View;
  ref: ArrayLike<number>;
  atol?: number;
  rtol?: number;
  /** The output holds i32 (token ids), read as integers. */
  i32?: boolean;
}

export interface OpCase {
  op: string;
  /** The sizes, e.g. 'B=64 H=64'. */
  shape: string;
  dispatches: Dispatch[];
  /** Bytes one call must read and write at least; floating-point operations when it computes more than it moves. */
  bytes: number;
  flops?: number;
  /** Writes every input again (the ops update some in place), and the sentinels around every view. */
  reset(): void;
  expected: Expected[];
  /** The elements around every view, read back: they must still hold GUARD_VALUE. */
  guards(): Promise<Float32Array>;
  destroy(): void;
}

/** An op of the kit: its name and how to build its case at some sizes. */
export interface OpKitEntry {
  op: string;
  build(gpu: Gpu, d: OpDims): OpCase;
}

/** Elements of sentinel on each side of every view: a multiple of 4, so the vec4 kernels still apply. */
export const GUARD = 4;
/** What the sentinels hold, and what an output holds before its first run (so an element never written shows). */
export const GUARD_VALUE = -777.25;

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

  /** A view of n elements between GUARD sentinels on each side. */
  output(label: string, n: number): View {
    const b = this.gpu.createBuffer(`check.${label}`, n + 2 * GUARD);
    this.buffers.push(b);
    return view(b, GUARD, n);
  }

  reset(): void {
    for (const b of this.buffers) this.gpu.upload(b, new Float32Array(b.size / 4).fill(GUARD_VALUE));
    for (const { view: v, data } of this.inputs) this.gpu.upload(v, data);
  }

  async guards(): Promise<Float32Array> {
    const whole = await Promise.all(this.buffers.map((b) => this.gpu.read(view(b))));
    return Float32Array.from(whole.flatMap((x) => [...x.subarray(0, GUARD), ...x.subarray(x.length - GUARD)]));
  }

  destroy(): void {
    for (const b of this.buffers) this.gpu.destroyBuffer(b);
  }
}

/** A case over `bufs`: its reset, guards and destroy are the buffers'. */
export function caseOf(bufs: CaseBuffers, c: Omit<OpCase, 'reset' | 'guards' | 'destroy'>): OpCase {
  return { ...c, reset: () => bufs.reset(), guards: () => bufs.guards(), destroy: () => bufs.destroy() };
}

const tolOf = (e: Expected): Tolerance => ({ atol: e.atol ?? F32_TOL.atol, rtol: e.rtol ?? F32_TOL.rtol });

const readOutput = (gpu: Gpu, e: Expected) => (e.i32 ? gpu.readI32(e.view) : gpu.read(e.view));

/**
 * Runs a case from its inputs and compares every output with its reference; then runs it
 * again from the same inputs, which must give the same bits (no float atomics, no races);
 * last, no kernel may have written outside its views.
 */
export async function runCase(gpu: Gpu, c: OpCase): Promise<CheckResult[]> {
  const label = (e: Expected) => `${c.op} (${c.shape}) ${e.name}`;
  c.reset();
  gpu.run(c.dispatches);
  const first = await Promise.all(c.expected.map((e) => readOutput(gpu, e)));
  c.reset();
  gpu.run(c.dispatches);
  const second = await Promise.all(c.expected.map((e) => readOutput(gpu, e)));
  const guards = await c.guards();
  return [
    ...c.expected.flatMap((e, i) => [
      compare(label(e), first[i], e.ref, tolOf(e)),
      compare(`${label(e)} run 2 = run 1`, second[i], first[i], EXACT),
    ]),
    compare(`${c.op} (${c.shape}) sentinels around its views`, guards, new Float32Array(guards.length).fill(GUARD_VALUE), EXACT),
  ];
}

/** Builds, runs and destroys one case. */
export async function checkOp(gpu: Gpu, entry: OpKitEntry, d: OpDims): Promise<CheckResult[]> {
  const c = entry.build(gpu, d);
  try {
    return await runCase(gpu, c);
  } finally {
    c.destroy();
  }
}
