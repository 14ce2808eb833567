// The LSTM on WebGPU against the float64 reference: the fused cell kernels at odd sizes
// with masks; the golden test (loss and every named gradient of one trainStep); greedy
// decoding; determinism; dispatch counts; and the training-step time of the default model.
import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/harness.ts';
import { lstmCellBackward, lstmCellForward } from '../../src/reference/lstm.ts';
import { lstmGreedyDecode, lstmInitParams, lstmModelBackward, lstmModelForward, lstmParamShapes, type LstmDims } from '../../src/reference/lstm_model.ts';
import { batchFromSamples } from '../../src/task/batch.ts';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.ts';
import { itStepsReproducibly, type ReproducibleRun } from '../helpers/model_run.ts';
import { expectClose, expectGradientsClose, expectExact, randomArray } from '../helpers/close.ts';
import type { CellInputs, PlainBatch, StepInputs } from './pages/lstm.ts';
import type { Recurrence } from '../../src/models/lstm.ts';

const PAGE = '/test/gpu/pages/lstm.ts';
const h = useHarness();

describe('LSTM cell kernels', () => {
  it.each([
    [1, 1, null, false],
    [5, 13, [3, 1, 2, 5, 2], true], // rows 1 and 4 held at t = 2... row 1 only (len 1 <= 2), row 4 (len 2 <= 2)
    [7, 19, null, true],
    [3, 32, [1, 6, 4], false],
  ] as [number, number, number[] | null, boolean][])('forward and backward at B=%i H=%i (lengths %j, above %s)', async (B, H, lengths, withAbove) => {
    const t = 2;
    const x: CellInputs = {
      B,
      H,
      t,
      lengths,
      pre: randomArray(B * 4 * H, B * 100 + H, -3, 3),
      hPrev: randomArray(B * H, 11 + H),
      cPrev: randomArray(B * H, 12 + H, -2, 2),
      dh: randomArray(B * H, 13 + H),
      above: withAbove ? randomArray(B * H, 14 + H) : null,
      dc: randomArray(B * H, 15 + H),
    };
    const r = await h.call<Record<string, number[]>>(PAGE, 'cellStep', x);
    const f32 = (a: number[]) => Array.from(Float32Array.from(a));
    const [pre, hPrev, cPrev] = [f32(x.pre), f32(x.hPrev), f32(x.cPrev)];
    const mask = lengths ? lengths.map((l) => t < l) : undefined;
    const fw = lstmCellForward(pre, hPrev, cPrev, B, H, mask);
    expectClose('gates', r.gates, fw.gates);
    expectClose('h', r.h, fw.h);
    expectClose('c', r.c, fw.c);
    const dh = f32(x.dh).map((v, i) => v + (x.above ? Math.fround(x.above[i]) : 0));
    // Backward from the GPU's own forward outputs (what it saved), so only the backward is judged.
    const bw = lstmCellBackward(r.gates, cPrev, r.c, dh, f32(x.dc), B, H, mask);
    expectClose('dpre', r.dpre, bw.dpre);
    expectClose('dcPrev', r.dcPrev, bw.dcPrev);
    expectClose('dhPass', r.dhPass, bw.dhPass);
    if (mask) {
      // Held rows: state bitwise unchanged, gradients passed straight through.
      mask.forEach((live, b) => {
        if (live) return;
        expectExact(`h row ${b}`, r.h.slice(b * H, (b + 1) * H), hPrev.slice(b * H, (b + 1) * H));
        expectExact(`c row ${b}`, r.c.slice(b * H, (b + 1) * H), cPrev.slice(b * H, (b + 1) * H));
        expectExact(`dpre row ${b}`, r.dpre.slice(b * 4 * H, (b + 1) * 4 * H), new Array(4 * H).fill(0));
      });
    }
  });
});

describe('LSTM fused step kernels (recurrent matmul + cell)', () => {
  it.each([
    [1, 1, null, false, false],
    [5, 13, [3, 1, 2, 5, 2], true, true],
    [7, 6, null, false, true],
    [6, 32, [1, 6, 4, 3, 2, 5], true, true],
  ] as [number, number, number[] | null, boolean, boolean][])('forward and backward at B=%i H=%i (lengths %j, above %s, next %s)', async (B, H, lengths, withAbove, withNext) => {
    const t = 2;
    const G = 4 * H;
    const x: StepInputs = {
      B,
      H,
      t,
      lengths,
      pre: randomArray(B * G, B * 100 + H, -2, 2),
      hPrev: randomArray(B * H, 21 + H),
      cPrev: randomArray(B * H, 22 + H, -2, 2),
      dh: randomArray(B * H, 23 + H),
      above: withAbove ? randomArray(B * H, 24 + H) : null,
      dc: randomArray(B * H, 25 + H),
      whh: randomArray(G * H, 26 + H, -0.5, 0.5),
      bhh: randomArray(G, 27 + H, -0.5, 0.5),
      nextDG: withNext ? randomArray(B * G, 28 + H) : null,
      nextW: randomArray(G * H, 29 + H, -0.5, 0.5),
    };
    const r = await h.call<Record<string, number[]>>(PAGE, 'fusedStep', x);
    const f32 = (a: number[]) => Array.from(Float32Array.from(a));
    const [xp, hPrev, cPrev, whh, bhh] = [f32(x.pre), f32(x.hPrev), f32(x.cPrev), f32(x.whh), f32(x.bhh)];
    const pre = new Float64Array(B * G);
    for (let b = 0; b < B; b++) {
      for (let n = 0; n < G; n++) {
        let s = xp[b * G + n] + bhh[n];
        for (let k = 0; k < H; k++) s += hPrev[b * H + k] * whh[n * H + k];
        pre[b * G + n] = s;
      }
    }
    const mask = lengths ? lengths.map((l) => t < l) : undefined;
    const fw = lstmCellForward(pre, hPrev, cPrev, B, H, mask);
    expectClose('gates', r.gates, fw.gates);
    expectClose('h', r.h, fw.h);
    expectClose('c', r.c, fw.c);
    const dh = f32(x.dh).map((v, i) => v + (x.above ? Math.fround(x.above[i]) : 0));
    if (x.nextDG) {
      const nd = f32(x.nextDG);
      const nw = f32(x.nextW);
      for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) for (let n = 0; n < G; n++) dh[b * H + j] += nd[b * G + n] * nw[n * H + j];
    }
    const bw = lstmCellBackward(r.gates, cPrev, r.c, dh, f32(x.dc), B, H, mask);
    expectClose('dpre', r.dpre, bw.dpre);
    expectClose('dcPrev', r.dcPrev, bw.dcPrev);
    expectClose('dhPass', r.dhPass, bw.dhPass);
  });
});

/** The training step the golden runs compute: its dropout masks. */
const STEP = 7;
const training = (c: Config) => ({ smoothing: c.label_smoothing, dropout: c.dropout > 0 ? { p: c.dropout, seed: c.seed, step: STEP } : undefined });

function tinyBatch(config: Config): PlainBatch {
  // Mixed lengths (1 .. max_length), some without primes, one with all primes.
  const inputs = [[4, 7, 9, 2, 13], [1], [6, 10], [3, 5, 2, 11, 7], [8, 9, 12], [2]];
  const pb = batchFromSamples(config, inputs.slice(0, config.batch_size).map((input) => ({ input })), config.batch_size).batch;
  return {
    ...pb,
    src: Array.from(pb.src),
    srcLengths: Array.from(pb.srcLengths),
    tgt: Array.from(pb.tgt),
    tgtLengths: Array.from(pb.tgtLengths),
    decIn: Array.from(pb.decIn),
  };
}

interface ModelRun extends ReproducibleRun {
  grads: Record<string, number[]>;
  params: Record<string, number[]>;
  decoded: number[];
  counts: { trainStep: number; decodeStep: number; recurrent: number; sequence: number; perStepLayer: { forward: number; backward: number } };
}

describe.each([
  ['1 layer, reversed source, init pytorch', 'matmul', { layers: 1, hidden_size: 8, embedding_size: 5, reverse_source: true, init: 'pytorch' }],
  ['2 layers, H=13 E=6, source in order', 'matmul', { layers: 2, hidden_size: 13, embedding_size: 6, reverse_source: false }],
  ['1 layer, reversed source, init uniform', 'fused', { layers: 1, hidden_size: 8, embedding_size: 5, reverse_source: true, init: 'uniform' }],
  ['2 layers, H=13 E=6, reversed source', 'fused', { layers: 2, hidden_size: 13, embedding_size: 6, reverse_source: true }],
  ['1 layer, reversed source, init pytorch', 'sequence', { layers: 1, hidden_size: 8, embedding_size: 5, reverse_source: true, init: 'pytorch' }],
  // max_length 7: the batch's longest source (5) and target are shorter than the recorded steps.
  ['2 layers, H=13 E=6, source in order, max_length 7', 'sequence', { layers: 2, hidden_size: 13, embedding_size: 6, reverse_source: false, max_length: 7 }],
  ['2 layers, H=33 E=6, reversed source', 'sequence', { layers: 2, hidden_size: 33, embedding_size: 6, reverse_source: true }],
  // Dropout at every site and label smoothing; greedy decoding above must ignore the dropout.
  ['2 layers, H=13 E=6, reversed source, dropout 0.3, label smoothing 0.1', 'matmul', { layers: 2, hidden_size: 13, embedding_size: 6, reverse_source: true, dropout: 0.3, label_smoothing: 0.1 }],
  ['2 layers, H=8 E=5, reversed source, dropout 0.3', 'fused', { layers: 2, hidden_size: 8, embedding_size: 5, reverse_source: true, dropout: 0.3 }],
  ['2 layers, H=13 E=6, source in order, max_length 7, dropout 0.3', 'sequence', { layers: 2, hidden_size: 13, embedding_size: 6, reverse_source: false, max_length: 7, dropout: 0.3 }],
] as [string, Recurrence, Partial<Config>][])('LSTM model on the GPU: %s, %s recurrence', (_name, recurrence, shape) => {
  const config: Config = { ...DEFAULT_CONFIG, vocab_size: 17, max_length: 5, batch_size: 6, init_scale: 0.5, seed: 3, decode_length: 0, ...shape };
  const d: LstmDims = { V: config.vocab_size, E: config.embedding_size, H: config.hidden_size, L: config.layers };
  const batch = tinyBatch(config);
  let run: ModelRun;

  beforeAll(async () => {
    run = await h.call<ModelRun>(PAGE, 'modelRun', config, batch, 2, { recurrence }, STEP);
  });

  it('initialises exactly as the reference init (same seeded streams)', () => {
    const p = lstmInitParams(d, config);
    for (const [name] of lstmParamShapes(d)) expectExact(name, run.params[name], Array.from(p[name]));
  });

  it('matches the float64 reference: loss and every named gradient', () => {
    const p = lstmInitParams(d, config);
    const fwd = lstmModelForward(p, d, batch, config.reverse_source, training(config));
    expectClose('loss', [run.loss], [fwd.loss], { atol: 1e-5, rtol: 1e-5 });
    const g = lstmModelBackward(p, d, fwd);
    expectGradientsClose(lstmParamShapes(d).map(([n]) => n), run.grads, g);
  });

  it('greedy-decodes like the reference (no dropout)', () => {
    const p = lstmInitParams(d, config);
    const ref = lstmGreedyDecode(p, d, batch.src, batch.srcLengths, config.max_length + 1, config.reverse_source);
    expectExact('decoded', run.decoded, Array.from(ref));
  });

  itStepsReproducibly(() => run, config.dropout);

  it('spends 4 (matmul) or 2 (fused) dispatches per time step and layer, or 2 per layer (sequence)', () => {
    const { S, T, L } = { S: config.max_length, T: config.max_length + 1, L: config.layers };
    if (recurrence === 'sequence') {
      expect(run.counts.perStepLayer).toEqual({ forward: 0, backward: 0 });
      expect(run.counts.recurrent).toBe(0);
      expect(run.counts.sequence).toBe(4 * L);
    } else if (recurrence === 'fused') {
      expect(run.counts.perStepLayer).toEqual({ forward: 1, backward: 1 });
      expect(run.counts.recurrent).toBe(2 * L * (S + T));
    } else {
      expect(run.counts.perStepLayer).toEqual({ forward: 2, backward: 2 });
      // The encoder's first step needs no dh matmul (h_0 is a constant).
      expect(run.counts.recurrent).toBe(L * (4 * (S + T) - 1));
    }
    console.log(`lstm L=${L} ${recurrence}: trainStep ${run.counts.trainStep} dispatches, decodeStep ${run.counts.decodeStep}`);
  });

  it('reports no page errors', () => {
    expect(h.pageErrors).toEqual([]);
  });
});

describe('LSTM training-step time', () => {
  it('times the 1-layer H=64 E=32 B=64 S=20 step', async () => {
    const r = await h.call<{ medianMs: number; minMs: number; maxMs: number; loss: number; decodeMs: number; counts: unknown; profile: unknown }>(PAGE, 'timeTrainStep', {}, 10, 2, {}, process.env.SEQ2SEQ_PROFILE === '1');
    console.log(`lstm trainStep (L=1 H=64 E=32 B=64 S=20): median ${r.medianMs.toFixed(1)} ms (min ${r.minMs.toFixed(1)}, max ${r.maxMs.toFixed(1)}), decodeStep ${r.decodeMs.toFixed(1)} ms, counts ${JSON.stringify(r.counts)}`);
    if (process.env.SEQ2SEQ_PROFILE === '1') console.log(JSON.stringify(r.profile, null, 1));
    if (process.env.SEQ2SEQ_BENCH === '1') {
      const f = await h.call<typeof r>(PAGE, 'timeTrainStep', {}, 10, 2, { recurrence: 'fused' });
      console.log(`lstm trainStep, fused recurrence: median ${f.medianMs.toFixed(1)} ms (min ${f.minMs.toFixed(1)}), counts ${JSON.stringify(f.counts)}`);
    }
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(r.loss).toBeGreaterThan(3.5); // ≈ ln(100) at init
  }, 600_000);
});

describe.skipIf(process.env.SEQ2SEQ_BENCH !== '1')('LSTM recurrent pieces (SEQ2SEQ_BENCH=1)', () => {
  it('times per-step matmuls and cells side by side', async () => {
    const r = await h.call<Record<string, number>>(PAGE, 'benchRecurrent');
    console.log(`recurrent pieces, B=64 H=64, 41 steps (min ms): ${JSON.stringify(r)}`);
  }, 600_000);
});
