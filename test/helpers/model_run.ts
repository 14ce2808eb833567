// What the lstm and attn golden GPU runs report beside their loss and gradients, and the
// checks they share: one submit per step, the same bits when repeated and after a decode (which
// shares rows with training), and with dropout other masks one step later.
import { expect, it } from 'vitest';

export interface ReproducibleRun {
  loss: number;
  /** The loss one step later (other dropout masks), null for a model without dropout. */
  otherStepLoss: number | null;
  bitwiseRepeat: boolean;
  stableAfterDecode: boolean;
  submitsPerStep: number;
}

export function itStepsReproducibly(run: () => ReproducibleRun, dropout: number): void {
  it('draws other masks at another step (dropout only)', () => {
    if (dropout === 0) expect(run().otherStepLoss).toBeNull();
    else expect(run().otherStepLoss).not.toBe(run().loss);
  });

  it('is deterministic and records one submit per step', () => {
    expect(run().bitwiseRepeat).toBe(true);
    expect(run().stableAfterDecode).toBe(true);
    expect(run().submitsPerStep).toBe(1);
  });
}
