// Per-op benchmark cases of the other training kernels: softmax cross-entropy, Adam, the
// embedding gather and its scatter-add gradient, and the reductions (bias-gradient column
// sums, the global gradient norm), each with its float64 reference.
import type { Gpu } from '../gpu/context.ts';
import { crossEntropy } from '../ops/cross_entropy.ts';
import { embeddingBackward, embeddingBackwardScratch, embeddingForward } from '../ops/embedding.ts';
import { adam, gradNorm } from '../ops/optimizer.ts';
import { columnSum, partialCount } from '../ops/reduce.ts';
import * as ceRef from '../reference/cross_entropy.ts';
import * as embRef from '../reference/embedding.ts';
import * as optRef from '../reference/optimizer.ts';
import * as reduceRef from '../reference/reduce.ts';
import { CaseBuffers, scaled, type OpCase, type OpDims } from './op_case.ts';
import { seeded } from './timing.ts';

/** Token ids in [0, V) for R rows; every seventh is PAD (0). */
function idsOf(R: number, V: number, seed: number): Int32Array {
  return Int32Array.from(seeded(R, seed), (x, r) => (r % 7 === 0 ? 0 : Math.min(V - 1, Math.floor(((x + 1) / 2) * V))));
}

/** Mean softmax cross-entropy over the non-PAD rows of (R, V) logits and its gradient: three dispatches. */
export function crossEntropyCase(gpu: Gpu, d: OpDims): OpCase {
  const R = d.B * d.T;
  const V = d.V;
  const bufs = new CaseBuffers(gpu);
  const logitsHost = scaled(R * V, 51, 3);
  const targetsHost = idsOf(R, V, 52);
  const logits = bufs.input('logits', logitsHost);
  const targets = bufs.input('targets', targetsHost);
  const dLogits = bufs.output('dlogits', R * V);
  const loss = bufs.output('loss', 1);
  const dispatches = crossEntropy(gpu, { logits, targets, dLogits, loss, rows: R, vocab: V, scratch: bufs.output('scratch', R + 1), label: 'bench.cross_entropy' });
  return {
    op: 'cross_entropy',
    shape: `R=${R} V=${V}`,
    dispatches,
    bytes: 4 * (2 * R * V + 2 * R),
    reset: () => bufs.reset(),
    expected: [
      { name: 'loss', view: loss, ref: [ceRef.crossEntropyForward(logitsHost, targetsHost, R, V).loss] },
      { name: 'dLogits', view: dLogits, ref: ceRef.crossEntropyBackward(logitsHost, targetsHost, R, V) },
    ],
    destroy: () => bufs.destroy(),
  };
}

/** One Adam step (step 3, clip scale 0.5) over the parameters of a 1-layer lstm. */
export function adamCase(gpu: Gpu, d: OpDims): OpCase {
  const n = d.params;
  const bufs = new CaseBuffers(gpu);
  const p = seeded(n, 61);
  const g = seeded(n, 62);
  const m = scaled(n, 63, 0.1);
  const v = Float32Array.from(seeded(n, 64), (x) => x * x * 0.01);
  const views = { params: bufs.input('params', p), grads: bufs.input('grads', g), m: bufs.input('m', m), v: bufs.input('v', v) };
  const stats = bufs.input('stats', Float32Array.of(10, 0.5));
  const h = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  const update = adam(gpu, { ...views, stats, ...h, label: 'bench.adam' });
  update.setStep(3);
  const [p64, m64, v64] = [Float64Array.from(p), Float64Array.from(m), Float64Array.from(v)];
  optRef.adamStep(p64, g, m64, v64, 3, 0.5, h);
  return {
    op: 'adam',
    shape: `n=${n}`,
    dispatches: update.dispatches,
    bytes: 4 * 7 * n,
    reset: () => bufs.reset(),
    expected: [
      { name: 'params', view: views.params, ref: p64, atol: 1e-6, rtol: 1e-5 },
      { name: 'm', view: views.m, ref: m64 },
      { name: 'v', view: views.v, ref: v64 },
    ],
    destroy: () => bufs.destroy(),
  };
}

/** The embedding gather of the source tokens: (R = B·T, E) rows of a (V, E) table. */
export function embeddingGatherCase(gpu: Gpu, d: OpDims): OpCase {
  const R = d.B * d.T;
  const { V, E } = d;
  const bufs = new CaseBuffers(gpu);
  const wHost = seeded(V * E, 71);
  const idsHost = idsOf(R, V, 72);
  const out = bufs.output('out', R * E);
  const dispatch = embeddingForward(gpu, { weight: bufs.input('weight', wHost), ids: bufs.input('ids', idsHost), out, vocab: V, dim: E, label: 'bench.embedding_gather' });
  return {
    op: 'embedding_gather',
    shape: `R=${R} V=${V} E=${E}`,
    dispatches: [dispatch],
    bytes: 4 * (2 * R * E + R),
    reset: () => bufs.reset(),
    expected: [{ name: 'out', view: out, ref: embRef.embeddingForward(wHost, idsHost, V, E), atol: 0, rtol: 0 }],
    destroy: () => bufs.destroy(),
  };
}

/** Its gradient: each table row sums the rows of its tokens in order (four dispatches, no atomics). */
export function embeddingScatterCase(gpu: Gpu, d: OpDims): OpCase {
  const R = d.B * d.T;
  const { V, E } = d;
  const bufs = new CaseBuffers(gpu);
  const dOutHost = seeded(R * E, 81);
  const idsHost = idsOf(R, V, 82);
  const dWeight = bufs.output('dweight', V * E);
  const dispatches = embeddingBackward(gpu, { dOut: bufs.input('dout', dOutHost), ids: bufs.input('ids', idsHost), dWeight, vocab: V, dim: E, scratch: bufs.output('scratch', embeddingBackwardScratch(V, R)), label: 'bench.embedding_scatter' });
  return {
    op: 'embedding_scatter',
    shape: `R=${R} V=${V} E=${E}`,
    dispatches,
    bytes: 4 * (R * E + V * E + 2 * R),
    reset: () => bufs.reset(),
    expected: [{ name: 'dWeight', view: dWeight, ref: embRef.embeddingBackward(dOutHost, idsHost, V, E) }],
    destroy: () => bufs.destroy(),
  };
}

/** The output bias gradient: column sums of (R, V), each column summed in row order. */
export function columnSumCase(gpu: Gpu, d: OpDims): OpCase {
  const R = d.B * d.T;
  const V = d.V;
  const bufs = new CaseBuffers(gpu);
  const dyHost = seeded(R * V, 91);
  const db = bufs.output('db', V);
  const dispatch = columnSum(gpu, { dy: bufs.input('dy', dyHost), db, rows: R, cols: V, label: 'bench.column_sum' });
  return {
    op: 'column_sum',
    shape: `R=${R} V=${V}`,
    dispatches: [dispatch],
    bytes: 4 * (R * V + V),
    reset: () => bufs.reset(),
    expected: [{ name: 'db', view: db, ref: reduceRef.columnSum(dyHost, R, V), atol: 1e-4, rtol: 1e-4 }],
    destroy: () => bufs.destroy(),
  };
}

/** The global gradient norm and clip scale over the parameters of a 1-layer lstm: two tree-reduction stages. */
export function gradNormCase(gpu: Gpu, d: OpDims): OpCase {
  const n = d.params;
  const bufs = new CaseBuffers(gpu);
  const gHost = seeded(n, 101);
  const stats = bufs.output('stats', 2);
  const dispatches = gradNorm(gpu, { grads: bufs.input('grads', gHost), stats, clipNorm: 5, scratch: bufs.output('partials', partialCount(n)), label: 'bench.grad_norm' });
  const r = optRef.gradNorm(gHost, 5);
  return {
    op: 'grad_norm',
    shape: `n=${n}`,
    dispatches,
    bytes: 4 * n,
    reset: () => bufs.reset(),
    expected: [{ name: 'stats', view: stats, ref: [r.norm, r.scale], atol: 1e-6, rtol: 1e-5 }],
    destroy: () => bufs.destroy(),
  };
}
