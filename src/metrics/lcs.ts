// Longest common subsequence length, for LCSR (docs/contract.md §2).

/** LCS length of a and b: O(|a|·|b|) time, one row of memory. */
export function lcsLength(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const m = b.length;
  const row = new Int32Array(m + 1); // row[j] = LCS(a[..i], b[..j]) for the current i
  for (let i = 0; i < a.length; i++) {
    let diag = 0; // LCS(a[..i-1], b[..j-1]) before row[j-1] was overwritten
    for (let j = 1; j <= m; j++) {
      const up = row[j];
      row[j] = a[i] === b[j - 1] ? diag + 1 : Math.max(up, row[j - 1]);
      diag = up;
    }
  }
  return row[m];
}
