// Page side of the per-op section of `seq2seq bench`: every op of the check kit
// (src/check/cases/) is checked against its float64 reference first (the benchmark stops
// with the worst element named when one fails), then timed: median
// µs per call over `runs` runs of many calls back to back, with GB/s from the bytes a call
// must move and GFLOP/s where it computes more than it moves.
import type { Config } from '../config/config.ts';
import type { Gpu } from '../gpu/context.ts';
import { opDims, runCase, type OpCase } from '../check/case.ts';
import { OP_KIT } from '../check/cases/index.ts';
import { failure } from '../check/compare.ts';
import { median } from './median.ts';
import { timeDispatches } from './timing.ts';

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

/** Runs a case (twice, from its inputs) against its references; throws naming the worst element. */
async function checkCase(gpu: Gpu, c: OpCase): Promise<{ maxAbs: number; worst: number }> {
  const results = await runCase(gpu, c);
  const bad = results.find((r) => !r.ok);
  if (bad) throw new Error(`bench: ${failure(bad)}`);
  return { maxAbs: Math.max(...results.map((r) => r.max_abs_err)), worst: Math.max(...results.map((r) => r.over_tolerance)) };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
/** Rates keep 4 significant digits: a slow op's small GB/s must not round to 0. */
const rate = (x: number) => Number(x.toPrecision(4));

/** Checks, then times, every op at the sizes of `config`. */
export async function benchOps(gpu: Gpu, config: Config, opts: { runs: number; targetMs: number }, progress: (text: string) => void = () => undefined): Promise<OpRow[]> {
  const dims = opDims(config);
  const rows: OpRow[] = [];
  for (const entry of OP_KIT) {
    const c = entry.build(gpu, dims);
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
