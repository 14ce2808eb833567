// The dropout case (shaders/dropout.wgsl) over the (R = B·T, H) values of one site: out of
// place, in place and joining a residual, each with its own key, against the exact mask of
// src/reference/dropout.ts. The mask is integer hashing, so outputs are exact.
import { slice } from '../../gpu/buffers.ts';
import type { Gpu } from '../../gpu/context.ts';
import { dropout, dropoutResidual } from '../../ops/dropout.ts';
import { dropoutForward, type DropoutKey } from '../../reference/dropout.ts';
import { CaseBuffers, caseOf, type OpCase, type OpDims } from '../case.ts';
import { EXACT } from '../compare.ts';
import { uniformF32 } from '../random.ts';

/** A plain key; a seed past 2^32 with most elements dropped; p 0, the identity. */
const KEYS: DropoutKey[] = [
  { p: 0.3, seed: 7, step: 12, tensor: 5 },
  { p: 0.9, seed: 2 ** 40 + 3, step: 0, tensor: 0 },
  { p: 0, seed: 1, step: 1, tensor: 1 },
];

export function dropoutCase(gpu: Gpu, d: OpDims): OpCase {
  const n = d.B * d.T * d.H;
  const bufs = new CaseBuffers(gpu);
  const xHost = uniformF32(n, 141);
  const resHost = uniformF32(n, 142);
  const steps = bufs.input('steps', Int32Array.from(KEYS, (k) => k.step));
  const keyOf = (i: number) => ({ p: KEYS[i].p, seed: KEYS[i].seed, tensor: KEYS[i].tensor, step: slice(steps, i, 1) });
  const x = bufs.input('x', xHost);
  const y = bufs.output('y', n);
  const sum = bufs.output('sum', n);
  const inPlace = [1, 2].map((i) => bufs.input(`in_place${i}`, xHost));
  const dispatches = [
    dropout(gpu, { ...keyOf(0), x, y, label: 'check.dropout' }),
    dropoutResidual(gpu, { ...keyOf(0), x, res: bufs.input('res', resHost), out: sum, label: 'check.dropout_residual' }),
    ...inPlace.map((v, k) => dropout(gpu, { ...keyOf(k + 1), x: v, label: 'check.dropout_in_place' })),
  ];
  const f32 = (xs: ArrayLike<number>) => Float32Array.from(xs);
  const want = KEYS.map((k) => f32(dropoutForward(k, xHost)));
  return caseOf(bufs, {
    op: 'dropout',
    shape: `n=${n}`,
    dispatches,
    bytes: 4 * 9 * n,
    expected: [
      { name: `y (p ${KEYS[0].p})`, view: y, ref: want[0], ...EXACT },
      { name: 'res + dropout(x)', view: sum, ref: f32(want[0].map((v, i) => resHost[i] + v)), ...EXACT },
      ...inPlace.map((v, k) => ({ name: `in place (p ${KEYS[k + 1].p})`, view: v, ref: want[k + 1], ...EXACT })),
    ],
  });
}
