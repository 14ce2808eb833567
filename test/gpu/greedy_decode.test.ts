// Greedy decoding of lstm and attn, recorded both ways (recurrence=sequence: one dispatch for
// every step; recurrence=steps: a few dispatches per step), against the float64 reference's
// greedy decode: tokens exactly, attention weights within tolerance. Awkward sizes: H and V
// that do not divide the 256-invocation workgroup (and V, 4H above it), batches that do not
// divide the 4-row slice, source lengths 1 and max, two layers, decode_length above and below
// max_length + 1, and output rows tied in pairs (the lowest index must win). The kernel is
// asked for always: by default the software adapter records the per-step decode.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/harness.ts';
import { attnGreedyDecode } from '../../src/reference/attn_model.ts';
import { lstmGreedyDecode, type LstmDims, type Tensors } from '../../src/reference/lstm_model.ts';
import { batchFromSamples } from '../../src/task/batch.ts';
import { DEFAULT_CONFIG, decodeLength, type Config, type RecurrenceName } from '../../src/config/config.ts';
import { greedyDecodeFit, greedyWorkgroupBytes } from '../../src/ops/greedy_decode.ts';
import { expectClose, expectExact } from '../helpers/close.ts';
import type { PlainBatch } from './pages/lstm.ts';
import type { greedyRun } from './pages/greedy_decode.ts';

const PAGE = '/test/gpu/pages/greedy_decode.ts';
const h = useHarness();

// Lengths 5 (max), 1, 2, 4, 3, then 1, 5, 2, 3: every length, 1 and max twice.
const INPUTS = [[4, 7, 9, 2, 13], [1], [6, 10], [3, 5, 2, 11], [8, 9, 12], [2], [5, 5, 5, 5, 5], [9, 3], [14, 1, 7]];

function batchOf(config: Config): PlainBatch {
  const samples = INPUTS.slice(0, config.batch_size).map((input) => ({ input }));
  const pb = batchFromSamples(config, samples, config.batch_size).batch;
  return { ...pb, src: Array.from(pb.src), srcLengths: Array.from(pb.srcLengths), tgt: Array.from(pb.tgt), tgtLengths: Array.from(pb.tgtLengths), decIn: Array.from(pb.decIn) };
}

type Run = Awaited<ReturnType<typeof greedyRun>>;

const CASES: [string, Partial<Config>, boolean][] = [
  ['lstm, 2 layers, H=13 E=6 V=17 B=5, reversed source', { model: 'lstm', layers: 2, hidden_size: 13, embedding_size: 6, vocab_size: 17, batch_size: 5, reverse_source: true }, false],
  ['lstm, 1 layer, H=70 (4H > 256) V=300 B=9, decode_length 8, tied output rows', { model: 'lstm', layers: 1, hidden_size: 70, embedding_size: 5, vocab_size: 300, batch_size: 9, decode_length: 8 }, true],
  ['attn, 2 layers, H=13 E=6 V=17 B=5, source in order', { model: 'attn', layers: 2, hidden_size: 13, embedding_size: 6, vocab_size: 17, batch_size: 5, reverse_source: false }, false],
  ['attn, 1 layer, H=9 V=301 B=9, reversed, decode_length 3, tied output rows', { model: 'attn', layers: 1, hidden_size: 9, embedding_size: 4, vocab_size: 301, batch_size: 9, reverse_source: true, decode_length: 3 }, true],
];

describe.each(CASES)('greedy decode: %s', (_name, shape, tie) => {
  const base: Config = { ...DEFAULT_CONFIG, max_length: 5, init: 'uniform', init_scale: 0.5, seed: 7, decode_length: 0, ...shape };
  const d: LstmDims = { V: base.vocab_size, E: base.embedding_size, H: base.hidden_size, L: base.layers };
  const D = decodeLength(base);
  const batch = batchOf(base);
  const runs = {} as Record<RecurrenceName, Run>;

  beforeAll(async () => {
    for (const recurrence of ['sequence', 'steps'] as const) runs[recurrence] = await h.call<Run>(PAGE, 'greedyRun', { ...base, recurrence }, batch, { tie });
  }, 300_000);

  const reference = (run: Run) => {
    const p: Tensors = Object.fromEntries(Object.entries(run.params).map(([n, v]) => [n, Float64Array.from(v)]));
    if (base.model === 'attn') return attnGreedyDecode(p, d, batch.src, batch.srcLengths, D, base.reverse_source);
    return { tokens: lstmGreedyDecode(p, d, batch.src, batch.srcLengths, D, base.reverse_source), weights: null };
  };

  it.each(['sequence', 'steps'] as const)('%s: records as asked, tokens equal the float64 reference', (recurrence) => {
    const run = runs[recurrence];
    expect(run.decoding).toEqual({ recording: recurrence });
    const greedy = run.labels.filter((l) => l === 'decode.greedy').length;
    const perStep = run.labels.filter((l) => l.startsWith('decode.t')).length;
    expect([greedy, perStep > 0]).toEqual(recurrence === 'sequence' ? [1, false] : [0, true]);
    const ref = reference(run);
    expectExact('decoded', run.decoded, Array.from(ref.tokens));
    if (tie) expect(run.decoded.every((v) => v % 2 === 0)).toBe(true);
    expect(run.bitwiseRepeat).toBe(true);
  });

  it.skipIf(base.model !== 'attn')('attention weights equal the reference within tolerance, exactly 0 past each length', () => {
    for (const recurrence of ['sequence', 'steps'] as const) {
      const run = runs[recurrence];
      const ref = reference(run);
      expectClose(`${recurrence} attention`, run.attention!, ref.weights!, { atol: 1e-5, rtol: 1e-4 });
      const [B, S] = [base.batch_size, base.max_length];
      for (let r = 0; r < D * B; r++) expect(run.attention!.slice(r * S + batch.srcLengths[r % B], (r + 1) * S).every((v) => v === 0)).toBe(true);
    }
  });

  it('both recordings decode the same tokens; sequence records D·(per-step dispatches) fewer', () => {
    expect(runs.sequence.decoded).toEqual(runs.steps.decoded);
    expect(runs.sequence.decodeDispatches).toBeLessThan(runs.steps.decodeDispatches - D);
    console.log(`${base.model} L=${base.layers} D=${D}: decodeStep ${runs.steps.decodeDispatches} dispatches per step-recorded batch, ${runs.sequence.decodeDispatches} in sequence`);
  });
});

it('recurrence=auto (the default) records the per-step decode on the software adapter unless the kernel is asked for always, and says why', async () => {
  const config: Config = { ...DEFAULT_CONFIG, max_length: 5, hidden_size: 8, embedding_size: 4, vocab_size: 17, batch_size: 3 };
  const run = await h.call<Run>(PAGE, 'greedyRun', config, batchOf(config), { kernel: 'auto' });
  expect(run.decoding).toEqual({ recording: 'steps', fallback: 'the software adapter runs the one-dispatch decode slower than the per-step dispatches' });
  expect(run.labels).not.toContain('decode.greedy');
}, 120_000);

describe('greedyDecodeFit: rows per workgroup, and the sizes that fall back to per-step decoding', () => {
  const limits = { maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256, maxStorageBuffersPerShaderStage: 8 };
  it.each([
    [64, 1, false, 4, 64],
    [256, 2, false, 2, 256],
    [256, 2, true, 4, 64],
    [100, 2, false, 4, 128],
    [512, 2, false, 2, 256],
    [1024, 2, true, 1, 64],
  ])('H=%i L=%i (software adapter %s) fits %i rows of %i invocations (the default and the gpu preset: >= 8 workgroups at B=64)', (H, L, software, rows, wg) => {
    expect(greedyDecodeFit({ H, L }, limits, true, software)).toEqual({ rows, wg });
    expect(greedyWorkgroupBytes(rows, H, wg)).toBeLessThanOrEqual(16384);
  });
  it('says why it cannot run a hidden size too large for workgroup memory, more than 8 layers, or too few storage buffers', () => {
    expect(greedyDecodeFit({ H: 2048, L: 1 }, limits, false, true)).toEqual({ why: 'hidden_size=2048 needs 16912 bytes of workgroup memory, more than the device\'s 16384' });
    expect(greedyDecodeFit({ H: 64, L: 9 }, limits, false, false)).toEqual({ why: 'layers=9 is more than the 8 layers the one-dispatch decode holds' });
    expect(greedyDecodeFit({ H: 64, L: 1 }, { ...limits, maxStorageBuffersPerShaderStage: 6 }, true, false)).toHaveProperty('why');
    expect(greedyDecodeFit({ H: 64, L: 1 }, { ...limits, maxStorageBuffersPerShaderStage: 6 }, false, false)).toEqual({ rows: 4, wg: 64 });
  });
});

// A trained checkpoint (e.g. `seq2seq train --rounds 1 --steps 200 --out D recurrence=steps`):
// its evaluation scores are the same with either recording. Opt-in: it decodes thousands of samples.
describe.skipIf(!process.env.SEQ2SEQ_EVAL_CHECKPOINT)('evaluation of SEQ2SEQ_EVAL_CHECKPOINT with either recording', () => {
  it('gives the same scores', async () => {
    const base64 = readFileSync(process.env.SEQ2SEQ_EVAL_CHECKPOINT!).toString('base64');
    const opts = { rounds: Number(process.env.SEQ2SEQ_EVAL_ROUNDS ?? 1), samples: 1000 };
    type Eval = { summary: Record<string, unknown>; decoding: { recording: string }; dispatches: number };
    const steps = await h.call<Eval>(PAGE, 'evaluateCheckpoint', base64, 'steps', opts);
    const sequence = await h.call<Eval>(PAGE, 'evaluateCheckpoint', base64, 'sequence', opts);
    expect([sequence.decoding.recording, steps.decoding.recording]).toEqual(['sequence', 'steps']);
    expect(sequence.summary).toEqual(steps.summary);
    console.log(`evaluation (${opts.rounds} × 1000 samples): GeoMean ${String(steps.summary.geomean)} both ways; decodeStep ${steps.dispatches} dispatches per batch recorded per step, ${sequence.dispatches} in sequence`);
  }, 1_200_000);
});

it('reports no page errors', () => {
  expect(h.pageErrors).toEqual([]);
});
