// The softmax cross-entropy case: mean loss over the non-PAD rows of (R, V) logits and its
// gradient, against src/reference/cross_entropy.ts.
import type { Gpu } from '../../gpu/context.ts';
import { crossEntropy } from '../../ops/cross_entropy.ts';
import * as ceRef from '../../reference/cross_entropy.ts';
import { CaseBuffers, caseOf, type OpCase, type OpDims } from '../case.ts';
import { tokenIds, uniformF32 } from '../random.ts';

/** Mean softmax cross-entropy over the non-PAD rows of (R, V) logits and its gradient: three dispatches. */
export function crossEntropyCase(gpu: Gpu, d: OpDims): OpCase {
  const R = d.B * d.T;
  const V = d.V;
  const bufs = new CaseBuffers(gpu);
  const logitsHost = uniformF32(R * V, 51, -3, 3);
  const targetsHost = tokenIds(R, V, 52);
  const logits = bufs.input('logits', logitsHost);
  const targets = bufs.input('targets', targetsHost);
  const dLogits = bufs.output('dlogits', R * V);
  const loss = bufs.output('loss', 1);
  const dispatches = crossEntropy(gpu, { logits, targets, dLogits, loss, rows: R, vocab: V, scratch: bufs.output('scratch', R + 1), label: 'check.cross_entropy' });
  return caseOf(bufs, {
    op: 'cross_entropy',
    shape: `R=${R} V=${V}`,
    dispatches,
    bytes: 4 * (2 * R * V + 2 * R),
    expected: [
      { name: 'loss', view: loss, ref: [ceRef.crossEntropyForward(logitsHost, targetsHost, R, V).loss] },
      { name: 'dLogits', view: dLogits, ref: ceRef.crossEntropyBackward(logitsHost, targetsHost, R, V) },
    ],
  });
}
