// Page side of the kernel-family GPU tests: every tensor lives at an odd offset inside a
// larger buffer whose other elements hold a sentinel; each case's recorded dispatches run
// twice from the same start, and the page returns both results plus whether every
// sentinel survived, for the Node side to compare with the float64 references.
import { Gpu } from '../../../src/gpu/context.ts';
import { view, type View } from '../../../src/gpu/buffers.ts';
import type { Dispatch } from '../../../src/gpu/program.ts';
import { activationBackward, activationForward, type Nonlinearity } from '../../../src/ops/activation.ts';
import { columnSum } from '../../../src/ops/reduce.ts';
import { embeddingBackward, embeddingBackwardScratch, embeddingForward } from '../../../src/ops/embedding.ts';
import { argmax, crossEntropy } from '../../../src/ops/cross_entropy.ts';
import { adam, gradNorm, sgd } from '../../../src/ops/optimizer.ts';
import { reverseSequences } from '../../../src/ops/sequence.ts';

const PAD = 3;
const SENTINEL = -777.25;

type Data = number[];
type Kind = 'f32' | 'i32';

/** A tensor at element offset PAD of its own buffer, surrounded by sentinels. */
export class Tensor {
  readonly view: View;
  constructor(
    private readonly gpu: Gpu,
    label: string,
    readonly length: number,
    readonly kind: Kind = 'f32',
  ) {
    this.view = view(gpu.createBuffer(label, length + 2 * PAD), PAD, length);
  }

  /** Writes the sentinels and `data` (zeros when omitted). */
  set(data?: Data): void {
    const whole = this.kind === 'f32' ? new Float32Array(this.length + 2 * PAD) : new Int32Array(this.length + 2 * PAD);
    whole.fill(this.kind === 'f32' ? SENTINEL : -777);
    whole.fill(0, PAD, PAD + this.length);
    if (data) whole.set(data, PAD);
    this.gpu.upload(this.view.buffer, whole);
  }

  async get(): Promise<{ data: number[]; guardsIntact: boolean }> {
    const whole = view(this.view.buffer);
    const all = this.kind === 'f32' ? await this.gpu.read(whole) : await this.gpu.readI32(whole);
    const guard = this.kind === 'f32' ? SENTINEL : -777;
    let guardsIntact = true;
    for (let i = 0; i < all.length; i++) if ((i < PAD || i >= PAD + this.length) && all[i] !== guard) guardsIntact = false;
    return { data: Array.from(all.subarray(PAD, PAD + this.length)), guardsIntact };
  }
}

export interface Outputs {
  [name: string]: { data: number[]; guardsIntact: boolean };
}

export async function withGpu<T>(body: (gpu: Gpu) => Promise<T>): Promise<T> {
  const gpu = await Gpu.create();
  try {
    const result = await body(gpu);
    gpu.check();
    return result;
  } finally {
    gpu.destroy();
  }
}

/** Runs `work` twice, each time after `reset`, and reads `outputs` after each run. */
export async function twice(gpu: Gpu, reset: () => void, work: Dispatch[], outputs: Record<string, Tensor>): Promise<Outputs[]> {
  const runs: Outputs[] = [];
  for (let k = 0; k < 2; k++) {
    reset();
    gpu.run(work);
    const out: Outputs = {};
    for (const [name, t] of Object.entries(outputs)) out[name] = await t.get();
    runs.push(out);
  }
  return runs;
}

// ---- activation -------------------------------------------------------------------

export interface ActivationCase {
  act: Nonlinearity;
  x: Data;
  dy: Data;
  dxPrev: Data;
}

/** Out-of-place and in-place forward; backward out of place, accumulating, and in place over dy. */
export async function activations(cases: ActivationCase[]): Promise<Outputs[][]> {
  return withGpu(async (gpu) => {
    const results: Outputs[][] = [];
    for (const c of cases) {
      const n = c.x.length;
      const t = (label: string) => new Tensor(gpu, label, n);
      const [x, y, yIn, dy, dx, dxAcc, dIn] = ['x', 'y', 'y-inplace', 'dy', 'dx', 'dx-acc', 'dy-inplace'].map(t);
      const work = [
        activationForward(gpu, { act: c.act, x: x.view, y: y.view }),
        activationForward(gpu, { act: c.act, x: yIn.view }),
        activationBackward(gpu, { act: c.act, y: y.view, dy: dy.view, dx: dx.view }),
        activationBackward(gpu, { act: c.act, y: y.view, dy: dy.view, dx: dxAcc.view, accumulate: true }),
        activationBackward(gpu, { act: c.act, y: y.view, dy: dIn.view }),
      ];
      const reset = () => {
        x.set(c.x);
        y.set();
        yIn.set(c.x);
        dy.set(c.dy);
        dx.set();
        dxAcc.set(c.dxPrev);
        dIn.set(c.dy);
      };
      results.push(await twice(gpu, reset, work, { y, yInplace: yIn, dx, dxAcc, dxInplace: dIn }));
    }
    return results;
  });
}

// ---- embedding --------------------------------------------------------------------

export interface EmbeddingCase {
  vocab: number;
  dim: number;
  weight: Data;
  ids: Data;
  dOut: Data;
  dWPrev: Data;
}

export async function embeddings(cases: EmbeddingCase[]): Promise<Outputs[][]> {
  return withGpu(async (gpu) => {
    const results: Outputs[][] = [];
    for (const c of cases) {
      const R = c.ids.length;
      const weight = new Tensor(gpu, 'weight', c.vocab * c.dim);
      const ids = new Tensor(gpu, 'ids', R, 'i32');
      const out = new Tensor(gpu, 'out', R * c.dim);
      const dOut = new Tensor(gpu, 'dOut', R * c.dim);
      const dW = new Tensor(gpu, 'dW', c.vocab * c.dim);
      const dWAcc = new Tensor(gpu, 'dW-acc', c.vocab * c.dim);
      const scratch = new Tensor(gpu, 'scratch', embeddingBackwardScratch(c.vocab, R), 'i32');
      const args = { ids: ids.view, vocab: c.vocab, dim: c.dim };
      const work = [
        embeddingForward(gpu, { ...args, weight: weight.view, out: out.view }),
        ...embeddingBackward(gpu, { ...args, dOut: dOut.view, dWeight: dW.view, scratch: scratch.view }),
        ...embeddingBackward(gpu, { ...args, dOut: dOut.view, dWeight: dWAcc.view, accumulate: true }),
      ];
      const reset = () => {
        weight.set(c.weight);
        ids.set(c.ids);
        out.set(Array(R * c.dim).fill(5));
        dOut.set(c.dOut);
        dW.set(Array(c.vocab * c.dim).fill(5));
        dWAcc.set(c.dWPrev);
        scratch.set();
      };
      results.push(await twice(gpu, reset, work, { out, dW, dWAcc, scratch }));
    }
    return results;
  });
}

// ---- cross-entropy and argmax -----------------------------------------------------

export interface CrossEntropyCase {
  rows: number;
  vocab: number;
  logits: Data;
  targets: Data;
  smoothing?: number;
}

export async function crossEntropies(cases: CrossEntropyCase[]): Promise<Outputs[][]> {
  return withGpu(async (gpu) => {
    const results: Outputs[][] = [];
    for (const c of cases) {
      const logits = new Tensor(gpu, 'logits', c.rows * c.vocab);
      const targets = new Tensor(gpu, 'targets', c.rows, 'i32');
      const dLogits = new Tensor(gpu, 'dLogits', c.rows * c.vocab);
      const loss = new Tensor(gpu, 'loss', 1);
      const scratch = new Tensor(gpu, 'scratch', c.rows + 1);
      const work = crossEntropy(gpu, {
        logits: logits.view,
        targets: targets.view,
        dLogits: dLogits.view,
        loss: loss.view,
        scratch: scratch.view,
        rows: c.rows,
        vocab: c.vocab,
        smoothing: c.smoothing,
      });
      const reset = () => {
        logits.set(c.logits);
        targets.set(c.targets);
        dLogits.set(Array(c.rows * c.vocab).fill(3));
        loss.set([3]);
        scratch.set(Array(c.rows + 1).fill(3));
      };
      results.push(await twice(gpu, reset, work, { dLogits, loss, scratch }));
    }
    return results;
  });
}

export async function argmaxes(cases: { rows: number; cols: number; x: Data }[]): Promise<Outputs[][]> {
  return withGpu(async (gpu) => {
    const results: Outputs[][] = [];
    for (const c of cases) {
      const x = new Tensor(gpu, 'x', c.rows * c.cols);
      const out = new Tensor(gpu, 'out', c.rows, 'i32');
      const work = [argmax(gpu, { x: x.view, out: out.view, rows: c.rows, cols: c.cols })];
      results.push(await twice(gpu, () => (x.set(c.x), out.set(Array(c.rows).fill(-1))), work, { out }));
    }
    return results;
  });
}

// ---- optimizer --------------------------------------------------------------------

export interface GradNormCase {
  grads: Data;
  clipNorm: number;
}

export async function gradNorms(cases: GradNormCase[]): Promise<Outputs[][]> {
  return withGpu(async (gpu) => {
    const results: Outputs[][] = [];
    for (const c of cases) {
      const grads = new Tensor(gpu, 'grads', c.grads.length);
      const stats = new Tensor(gpu, 'stats', 2);
      const work = gradNorm(gpu, { grads: grads.view, stats: stats.view, clipNorm: c.clipNorm });
      results.push(await twice(gpu, () => (grads.set(c.grads), stats.set([7, 7])), work, { stats }));
    }
    return results;
  });
}

export interface OptimizerRun {
  optimizer: 'adam' | 'sgd';
  params: Data;
  /** One gradient per step. */
  grads: Data[];
  clipNorm: number;
  lr: number;
  /** Without gradNorm: the update reads its own unit stats. */
  noClipping?: boolean;
}

/** Several steps of gradNorm + update in one recorded program; each step one submit. */
export async function optimizerRuns(cases: OptimizerRun[]): Promise<{ runs: Outputs[]; stats: number[][] }[]> {
  return withGpu(async (gpu) => {
    const results: { runs: Outputs[]; stats: number[][] }[] = [];
    for (const c of cases) {
      const n = c.params.length;
      const params = new Tensor(gpu, 'params', n);
      const grads = new Tensor(gpu, 'grads', n);
      const m = new Tensor(gpu, 'm', n);
      const v = new Tensor(gpu, 'v', n);
      const stats = new Tensor(gpu, 'stats', 2);
      const statsView = c.noClipping ? undefined : stats.view;
      const norm = c.noClipping ? [] : gradNorm(gpu, { grads: grads.view, stats: stats.view, clipNorm: c.clipNorm });
      const update =
        c.optimizer === 'adam'
          ? adam(gpu, { params: params.view, grads: grads.view, m: m.view, v: v.view, stats: statsView, lr: c.lr })
          : { ...sgd(gpu, { params: params.view, grads: grads.view, stats: statsView, lr: c.lr }), setStep: (_: number) => undefined };
      const work = [...norm, ...update.dispatches];
      const runs: Outputs[] = [];
      const statsSeen: number[][] = [];
      for (let k = 0; k < 2; k++) {
        params.set(c.params);
        m.set();
        v.set();
        stats.set([0, 1]);
        for (let step = 1; step <= c.grads.length; step++) {
          grads.set(c.grads[step - 1]);
          update.setStep(step);
          gpu.run(work);
          if (k === 0) statsSeen.push((await stats.get()).data);
        }
        runs.push({ params: await params.get(), m: await m.get(), v: await v.get() });
      }
      results.push({ runs, stats: statsSeen });
    }
    return results;
  });
}

// ---- builder validation -----------------------------------------------------------

/** The messages of builders given wrong shapes or aliased outputs. */
export async function shapeErrors(): Promise<string[]> {
  return withGpu(async (gpu) => {
    const a = view(gpu.createBuffer('a', 64));
    const b = view(gpu.createBuffer('b', 64));
    const attempts: (() => unknown)[] = [
      () => columnSum(gpu, { dy: view(a.buffer, 0, 14), db: view(b.buffer, 0, 5), rows: 3, cols: 5 }),
      () => activationBackward(gpu, { act: 'tanh', y: view(a.buffer, 0, 4), dy: view(a.buffer, 8, 4), dx: view(a.buffer, 16, 4) }),
      () => embeddingForward(gpu, { weight: view(a.buffer, 0, 12), ids: view(b.buffer, 0, 2), out: view(b.buffer, 8, 8), vocab: 4, dim: 3 }),
      () => crossEntropy(gpu, { logits: view(a.buffer, 0, 12), targets: view(b.buffer, 0, 3), dLogits: view(b.buffer, 4, 12), loss: view(b.buffer, 20, 1), rows: 3, vocab: 4 }),
      () => adam(gpu, { params: view(a.buffer, 0, 4), grads: view(b.buffer, 0, 4), m: view(a.buffer, 8, 4), v: view(b.buffer, 8, 4), lr: 1e-3 }),
      () => reverseSequences(gpu, { tokens: view(a.buffer, 0, 6), lengths: view(b.buffer, 0, 3), out: view(b.buffer, 8, 6), steps: 3, batch: 2 }),
      () => activationForward(gpu, { act: 'gelu' as Nonlinearity, x: a }),
    ];
    return attempts.map((f) => {
      try {
        f();
        return 'no error';
      } catch (err) {
        return (err as Error).message;
      }
    });
  });
}
