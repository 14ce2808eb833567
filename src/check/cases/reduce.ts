// The reduction case: bias-gradient column sums of (R, V), each column summed in row order,
// against src/reference/reduce.ts.
import type { Gpu } from '../../gpu/context.ts';
import { columnSum } from '../../ops/reduce.ts';
import * as reduceRef from '../../reference/reduce.ts';
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
