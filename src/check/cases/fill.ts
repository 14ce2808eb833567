// fill and copy (shaders/fill.wgsl), the clearing and state moves of a recorded step, over
// n = B·T·H elements: from a handful to several 64-wide workgroups, the last one partial.
// Exact: every element written once with the value or its source, none past the view.
import type { Gpu } from '../../gpu/context.ts';
import { copy, fill } from '../../ops/fill.ts';
import { CaseBuffers, caseOf, type OpCase, type OpDims } from '../case.ts';
import { EXACT } from '../compare.ts';
import { uniformF32 } from '../random.ts';

const countOf = (d: OpDims) => d.B * d.T * d.H;

export function fillCase(gpu: Gpu, d: OpDims): OpCase {
  const n = countOf(d);
  const bufs = new CaseBuffers(gpu);
  // A value with many mantissa bits, so a rounding on the way through the uniforms shows.
  const value = uniformF32(1, 221)[0];
  const out = bufs.output('out', n);
  return caseOf(bufs, {
    op: 'fill',
    shape: `n=${n}`,
    dispatches: [fill(gpu, out, value, 'check.fill')],
    bytes: 4 * n,
    expected: [{ name: 'out', view: out, ref: new Float32Array(n).fill(value), ...EXACT }],
  });
}

export function copyCase(gpu: Gpu, d: OpDims): OpCase {
  const n = countOf(d);
  const bufs = new CaseBuffers(gpu);
  const srcHost = uniformF32(n, 222);
  const dst = bufs.output('dst', n);
  return caseOf(bufs, {
    op: 'copy',
    shape: `n=${n}`,
    dispatches: [copy(gpu, bufs.input('src', srcHost), dst, 'check.copy')],
    bytes: 4 * 2 * n,
    expected: [{ name: 'dst', view: dst, ref: srcHost, ...EXACT }],
  });
}
