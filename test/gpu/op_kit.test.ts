// Every op of the check kit (src/check/cases/, the list bench and the GPU check also run) on
// WebGPU in headless Chrome against its float64 reference, at tiny sizes that divide no
// workgroup, with mixed lengths from 1 to T; each case runs twice and must give the same bits.
import { describe, expect, it } from 'vitest';
import { OP_KIT } from '../../src/check/cases/index.ts';
import { failure, type CheckResult } from '../../src/check/compare.ts';
import { kernelPage } from '../helpers/kernel_page.ts';

const page = kernelPage();
const PAGE = '/test/gpu/pages/op_kit.ts';

/**
 * Odd sizes; B = 1 with a row past its length, batches whose lengths reach T, and B·T = 99
 * rows (S = T + 2 = 13 in cross-attention): more than one 64-wide workgroup, the last one partial.
 */
const SIZES = [
  { B: 3, H: 5, E: 7, V: 11, T: 4 },
  { B: 5, H: 9, E: 3, V: 17, T: 3 },
  { B: 1, H: 2, E: 1, V: 3, T: 2 },
  { B: 9, H: 7, E: 5, V: 19, T: 11 },
];

describe('check kit', () => {
  for (const entry of OP_KIT) {
    it(entry.op, async () => {
      const results = await page.callPage<CheckResult[]>(PAGE, 'runKitOp', entry.op, SIZES);
      expect(results.length).toBeGreaterThanOrEqual(2 * SIZES.length);
      for (const r of results) expect(failure(r), failure(r) ?? '').toBeNull();
    });
  }

  page.expectNoPageErrors();
});
