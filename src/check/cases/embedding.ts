// The embedding cases: the gather of token rows and its scatter-add gradient (rows owned by
// table row, no atomics), against src/reference/embedding.ts.
import type { Gpu } from '../../gpu/context.ts';
import { embeddingBackward, embeddingBackwardScratch, embeddingForward } from '../../ops/embedding.ts';
import * as embRef from '../../reference/embedding.ts';
import { CaseBuffers, type OpCase, type OpDims } from '../case.ts';
import { tokenIds, uniformF32 } from '../random.ts';

/** The embedding gather of the source tokens: (R = B·T, E) rows of a (V, E) table. */
export function embeddingGatherCase(gpu: Gpu, d: OpDims): OpCase {
  const R = d.B * d.T;
  const { V, E } = d;
  const bufs = new CaseBuffers(gpu);
  const wHost = uniformF32(V * E, 71);
  const idsHost = tokenIds(R, V, 72);
  const out = bufs.output('out', R * E);
  const dispatch = embeddingForward(gpu, { weight: bufs.input('weight', wHost), ids: bufs.input('ids', idsHost), out, vocab: V, dim: E, label: 'check.embedding_gather' });
  return {
    op: 'embedding_gather',
    shape: `R=${R} V=${V} E=${E}`,
    dispatches: [dispatch],
    bytes: 4 * (2 * R * E + R),
    reset: () => bufs.reset(),
    expected: [{ name: 'out', view: out, ref: embRef.embeddingForward(wHost, idsHost, V, E), atol: 0, rtol: 0 }],
    destroy: () => bufs.destroy(),
  };
}

/** Its gradient: each table row sums the rows of its tokens in order (four dispatches, no atomics). */
export function embeddingScatterCase(gpu: Gpu, d: OpDims): OpCase {
  const R = d.B * d.T;
  const { V, E } = d;
  const bufs = new CaseBuffers(gpu);
  const dOutHost = uniformF32(R * E, 81);
  const idsHost = tokenIds(R, V, 82);
  const dWeight = bufs.output('dweight', V * E);
  const dispatches = embeddingBackward(gpu, { dOut: bufs.input('dout', dOutHost), ids: bufs.input('ids', idsHost), dWeight, vocab: V, dim: E, scratch: bufs.output('scratch', embeddingBackwardScratch(V, R)), label: 'check.embedding_scatter' });
  return {
    op: 'embedding_scatter',
    shape: `R=${R} V=${V} E=${E}`,
    dispatches,
    bytes: 4 * (R * E + V * E + 2 * R),
    reset: () => bufs.reset(),
    expected: [{ name: 'dWeight', view: dWeight, ref: embRef.embeddingBackward(dOutHost, idsHost, V, E) }],
    destroy: () => bufs.destroy(),
  };
}
