// The activation case: relu, tanh and sigmoid over (R = B·T, H) values, forward out of place
// and backward accumulating into a dx that holds something already, against
// src/reference/activation.ts. x has a kink (0) and saturating values (±30) up front.
import type { Gpu } from '../../gpu/context.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { activationBackward, activationForward } from '../../ops/activation.ts';
import * as actRef from '../../reference/activation.ts';
import { CaseBuffers, caseOf, type Expected, type OpCase, type OpDims } from '../case.ts';
import { uniformF32 } from '../random.ts';

export function activationCase(gpu: Gpu, d: OpDims): OpCase {
  const n = d.B * d.T * d.H;
  const bufs = new CaseBuffers(gpu);
  const x = uniformF32(n, 121, -4, 4);
  x.set([0, 30, -30].slice(0, n));
  const dy = uniformF32(n, 122);
  const dxPrev = uniformF32(n, 123);
  const dispatches: Dispatch[] = [];
  const expected: Expected[] = [];
  for (const act of actRef.ACTIVATIONS) {
    // The backward reads its own input y (the forward output rounded to float32), not the forward's.
    const yHost = Float32Array.from(actRef.activationForward(act, x));
    const y = bufs.output(`${act}.y`, n);
    const dx = bufs.input(`${act}.dx`, dxPrev);
    dispatches.push(
      activationForward(gpu, { act, x: bufs.input(`${act}.x`, x), y, label: `check.${act}_forward` }),
      activationBackward(gpu, { act, y: bufs.input(`${act}.y_in`, yHost), dy: bufs.input(`${act}.dy`, dy), dx, accumulate: true, label: `check.${act}_backward` }),
    );
    expected.push({ name: `${act} y`, view: y, ref: actRef.activationForward(act, x) }, { name: `${act} dx`, view: dx, ref: actRef.activationBackward(act, yHost, dy, dxPrev) });
  }
  return caseOf(bufs, { op: 'activation', shape: `n=${n}`, dispatches, bytes: 4 * 3 * 6 * n, expected });
}
