// Primality for the task's targets (docs/contract.md §1).

/** True when n is a prime (trial division by 2, 3 and 6k ± 1; n is at most vocab_size - 2). */
export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  if (n < 4) return true;
  if (n % 2 === 0 || n % 3 === 0) return false;
  for (let d = 5; d * d <= n; d += 6) {
    if (n % d === 0 || n % (d + 2) === 0) return false;
  }
  return true;
}

/** The primes of `input`, in input order, duplicates kept. */
export function primesOf(input: readonly number[]): number[] {
  return input.filter(isPrime);
}
