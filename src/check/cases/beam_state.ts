// The beam-search state gathers (shaders/beam.wgsl): beam_expand copies the encoder's final
// (B, H) state to the K beams of each input; beam_reorder moves every layer's h and c rows to
// their parent beams, between two slots of one buffer. Against src/reference/beam.ts, exactly
// (they copy). K = beamWidthOf(d), the selection cases' width.
import type { Gpu } from '../../gpu/context.ts';
import { beamExpand, beamReorder, beamResultLayout } from '../../ops/beam.ts';
import { expandToBeams, gatherByParent } from '../../reference/beam.ts';
import { CaseBuffers, caseOf, type OpCase, type OpDims } from '../case.ts';
import { EXACT } from '../compare.ts';
import { uniformF32 } from '../random.ts';
import { beamWidthOf } from './beam_step.ts';

export function beamExpandCase(gpu: Gpu, d: OpDims): OpCase {
  const { B, H } = d;
  const K = beamWidthOf(d);
  const bufs = new CaseBuffers(gpu);
  const srcHost = uniformF32(B * H, 201);
  const dst = bufs.output('dst', B * K * H);
  const dispatch = beamExpand(gpu, { src: bufs.input('src', srcHost), dst, B, K, H, label: 'check.beam_expand' });
  return caseOf(bufs, {
    op: 'beam_expand',
    shape: `B=${B} K=${K} H=${H}`,
    dispatches: [dispatch],
    bytes: 4 * (B * H + B * K * H),
    expected: [{ name: 'dst', view: dst, ref: expandToBeams(srcHost, B, K, H), ...EXACT }],
  });
}

/**
 * Two layers, each a destination slot at 0 and a source slot one element past it, layers 3
 * elements apart (the gaps must stay as they were); parents of step 1 of 2, while step 0's
 * parents differ, so reading the wrong step shows.
 */
export function beamReorderCase(gpu: Gpu, d: OpDims): OpCase {
  const { B, H } = d;
  const K = beamWidthOf(d);
  const [R, layers] = [B * K, 2];
  const [dst, src] = [0, R * H + 1];
  const layerStride = src + R * H + 3;
  const n = (layers - 1) * layerStride + src + R * H;
  const bufs = new CaseBuffers(gpu);
  const lay = beamResultLayout(2, B, K);
  const resultHost = Int32Array.from(uniformF32(lay.size, 211, 0, K), Math.floor);
  const parents = resultHost.subarray(lay.parents + R, lay.parents + 2 * R);
  const [hHost, cHost] = [212, 213].map((seed) => uniformF32(n, seed));
  const [h, c] = [bufs.input('h', hHost), bufs.input('c', cHost)];
  const dispatch = beamReorder(gpu, { result: bufs.input('result', resultHost), layout: lay, step: 1, h, c, H, layers, layerStride, dst, src, label: 'check.beam_reorder' });
  const reordered = (state: Float32Array) => {
    const out = Float64Array.from(state);
    for (let l = 0; l < layers; l++) out.set(gatherByParent(state.subarray(l * layerStride + src, l * layerStride + src + R * H), parents, K, H), l * layerStride + dst);
    return out;
  };
  return caseOf(bufs, {
    op: 'beam_reorder',
    shape: `B=${B} K=${K} H=${H} L=${layers}`,
    dispatches: [dispatch],
    bytes: 4 * (2 * layers * 2 * R * H + R),
    expected: [
      { name: 'h', view: h, ref: reordered(hHost), ...EXACT },
      { name: 'c', view: c, ref: reordered(cHost), ...EXACT },
    ],
  });
}
