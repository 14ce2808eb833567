// Page side of the check kit's GPU tests: builds one op's case from src/check/cases/ at the
// sizes given, runs it twice against its float64 reference and returns the comparisons.
import { checkOp, dimsOf, type OpDims } from '../../../src/check/case.ts';
import { kitEntry } from '../../../src/check/cases/index.ts';
import type { CheckResult } from '../../../src/check/compare.ts';
import { withGpu } from './kernels.ts';

export async function runKitOp(op: string, sizes: Omit<OpDims, 'params'>[]): Promise<CheckResult[]> {
  return withGpu(async (gpu) => {
    const out: CheckResult[] = [];
    for (const s of sizes) out.push(...(await checkOp(gpu, kitEntry(op), dimsOf(s))));
    return out;
  });
}
