// A chart series that never grows past a fixed number of points: when it fills up,
// neighbouring points are merged in pairs (x and y averaged) and every later point is
// itself the mean of as many raw points as each stored one, so the series stays evenly
// sampled and memory stays flat however long the run.

export class DecimatedSeries {
  readonly xs: number[] = [];
  readonly ys: number[] = [];
  /** Raw points per stored point. */
  stride = 1;
  private pendX = 0;
  private pendY = 0;
  private pendN = 0;
  /** Raw points seen. */
  count = 0;

  constructor(readonly maxPoints = 2000) {
    if (!Number.isInteger(maxPoints) || maxPoints < 2 || maxPoints % 2 !== 0) {
      throw new RangeError(`maxPoints must be an even integer >= 2, got ${maxPoints}.`);
    }
  }

  push(x: number, y: number): void {
    this.count++;
    this.pendX += x;
    this.pendY += y;
    this.pendN++;
    if (this.pendN < this.stride) return;
    this.xs.push(this.pendX / this.pendN);
    this.ys.push(this.pendY / this.pendN);
    this.pendX = this.pendY = this.pendN = 0;
    if (this.xs.length >= this.maxPoints) this.halve();
  }

  /** The stored points plus the partial bucket still being filled. */
  data(): [number[], number[]] {
    if (this.pendN === 0) return [this.xs.slice(), this.ys.slice()];
    return [[...this.xs, this.pendX / this.pendN], [...this.ys, this.pendY / this.pendN]];
  }

  get length(): number {
    return this.xs.length + (this.pendN > 0 ? 1 : 0);
  }

  clear(): void {
    this.xs.length = 0;
    this.ys.length = 0;
    this.stride = 1;
    this.pendX = this.pendY = this.pendN = 0;
    this.count = 0;
  }

  private halve(): void {
    const n = this.xs.length >> 1;
    for (let i = 0; i < n; i++) {
      this.xs[i] = (this.xs[2 * i] + this.xs[2 * i + 1]) / 2;
      this.ys[i] = (this.ys[2 * i] + this.ys[2 * i + 1]) / 2;
    }
    this.xs.length = n;
    this.ys.length = n;
    this.stride *= 2;
  }
}
