// The reduction cases: bias-gradient column sums of (R, V), each column summed in row order,
// plain and accumulating, and the two-stage sum of squares, against src/reference/reduce.ts.
import type { Gpu } from '../../gpu/context.ts';
import { columnSum, ITEMS, partialCount, RWG, sumOfSquares } from '../../ops/reduce.ts';
import * as reduceRef from '../../reference/reduce.ts';
import { slice } from '../../gpu/buffers.ts';
import { CaseBuffers, caseOf, type OpCase, type OpDims } from '../case.ts';
import { uniformF32 } from '../random.ts';

/** The output bias gradient: column sums of (R, V), each column summed in row order. */
export function columnSumCase(gpu: Gpu, d: OpDims): OpCase {
  const R = d.B * d.T;
  const V = d.V;
  const bufs = new CaseBuffers(gpu);
  const dyHost = uniformF32(R * V, 91);
  const db = bufs.output('db', V);
  const dispatch = columnSum(gpu, { dy: bufs.input('dy', dyHost), db, rows: R, cols: V, label: 'check.column_sum' });
  return caseOf(bufs, {
    op: 'column_sum',
    shape: `R=${R} V=${V}`,
    dispatches: [dispatch],
    bytes: 4 * (R * V + V),
    expected: [{ name: 'db', view: db, ref: reduceRef.columnSum(dyHost, R, V), atol: 1e-4, rtol: 1e-4 }],
  });
}

/** An LSTM's two bias gradients (b_ih, b_hh): db += column sums of (R, 4H), copied into the second in the same dispatch. */
export function columnSumAccumulateCase(gpu: Gpu, d: OpDims): OpCase {
  const R = d.B * d.T;
  const G = 4 * d.H;
  const bufs = new CaseBuffers(gpu);
  const dyHost = uniformF32(R * G, 92);
  const dbPrev = uniformF32(G, 93);
  const both = bufs.input('db', Float32Array.from([...dbPrev, ...uniformF32(G, 94)]));
  const [db, copy] = [slice(both, 0, G), slice(both, G, G)];
  const dispatch = columnSum(gpu, { dy: bufs.input('dy', dyHost), db, copy, rows: R, cols: G, accumulate: true, label: 'check.column_sum_accumulate' });
  const want = reduceRef.columnSum(dyHost, R, G, dbPrev);
  return caseOf(bufs, {
    op: 'column_sum_accumulate',
    shape: `R=${R} N=${G}`,
    dispatches: [dispatch],
    bytes: 4 * (R * G + 3 * G),
    expected: [
      { name: 'db', view: db, ref: want, atol: 1e-4, rtol: 1e-4 },
      { name: 'copy', view: copy, ref: want, atol: 1e-4, rtol: 1e-4 },
    ],
  });
}

/** Σ x² over the parameters of a 1-layer lstm and one whole partial block more, so the final stage sums at least two partials. */
export function sumOfSquaresCase(gpu: Gpu, d: OpDims): OpCase {
  const n = d.params + RWG * ITEMS;
  const bufs = new CaseBuffers(gpu);
  const xHost = uniformF32(n, 95, -2, 2);
  const out = bufs.output('out', 1);
  const dispatches = sumOfSquares(gpu, { x: bufs.input('x', xHost), out, scratch: bufs.output('partials', partialCount(n)), label: 'check.sum_of_squares' });
  return caseOf(bufs, {
    op: 'sum_of_squares',
    shape: `n=${n}`,
    dispatches,
    bytes: 4 * n,
    expected: [{ name: 'out', view: out, ref: [reduceRef.sumOfSquares(xHost)], atol: 1e-5, rtol: 1e-5 }],
  });
}
