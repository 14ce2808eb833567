// Page side of the per-op section of `seq2seq bench`: every case (src/bench/op_cases_*.ts)
// is run once and checked against its float64 reference (|gpu − ref| <= atol + rtol·|ref|
// everywhere, else the benchmark stops with the worst element named), then timed: median
// µs per call over `runs` runs of many calls back to back, with GB/s from the bytes a call
// must move and GFLOP/s where it computes more than it moves.
import type { Config } from '../config/config.ts';
import type { Gpu } from '../gpu/context.ts';
import { median } from './median.ts';
import { opDims, type OpCase, type OpDims } from './op_case.ts';
import { lstmCellBackwardCase, lstmCellForwardCase, lstmStepBackwardCase, lstmStepForwardCase } from './op_cases_lstm.ts';
import { adamCase, columnSumCase, crossEntropyCase, embeddingGatherCase, embeddingScatterCase, gradNormCase } from './op_cases_misc.ts';
import { timeDispatches } from './timing.ts';

export const OP_CASES: ((gpu: Gpu, d: OpDims) => OpCase)[] = [
  lstmCellForwardCase,
  lstmCellBackwardCase,
  lstmStepForwardCase,
  lstmStepBackwardCase,
  crossEntropyCase,
  adamCase,
  embeddingGatherCase,
  embeddingScatterCase,
  columnSumCase,
  gradNormCase,
];

export interface OpRow {
  op: string;
  shape: string;
  dispatches: number;
  us_per_call: number;
  gb_per_s: number;
  /** Null for ops that move more than they compute. */
  gflop_per_s: number | null;
  /** Worst |gpu − ref| over the outputs, and that error over its tolerance (<= 1 passed). */
  max_abs_error: number;
  worst_error_vs_tolerance: number;
  method: 'timestamp' | 'submit';
}

const DEFAULT_ATOL = 1e-5;
const DEFAULT_RTOL = 1e-4;

/** Runs a case once from its inputs and compares every output with its reference. */
export async function checkCase(gpu: Gpu, c: OpCase): Promise<{ maxAbs: number; worst: number }> {
  c.reset();
  gpu.run(c.dispatches);
  let maxAbs = 0;
  let worst = 0;
  for (const e of c.expected) {
    const got = await gpu.read(e.view);
    const atol = e.atol ?? DEFAULT_ATOL;
    const rtol = e.rtol ?? DEFAULT_RTOL;
    for (let i = 0; i < e.ref.length; i++) {
      const err = Math.abs(got[i] - e.ref[i]);
      const ratio = err === 0 ? 0 : err / (atol + rtol * Math.abs(e.ref[i]));
      if (!(ratio <= 1)) throw new Error(`bench ${c.op} (${c.shape}): ${e.name}[${i}] is ${got[i]}, the float64 reference ${e.ref[i]} (tolerance ${atol} + ${rtol}·|ref|).`);
      maxAbs = Math.max(maxAbs, err);
      worst = Math.max(worst, ratio);
    }
  }
  return { maxAbs, worst };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
/** Rates keep 4 significant digits: a slow op's small GB/s must not round to 0. */
const rate = (x: number) => Number(x.toPrecision(4));

/** Checks, then times, every op at the sizes of `config`. */
export async function benchOps(gpu: Gpu, config: Config, opts: { runs: number; targetMs: number }, progress: (text: string) => void = () => undefined): Promise<OpRow[]> {
  const dims = opDims(config);
  const rows: OpRow[] = [];
  for (const make of OP_CASES) {
    const c = make(gpu, dims);
    try {
      progress(`op ${c.op} (${c.shape}): check, then ${opts.runs} timed runs`);
      const { maxAbs, worst } = await checkCase(gpu, c);
      const times: number[] = [];
      let method: OpRow['method'] = 'submit';
      for (let r = 0; r < opts.runs; r++) {
        const t = await timeDispatches(gpu, c.dispatches, opts.targetMs);
        times.push(t.ms);
        method = t.method;
      }
      const ms = median(times);
      rows.push({
        op: c.op,
        shape: c.shape,
        dispatches: c.dispatches.length,
        us_per_call: round(ms * 1e3, 2),
        gb_per_s: rate(c.bytes / (ms * 1e6)),
        gflop_per_s: c.flops ? rate(c.flops / (ms * 1e6)) : null,
        max_abs_error: maxAbs,
        worst_error_vs_tolerance: round(worst, 4),
        method,
      });
    } finally {
      c.destroy();
    }
  }
  gpu.check();
  return rows;
}
