// Deterministic reductions: column sums for bias gradients and the two-stage sum of
// squares behind the global gradient norm. See shaders/reduce.wgsl.
import body from '../../shaders/reduce.wgsl?raw';
import treeSum from '../../shaders/tree_sum.wgsl?raw';
import type { Gpu } from '../gpu/context.ts';
import { view, type View } from '../gpu/buffers.ts';
import { linearWorkgroups, type Dispatch } from '../gpu/program.ts';
import { u32 } from '../gpu/uniforms.ts';
import { checkCount, checkShape, checkWritableApart } from './view_checks.ts';

// WGSL has no includes: the shared tree reduction is appended.
const code = `${body}\n${treeSum}`;

const WG = 64;
/** Reduction workgroup size (a power of two) and elements per invocation of the partial stage. */
export const RWG = 256;
export const ITEMS = 256;
const MAX_GROUPS = 65535;

export interface ColumnSumArgs {
  dy: View; // (M, N)
  db: View; // (N)
  rows: number; // M
  cols: number; // N
  /** db += Σ_m dy[m, :] instead of db = … */
  accumulate?: boolean;
  /** (N) also receives db's new value (same buffer as db): two equal gradients, e.g. an LSTM's b_ih and b_hh, in one dispatch. */
  copy?: View;
  label?: string;
}

/** db[n] (+)= Σ_m dy[m, n], one invocation per column summing rows in order.  dy: (M, N), db: (N) */
export function columnSum(gpu: Gpu, args: ColumnSumArgs): Dispatch {
  const label = args.label ?? 'column_sum';
  const { dy, db, rows, cols } = args;
  checkCount(label, 'rows', rows, 0);
  checkCount(label, 'cols', cols, 0);
  checkShape(label, 'dy', dy, '(M, N)', [rows, cols]);
  checkShape(label, 'db', db, '(N)', [cols]);
  checkWritableApart(label, [['db', db]], [['dy', dy]]);
  const copy = args.copy;
  if (copy) {
    checkShape(label, 'copy', copy, '(N)', [cols]);
    if (copy.buffer !== db.buffer) throw new Error(`${label}: copy must be a view of db's buffer.`);
    if (copy.offset < db.offset + cols && db.offset < copy.offset + cols) throw new Error(`${label}: copy overlaps db.`);
  }
  const pipeline = gpu.pipelines.get({ name: 'reduce', code, entryPoint: 'column_sum', bindings: ['uniform', 'read', 'storage'], constants: { WG } });
  const params = gpu.uniform([u32(dy.offset), u32(db.offset), u32(rows), u32(cols), u32(args.accumulate ? 1 : 0), u32(copy ? 1 : 0), u32(copy?.offset ?? 0)]);
  return gpu.dispatch(label, pipeline, [params, dy, db], linearWorkgroups(cols, WG));
}

/** Partial sums sum_squares_partial writes for n elements: one per RWG·ITEMS block. */
export function partialCount(n: number): number {
  return Math.max(1, Math.ceil(n / (RWG * ITEMS)));
}

/** partials[g] = Σ x[i]² over block g.  x: (n), partials: (partialCount(n)) */
export function sumOfSquaresPartials(gpu: Gpu, args: { x: View; partials: View; label?: string }): Dispatch {
  const label = args.label ?? 'sum_squares_partial';
  const { x, partials } = args;
  const groups = partialCount(x.length);
  if (groups > MAX_GROUPS) throw new RangeError(`${label}: ${x.length} elements need ${groups} workgroups, more than ${MAX_GROUPS}.`);
  checkShape(label, 'partials', partials, `(ceil(n / ${RWG * ITEMS}))`, [groups]);
  checkWritableApart(label, [['partials', partials]], [['x', x]]);
  const pipeline = gpu.pipelines.get({ name: 'reduce', code, entryPoint: 'sum_squares_partial', bindings: ['uniform', 'read', 'storage'], constants: { RWG, ITEMS } });
  const params = gpu.uniform([u32(x.offset), u32(x.length), u32(partials.offset)]);
  return gpu.dispatch(label, pipeline, [params, x, partials], [groups, 1, 1]);
}

export interface SumOfSquaresArgs {
  x: View; // (n)
  out: View; // (1)
  /** (partialCount(n)); a buffer is created when omitted. */
  scratch?: View;
  label?: string;
}

/** out[0] = Σ x[i]², in two fixed-order stages.  x: (n), out: (1) */
export function sumOfSquares(gpu: Gpu, args: SumOfSquaresArgs): Dispatch[] {
  const label = args.label ?? 'sum_of_squares';
  const { x, out } = args;
  checkShape(label, 'out', out, '(1)', [1]);
  const partials = args.scratch ?? view(gpu.createBuffer(`${label}.partials`, partialCount(x.length)));
  checkWritableApart(label, [['out', out]], [['scratch', partials]]);
  const first = sumOfSquaresPartials(gpu, { x, partials, label: `${label}.partial` });
  const pipeline = gpu.pipelines.get({ name: 'reduce', code, entryPoint: 'sum_final', bindings: ['uniform', 'read', 'storage'], constants: { RWG } });
  const params = gpu.uniform([u32(partials.offset), u32(partials.length), u32(out.offset)]);
  return [first, gpu.dispatch(`${label}.final`, pipeline, [params, partials, out], [1, 1, 1])];
}
