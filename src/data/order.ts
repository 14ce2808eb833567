// The training order of a file task: epoch e visits every training pair once, in a
// permutation drawn from (seed, e) alone, so sample i of the run is a pure function of
// (seed, i): batch k is samples [kB, (k+1)B) and a resumed run sees exactly the same data.
import { SampleRng } from '../task/rng.ts';

/** A Fisher–Yates permutation of 0..n-1 from the 'train' stream's draws for (seed, epoch). */
export function epochPermutation(n: number, seed: number, epoch: number): Uint32Array {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const rng = new SampleRng('train', seed, epoch);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(0, i);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm;
}

/** Pair index of training sample i; keeps the current epoch's permutation. */
export class EpochOrder {
  private epoch = -1;
  private perm: Uint32Array = new Uint32Array(0);

  constructor(
    private readonly n: number,
    private readonly seed: number,
  ) {
    if (n < 1) throw new RangeError('EpochOrder needs at least one pair.');
  }

  pairAt(i: number): number {
    const epoch = Math.floor(i / this.n);
    if (epoch !== this.epoch) {
      this.perm = epochPermutation(this.n, this.seed, epoch);
      this.epoch = epoch;
    }
    return this.perm[i % this.n];
  }
}
