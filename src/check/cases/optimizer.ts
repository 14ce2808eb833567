// The optimizer cases: one Adam step, one SGD step and the global gradient norm with its clip scale over
// the parameters of a 1-layer lstm, against src/reference/optimizer.ts.
import type { Gpu } from '../../gpu/context.ts';
import { adam, gradNorm, sgd } from '../../ops/optimizer.ts';
import { partialCount } from '../../ops/reduce.ts';
import * as optRef from '../../reference/optimizer.ts';
import { CaseBuffers, caseOf, type OpCase, type OpDims } from '../case.ts';
import { uniformF32 } from '../random.ts';

/** One Adam step (step 3, clip scale 0.5) over the parameters of a 1-layer lstm. */
export function adamCase(gpu: Gpu, d: OpDims): OpCase {
  const n = d.params;
  const bufs = new CaseBuffers(gpu);
  const p = uniformF32(n, 61);
  const g = uniformF32(n, 62);
  const m = uniformF32(n, 63, -0.1, 0.1);
  const v = Float32Array.from(uniformF32(n, 64), (x) => x * x * 0.01);
  const views = { params: bufs.input('params', p), grads: bufs.input('grads', g), m: bufs.input('m', m), v: bufs.input('v', v) };
  const stats = bufs.input('stats', Float32Array.of(10, 0.5));
  const h = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  const update = adam(gpu, { ...views, stats, ...h, label: 'check.adam' });
  update.setStep(3);
  const [p64, m64, v64] = [Float64Array.from(p), Float64Array.from(m), Float64Array.from(v)];
  optRef.adamStep(p64, g, m64, v64, 3, 0.5, h);
  return caseOf(bufs, {
    op: 'adam',
    shape: `n=${n}`,
    dispatches: update.dispatches,
    bytes: 4 * 7 * n,
    expected: [
      { name: 'params', view: views.params, ref: p64, atol: 1e-6, rtol: 1e-5 },
      { name: 'm', view: views.m, ref: m64 },
      { name: 'v', view: views.v, ref: v64 },
    ],
  });
}

/** One SGD step (clip scale 0.25) over the parameters of a 1-layer lstm. */
export function sgdCase(gpu: Gpu, d: OpDims): OpCase {
  const n = d.params;
  const bufs = new CaseBuffers(gpu);
  const p = uniformF32(n, 111);
  const g = uniformF32(n, 112, -2, 2);
  const params = bufs.input('params', p);
  const stats = bufs.input('stats', Float32Array.of(20, 0.25));
  const update = sgd(gpu, { params, grads: bufs.input('grads', g), stats, lr: 0.1, label: 'check.sgd' });
  const p64 = Float64Array.from(p);
  optRef.sgdStep(p64, g, 0.1, 0.25);
  return caseOf(bufs, {
    op: 'sgd',
    shape: `n=${n}`,
    dispatches: update.dispatches,
    bytes: 4 * 3 * n,
    expected: [{ name: 'params', view: params, ref: p64, atol: 1e-6, rtol: 1e-5 }],
  });
}

/** The global gradient norm and clip scale over the parameters of a 1-layer lstm: two tree-reduction stages. */
export function gradNormCase(gpu: Gpu, d: OpDims): OpCase {
  const n = d.params;
  const bufs = new CaseBuffers(gpu);
  const gHost = uniformF32(n, 101);
  const stats = bufs.output('stats', 2);
  const dispatches = gradNorm(gpu, { grads: bufs.input('grads', gHost), stats, clipNorm: 5, scratch: bufs.output('partials', partialCount(n)), label: 'check.grad_norm' });
  const r = optRef.gradNorm(gHost, 5);
  return caseOf(bufs, {
    op: 'grad_norm',
    shape: `n=${n}`,
    dispatches,
    bytes: 4 * n,
    expected: [{ name: 'stats', view: stats, ref: [r.norm, r.scale], atol: 1e-6, rtol: 1e-5 }],
  });
}
