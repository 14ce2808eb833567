// The layer norm case (shaders/layer_norm.wgsl): the forward over (R = B·T, D = E) rows, saving
// each row's mean and rstd, then the backward twice, writing dx and accumulating into a dx that
// holds something already, against src/reference/layer_norm.ts. D = E is 1 in the tests' smallest
// sizes (x̂ is 0) and past one workgroup in their largest.
import type { Gpu } from '../../gpu/context.ts';
import { layerNormBackward, layerNormForward } from '../../ops/layer_norm.ts';
import * as lnRef from '../../reference/layer_norm.ts';
import { CaseBuffers, caseOf, type OpCase, type OpDims } from '../case.ts';
import { uniformF32 } from '../random.ts';

/** Gradients go through rstd, which float32 rounds a few times over. */
const GRAD_TOL = { atol: 1e-4, rtol: 1e-4 };

export function layerNormCase(gpu: Gpu, d: OpDims): OpCase {
  const R = d.B * d.T;
  const D = d.E;
  const bufs = new CaseBuffers(gpu);
  const xHost = uniformF32(R * D, 131, -3, 3);
  const gammaHost = uniformF32(D, 132, 0.5, 1.5);
  const betaHost = uniformF32(D, 133);
  const dyHost = uniformF32(R * D, 134);
  const dxPrevHost = uniformF32(R * D, 135);
  const x = bufs.input('x', xHost);
  const gamma = bufs.input('gamma', gammaHost);
  const [y, stats, dx, dGamma, dBeta] = [bufs.output('y', R * D), bufs.output('stats', 2 * R), bufs.output('dx', R * D), bufs.output('dgamma', D), bufs.output('dbeta', D)];
  const dxAcc = bufs.input('dx_acc', dxPrevHost);
  const common = { R, D, x, gamma, stats, dy: bufs.input('dy', dyHost), dGamma, dBeta, label: 'check.layer_norm_backward' };
  const dispatches = [
    layerNormForward(gpu, { R, D, x, gamma, beta: bufs.input('beta', betaHost), y, stats, label: 'check.layer_norm' }),
    ...layerNormBackward(gpu, { ...common, dx }),
    ...layerNormBackward(gpu, { ...common, dx: dxAcc, accumulate: true }),
  ];
  const fwd = lnRef.layerNormForward(xHost, gammaHost, betaHost, R, D);
  const g = lnRef.layerNormBackward(xHost, gammaHost, fwd.mean, fwd.rstd, dyHost, R, D);
  return caseOf(bufs, {
    op: 'layer_norm',
    shape: `R=${R} D=${D}`,
    dispatches,
    bytes: 4 * (2 * R * D + 2 * R + 2 * (4 * R * D + 2 * D)),
    expected: [
      { name: 'y', view: y, ref: fwd.y },
      { name: 'stats (mean, rstd)', view: stats, ref: Float64Array.from({ length: 2 * R }, (_, i) => (i % 2 === 0 ? fwd.mean : fwd.rstd)[i >> 1]) },
      { name: 'dx', view: dx, ref: g.dx, ...GRAD_TOL },
      { name: 'dx accumulated', view: dxAcc, ref: g.dx.map((v, i) => v + dxPrevHost[i]), ...GRAD_TOL },
      { name: 'dGamma', view: dGamma, ref: g.dGamma, ...GRAD_TOL },
      { name: 'dBeta', view: dBeta, ref: g.dBeta, ...GRAD_TOL },
    ],
  });
}
