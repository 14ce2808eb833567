// The sinusoidal positions case (shaders/positions.wgsl): x·√d + PE in place and its backward
// (the scale), over R = B·T rows of d = E, with rows batch-major (b·T + t) and time-major
// (t·B + b), against src/reference/positions.ts. d is odd in the tests (a last sine column).
import type { Gpu } from '../../gpu/context.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { positionsBackward, positionsForward } from '../../ops/positions.ts';
import * as posRef from '../../reference/positions.ts';
import { CaseBuffers, caseOf, type Expected, type OpCase, type OpDims } from '../case.ts';
import { uniformF32 } from '../random.ts';

export function positionsCase(gpu: Gpu, d: OpDims): OpCase {
  const { B, T, E } = d;
  const R = B * T;
  const bufs = new CaseBuffers(gpu);
  const tableHost = Float32Array.from(posRef.positionTable(T, E));
  const table = bufs.input('table', tableHost);
  const dispatches: Dispatch[] = [];
  const expected: Expected[] = [];
  for (const [layout, div] of [['batch-major', 1], ['time-major', B]] as const) {
    const rows = { R, d: E, P: T, div, scale: Math.sqrt(E) };
    const xHost = uniformF32(R * E, 151 + div);
    const dyHost = uniformF32(R * E, 161 + div);
    const x = bufs.input(`${layout}.x`, xHost);
    const dx = bufs.input(`${layout}.dx`, dyHost);
    dispatches.push(positionsForward(gpu, { ...rows, x, table, label: `check.positions_${layout}` }), positionsBackward(gpu, { ...rows, dx, label: `check.positions_backward_${layout}` }));
    expected.push({ name: `${layout} y`, view: x, ref: posRef.positionsForward(rows, xHost, tableHost) }, { name: `${layout} dx`, view: dx, ref: posRef.positionsBackward(rows, dyHost) });
  }
  return caseOf(bufs, { op: 'positions', shape: `R=${R} d=${E} P=${T}`, dispatches, bytes: 4 * 2 * (4 * R * E + T * E), expected });
}
