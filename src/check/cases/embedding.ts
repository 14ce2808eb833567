// The embedding cases: the gather of token rows and its scatter-add gradient (rows owned by
// table row, no atomics), against src/reference/embedding.ts.
import type { Gpu } from '../../gpu/context.ts';
import { embeddingBackward, embeddingBackwardScratch, embeddingForward } from '../../ops/embedding.ts';
import * as embRef from '../../reference/embedding.ts';
import { CaseBuffers, caseOf, type OpCase, type OpDims } from '../case.ts';
import { tokenIds, uniformF32 } from '../random.ts';

/** What both directions share: R = B·T token ids (seeded by `idsSeed`) and the case's buffers. */
function tokens(gpu: Gpu, d: OpDims, idsSeed: number) {
  const R = d.B * d.T;
  return { R, V: d.V, E: d.E, bufs: new CaseBuffers(gpu), idsHost: tokenIds(R, d.V, idsSeed), shape: `R=${R} V=${d.V} E=${d.E}` };
}

/** The embedding gather of the source tokens: (R = B·T, E) rows of a (V, E) table. */
export function embeddingGatherCase(gpu: Gpu, d: OpDims): OpCase {
  const { R, V, E, bufs, idsHost, shape } = tokens(gpu, d, 72);
  const wHost = uniformF32(V * E, 71);
  const out = bufs.output('out', R * E);
  const dispatch = embeddingForward(gpu, { weight: bufs.input('weight', wHost), ids: bufs.input('ids', idsHost), out, vocab: V, dim: E, label: 'check.embedding_gather' });
  return caseOf(bufs, {
    op: 'embedding_gather',
    shape,
    dispatches: [dispatch],
    bytes: 4 * (2 * R * E + R),
    expected: [{ name: 'out', view: out, ref: embRef.embeddingForward(wHost, idsHost, V, E), atol: 0, rtol: 0 }],
  });
}

/** Its gradient: each table row sums the rows of its tokens in order (four dispatches, no atomics). */
export function embeddingScatterCase(gpu: Gpu, d: OpDims): OpCase {
  const { R, V, E, bufs, idsHost, shape } = tokens(gpu, d, 82);
  const dOutHost = uniformF32(R * E, 81);
  const dWeight = bufs.output('dweight', V * E);
  const dispatches = embeddingBackward(gpu, { dOut: bufs.input('dout', dOutHost), ids: bufs.input('ids', idsHost), dWeight, vocab: V, dim: E, scratch: bufs.output('scratch', embeddingBackwardScratch(V, R)), label: 'check.embedding_scatter' });
  return caseOf(bufs, {
    op: 'embedding_scatter',
    shape,
    dispatches,
    bytes: 4 * (R * E + V * E + 2 * R),
    expected: [{ name: 'dWeight', view: dWeight, ref: embRef.embeddingBackward(dOutHost, idsHost, V, E) }],
  });
}
