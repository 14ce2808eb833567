// The attn model on WebGPU against the float64 reference (src/reference/attn_model.ts): the
// golden training step (loss and every named gradient), greedy decoding with its attention
// weights, determinism; a batch with source lengths 1 and max, every sample a different
// length, V and H that do not divide the workgroups.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Recurrence } from '../../src/models/lstm.ts';
import { useHarness } from '../helpers/harness.ts';
import { attnGreedyDecode, attnInitParams, attnModelBackward, attnModelForward, attnParamShapes } from '../../src/reference/attn_model.ts';
import type { LstmDims } from '../../src/reference/lstm_model.ts';
import { batchFromSamples } from '../../src/task/batch.ts';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.ts';
import { itStepsReproducibly, type ReproducibleRun } from '../helpers/model_run.ts';
import { expectClose, expectGradientsClose, expectExact } from '../helpers/close.ts';
import type { PlainBatch } from './pages/lstm.ts';

const PAGE = '/test/gpu/pages/attn.ts';
const h = useHarness();

/** The training step the golden runs compute: its dropout masks. */
const STEP = 7;
const training = (c: Config) => ({ smoothing: c.label_smoothing, dropout: c.dropout > 0 ? { p: c.dropout, seed: c.seed, step: STEP } : undefined });

function tinyBatch(config: Config): PlainBatch {
  // Source lengths 5 (max), 1, 2, 4, 3: every sample a different length.
  const inputs = [[4, 7, 9, 2, 13], [1], [6, 10], [3, 5, 2, 11], [8, 9, 12]];
  const pb = batchFromSamples(config, inputs.map((input) => ({ input })), config.batch_size).batch;
  return { ...pb, src: Array.from(pb.src), srcLengths: Array.from(pb.srcLengths), tgt: Array.from(pb.tgt), tgtLengths: Array.from(pb.tgtLengths), decIn: Array.from(pb.decIn) };
}

interface AttnRun extends ReproducibleRun {
  grads: Record<string, number[]>;
  params: Record<string, number[]>;
  decoded: number[];
  attention: number[];
  counts: { trainStep: number; decodeStep: number };
}

describe.each([
  ['1 layer, H=7 E=5 V=17, source in order, init pytorch', 'matmul', { layers: 1, hidden_size: 7, embedding_size: 5, reverse_source: false, init: 'pytorch' }],
  ['2 layers, H=13 E=6 V=17, reversed source, init uniform', 'matmul', { layers: 2, hidden_size: 13, embedding_size: 6, reverse_source: true, init: 'uniform' }],
  ['1 layer, H=8 E=5 V=17, init uniform', 'fused', { layers: 1, hidden_size: 8, embedding_size: 5, reverse_source: false, init: 'uniform' }],
  ['1 layer, H=7 E=5 V=17, source in order, init pytorch', 'sequence', { layers: 1, hidden_size: 7, embedding_size: 5, reverse_source: false, init: 'pytorch' }],
  // max_length 7: the batch's longest source and target are shorter than the recorded steps.
  ['2 layers, H=13 E=6 V=17, reversed source, max_length 7', 'sequence', { layers: 2, hidden_size: 13, embedding_size: 6, reverse_source: true, init: 'uniform', max_length: 7 }],
  // Dropout at every site (h̃ before the output layer) and label smoothing; decoding must ignore the dropout.
  ['2 layers, H=13 E=6 V=17, source in order, dropout 0.3, label smoothing 0.1', 'matmul', { layers: 2, hidden_size: 13, embedding_size: 6, reverse_source: false, init: 'uniform', dropout: 0.3, label_smoothing: 0.1 }],
  ['2 layers, H=7 E=5 V=17, reversed source, max_length 7, dropout 0.3', 'sequence', { layers: 2, hidden_size: 7, embedding_size: 5, reverse_source: true, init: 'uniform', max_length: 7, dropout: 0.3 }],
] as [string, Recurrence, Partial<Config>][])('attn model on the GPU: %s (%s)', (_name, recurrence, shape) => {
  const config: Config = { ...DEFAULT_CONFIG, model: 'attn', vocab_size: 17, max_length: 5, batch_size: 5, init_scale: 0.5, seed: 4, decode_length: 0, ...shape };
  const d: LstmDims = { V: config.vocab_size, E: config.embedding_size, H: config.hidden_size, L: config.layers };
  const batch = tinyBatch(config);
  const p = attnInitParams(d, config);
  let run: AttnRun;

  beforeAll(async () => {
    run = await h.call<AttnRun>(PAGE, 'attnRun', config, batch, recurrence, STEP);
    console.log(`attn L=${config.layers} ${recurrence}: trainStep ${run.counts.trainStep} dispatches, decodeStep ${run.counts.decodeStep}`);
  }, 600_000);

  it('initialises exactly as the reference init, with the SPEC names', () => {
    expect(Object.keys(run.params)).toEqual(attnParamShapes(d).map(([n]) => n));
    for (const [name] of attnParamShapes(d)) expectExact(name, run.params[name], Array.from(p[name]));
  });

  it('matches the float64 reference: loss and every named gradient', () => {
    const fwd = attnModelForward(p, d, batch, config.reverse_source, training(config));
    expectClose('loss', [run.loss], [fwd.loss], { atol: 1e-5, rtol: 1e-5 });
    const g = attnModelBackward(p, d, fwd);
    expectGradientsClose(attnParamShapes(d).map(([n]) => n), run.grads, g);
  });

  it('greedy-decodes like the reference, with the same attention weights', () => {
    const ref = attnGreedyDecode(p, d, batch.src, batch.srcLengths, config.max_length + 1, config.reverse_source);
    expectExact('decoded', run.decoded, Array.from(ref.tokens));
    expectClose('attention', run.attention, ref.weights, { atol: 1e-5, rtol: 1e-4 });
    // Padding positions get exactly zero weight.
    const { B, S } = { B: config.batch_size, S: config.max_length };
    for (let r = 0; r < run.attention.length / S; r++) {
      const len = batch.srcLengths[r % B];
      expect(run.attention.slice(r * S + len, (r + 1) * S).every((v) => v === 0)).toBe(true);
    }
  });

  itStepsReproducibly(() => run, config.dropout);

  it('reports no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});

describe.skipIf(process.env.SEQ2SEQ_BENCH !== '1')('attn beside lstm, GPU time per kind of dispatch (SEQ2SEQ_BENCH=1)', () => {
  it('profiles one training step of each at H=64 E=32 B=64 S=20', async () => {
    for (const model of ['lstm', 'attn'] as const) {
      const r = await h.call<{ dispatches: number; totalMs: number; byKind: Record<string, number> } | null>(PAGE, 'profileStep', model, 3);
      console.log(`${model}: ${JSON.stringify(r)}`);
    }
  }, 600_000);

  it('wall time per kind of dispatch, each run alone', async () => {
    const r = await h.call<unknown>(PAGE, 'wallProfile', 8, 3);
    console.log(`wall ms per kind of dispatch: ${JSON.stringify(r)}`);
  }, 600_000);

  it('wall time of every kernel on the attention matmul shapes', async () => {
    const r = await h.call<unknown>(PAGE, 'attentionKernelSweep', 8, 6);
    console.log(`wall ms per call by kernel: ${JSON.stringify(r)}`);
  }, 600_000);

  it('times training steps of each in alternation', async () => {
    const r = await h.call<unknown>(PAGE, 'alternateSteps', 30, 2);
    console.log(`alternating steps: ${JSON.stringify(r)}`);
  }, 600_000);
});
