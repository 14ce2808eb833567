// Page side of the check kit's GPU tests: builds one op's case from src/check/cases/ at the
// sizes given (or a matmul shape of one's own), runs it twice against its float64 reference
// and returns the comparisons.
import { checkOp, dimsOf, runCase, type OpDims } from '../../../src/check/case.ts';
import { matmulShapeCase, type MatmulShape } from '../../../src/check/cases/matmul_shape.ts';
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

/** Matmul shapes beyond the kit's list, each the kit's case run by every kernel that fits this device. */
export async function runMatmulShapes(shapes: MatmulShape[]): Promise<CheckResult[]> {
  return withGpu(async (gpu) => {
    const out: CheckResult[] = [];
    for (const s of shapes) {
      const c = matmulShapeCase(gpu, s);
      try {
        out.push(...(await runCase(gpu, c)));
      } finally {
        c.destroy();
      }
    }
    return out;
  });
}
