// What the page-level matmul tests (test/gpu/matmul.test.ts: odd offsets, a device without
// subgroups) compare with; every other matmul case is the check kit's (src/check/cases/matmul_shape.ts).
import type { MatmulCase } from '../gpu/pages/matmul.ts';
import { matmulForward } from '../../src/reference/matmul.ts';
import { randomArray } from './close.ts';

/** Small integers in [-4, 4]: sums of their products are exact in float32. */
export const ints = (n: number, seed: number) => randomArray(n, seed, -4, 5).map(Math.floor);

/** C after the case's matmul, by the float64 reference. */
export function expectedC(t: MatmulCase): number[] {
  const c = t.c0.slice();
  matmulForward(t.a, t.b, c, t);
  return c;
}
