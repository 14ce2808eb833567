// Pausing a training loop between chunks of steps: the loop asks `requested` before each chunk
// (and inside one, to end it early) and waits on `wait()` until resume().

/** Pauses Trainer.trainRounds between steps: `pause()` asks, `resume()` lets it go on. Reusable across runs. */
export class PauseSwitch {
  private asked = false;
  private waiters: (() => void)[] = [];

  /** True from pause() until resume(). */
  get requested(): boolean {
    return this.asked;
  }

  /** Asks the loop to halt after its current step; it stays halted until resume(). */
  pause(): void {
    this.asked = true;
  }

  /** Lets a halted loop go on (and cancels a pause not yet taken). */
  resume(): void {
    this.asked = false;
    const waiting = this.waiters;
    this.waiters = [];
    for (const go of waiting) go();
  }

  /** Resolves at once when no pause is asked, else on resume(). */
  wait(): Promise<void> {
    if (!this.asked) return Promise.resolve();
    return new Promise((go) => this.waiters.push(go));
  }
}
