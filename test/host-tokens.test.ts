// The token bookkeeping setBatch does on the host (src/ops/host_tokens.ts): the source
// reversed within each length, and the embedding backward's buckets, against brute force.
import { describe, expect, it } from 'vitest';
import { embeddingBuckets, reverseWithinLengths } from '../src/ops/host_tokens.ts';

describe('host token bookkeeping', () => {
  it('reverses each column within its length, PAD after it (lengths clamped to [0, S])', () => {
    // (S = 3, B = 4) time-major; lengths 3, 1, 0 and 9 (clamped to 3).
    const src = [1, 4, 0, 7, 2, 0, 0, 8, 3, 0, 0, 9];
    expect(Array.from(reverseWithinLengths(src, [3, 1, 0, 9], 3, 4))).toEqual([3, 4, 0, 9, 2, 0, 0, 8, 1, 0, 0, 7]);
  });

  it('buckets rows by id in ascending order, ignoring ids outside [0, V)', () => {
    const V = 5;
    const ids = [3, 0, 3, -1, 4, 0, 7, 3, 2];
    const got = embeddingBuckets(ids, V);
    const counts = Array.from({ length: V }, (_, v) => ids.filter((id) => id === v).length);
    const offsets = counts.map((_, v) => counts.slice(0, v).reduce((a, b) => a + b, 0));
    const rows = Array.from({ length: V }, (_, v) => ids.flatMap((id, r) => (id === v ? [r] : []))).flat();
    expect(Array.from(got.subarray(0, V))).toEqual(counts);
    expect(Array.from(got.subarray(V, 2 * V + 1))).toEqual([...offsets, rows.length]);
    expect(Array.from(got.subarray(2 * V + 1, 2 * V + 1 + rows.length))).toEqual(rows);
    expect(got.length).toBe(2 * V + 1 + ids.length);
  });
});
