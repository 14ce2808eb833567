// The reduction kernels (column sums for bias gradients, the two-stage sum of squares) on
// WebGPU in headless Chrome against the float64 reference, at sizes that do not divide the
// workgroups; every case runs twice and must give bitwise the same result, and no kernel may
// write outside its view (test/gpu/pages/kernels.ts runs the cases).
import { describe, expect, it } from 'vitest';
import { expectClose } from '../helpers/close.ts';
import { expectStable, kernelPage, rand } from '../helpers/kernel_page.ts';
import { columnSum, sumOfSquares } from '../../src/reference/reduce.ts';
import type { Outputs } from './pages/kernels.ts';

const page = kernelPage();

describe('reduce kernels', () => {
  it('column sums (bias gradients), plain and accumulating', async () => {
    const shapes = [[5, 3], [1, 70], [13, 67], [300, 2]];
    const cases = shapes.map(([rows, cols], k) => ({ rows, cols, dy: rand(rows * cols, 30 + k), dbPrev: rand(cols, 40 + k) }));
    const results = await page.call<Outputs[][]>('columnSums', cases);
    cases.forEach((c, i) => {
      const name = `columnSum (${c.rows}, ${c.cols})`;
      expectStable(name, results[i]);
      expectClose(`${name} db`, results[i][0].db.data, columnSum(c.dy, c.rows, c.cols));
      expectClose(`${name} db accumulated`, results[i][0].dbAcc.data, columnSum(c.dy, c.rows, c.cols, c.dbPrev));
    });
  });

  it('sum of squares over one, several and many partial blocks', async () => {
    const cases = [rand(1, 50), rand(257, 51), rand(70001, 52, -2, 2)]; // 1, 1 and 2 blocks of 65536
    const results = await page.call<Outputs[][]>('sumsOfSquares', cases);
    cases.forEach((x, i) => {
      const name = `sumOfSquares n=${x.length}`;
      expectStable(name, results[i]);
      expectClose(`${name} out`, results[i][0].out.data, [sumOfSquares(x)], { atol: 1e-5, rtol: 1e-5 });
    });
  });
});

describe('reduce builder', () => {
  it('rejects wrong shapes and aliased outputs with a sentence naming the tensor', async () => {
    const messages = await page.shapeErrors();
    expect(messages[0]).toMatch(/column_sum: dy is \(M, N\) = \(3, 5\) = 15 elements, but its view has 14/);
  });

  page.expectNoPageErrors();
});
