// The source reversal case (shaders/sequence.wgsl): each time-major sequence of (S = T, B)
// tokens reversed within its length, PAD after it, against src/reference/sequence.ts. Row b
// has length (b + 1) mod (T + 1): 1, the maximum and 0 once the batch is large enough.
import type { Gpu } from '../../gpu/context.ts';
import { reverseSequences } from '../../ops/sequence.ts';
import * as seqRef from '../../reference/sequence.ts';
import { CaseBuffers, caseOf, type OpCase, type OpDims } from '../case.ts';
import { EXACT } from '../compare.ts';
import { tokenIds } from '../random.ts';

export function reverseSequencesCase(gpu: Gpu, d: OpDims): OpCase {
  const { B, T } = d;
  const bufs = new CaseBuffers(gpu);
  const lengthsHost = Int32Array.from({ length: B }, (_, b) => (b + 1) % (T + 1));
  const tokensHost = tokenIds(T * B, d.V, 181);
  // PAD past each length, as the data pipeline gives it.
  tokensHost.forEach((_, i) => {
    if (Math.floor(i / B) >= lengthsHost[i % B]) tokensHost[i] = 0;
  });
  const out = bufs.output('out', T * B);
  const dispatch = reverseSequences(gpu, { tokens: bufs.input('tokens', tokensHost), lengths: bufs.input('lengths', lengthsHost), out, steps: T, batch: B, label: 'check.reverse_sequences' });
  return caseOf(bufs, {
    op: 'reverse_sequences',
    shape: `S=${T} B=${B}`,
    dispatches: [dispatch],
    bytes: 4 * (2 * T * B + B),
    expected: [{ name: 'out', view: out, ref: seqRef.reverseSequences(tokensHost, lengthsHost, T, B), i32: true, ...EXACT }],
  });
}
