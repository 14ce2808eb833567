// The transformer model on WebGPU against the float64 reference (src/reference/transformer_model.ts):
// the golden training step (loss and every named gradient), with dropout, label smoothing and a
// reversed source in one case; greedy decoding; determinism. A batch of source lengths 1 to max,
// every sample a different length; sizes that divide no workgroup; 1, 2 and 3 heads; decoding
// longer than the training target.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../../src/runtimes/chrome/harness.ts';
import { transformerGreedyDecode, transformerInitParams, transformerModelForward } from '../../src/reference/transformer_model.ts';
import { transformerParamShapes, type TransformerDims } from '../../src/specs/transformer.ts';
import { batchFromSamples } from '../../src/task/batch.ts';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.ts';
import { expectClose, expectGradientsClose, expectExact } from '../helpers/close.ts';
import type { PlainBatch } from './pages/lstm.ts';

const PAGE = '/test/gpu/pages/transformer_model.ts';
let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h?.close();
});

function tinyBatch(config: Config): PlainBatch {
  const inputs = [[4, 7, 9, 2, 13], [1], [6, 10], [3, 5, 2, 11], [8, 9, 12]];
  const pb = batchFromSamples(config, inputs.map((input) => ({ input })), config.batch_size).batch;
  return { ...pb, src: Array.from(pb.src), srcLengths: Array.from(pb.srcLengths), tgt: Array.from(pb.tgt), tgtLengths: Array.from(pb.tgtLengths), decIn: Array.from(pb.decIn) };
}

interface Run {
  loss: number;
  grads: Record<string, number[]>;
  params: Record<string, number[]>;
  decoded: number[];
  bitwiseRepeat: boolean;
  stableAfterDecode: boolean;
  counts: { trainStep: number; decodeStep: number };
}

describe.each([
  ['2 layers, d=6, 3 heads, F=7', { layers: 2, hidden_size: 6, embedding_size: 6, heads: 3, ff_size: 7 }],
  ['1 layer, d=5, 1 head, F=9, dropout 0.2, label smoothing 0.1, reversed source', { layers: 1, hidden_size: 5, embedding_size: 5, heads: 1, ff_size: 9, dropout: 0.2, label_smoothing: 0.1, reverse_source: true }],
  ['2 layers, d=4, 2 heads, F=5, decoding 8 steps (more positions than the training target)', { layers: 2, hidden_size: 4, embedding_size: 4, heads: 2, ff_size: 5, decode_length: 8 }],
] as [string, Partial<Config>][])('transformer model on the GPU: %s', (_name, shape) => {
  const config: Config = { ...DEFAULT_CONFIG, model: 'transformer', vocab_size: 17, max_length: 5, batch_size: 5, seed: 4, decode_length: 0, reverse_source: false, ...shape };
  const D = config.decode_length || config.max_length + 1;
  const dims: TransformerDims = { V: config.vocab_size, d: config.hidden_size, heads: config.heads, L: config.layers, F: config.ff_size };
  const batch = tinyBatch(config);
  const p = transformerInitParams(dims, config);
  const step = 7;
  let run: Run;

  beforeAll(async () => {
    run = await h.call<Run>(PAGE, 'transformerRun', config, batch, step);
  }, 300_000);

  it('initialises exactly as the reference init, with the PyTorch names', () => {
    expect(Object.keys(run.params)).toEqual(transformerParamShapes(dims).map(([n]) => n));
    for (const [name] of transformerParamShapes(dims)) expectExact(name, run.params[name], Array.from(p[name]));
  });

  it('matches the float64 reference: loss and every named gradient', () => {
    const dropout = config.dropout > 0 ? { p: config.dropout, seed: config.seed, step } : undefined;
    const fwd = transformerModelForward(p, dims, batch, { reverse: config.reverse_source, smoothing: config.label_smoothing, dropout });
    expectClose('loss', [run.loss], [fwd.loss], { atol: 1e-5, rtol: 1e-5 });
    const g = fwd.grads();
    expectGradientsClose(transformerParamShapes(dims).map(([n]) => n), run.grads, g);
  });

  // One position per step over cached keys and values against the float64 decoder recomputed
  // over the whole prefix every step: the same tokens.
  it('greedy-decodes like the reference', () => {
    const ref = transformerGreedyDecode(p, dims, batch.src, batch.srcLengths, D, config.reverse_source);
    expectExact('decoded', run.decoded, Array.from(ref));
  });

  it('is deterministic, also after decoding', () => {
    expect(run.bitwiseRepeat).toBe(true);
    expect(run.stableAfterDecode).toBe(true);
    console.log(`transformer L=${config.layers} heads=${config.heads}: trainStep ${run.counts.trainStep} dispatches, decodeStep ${run.counts.decodeStep}`);
  });

  it('reports no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
