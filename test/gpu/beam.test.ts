// Beam search on WebGPU, model by model (the selection step and the state gathers alone are
// the check kit's beam_* cases, test/gpu/op_kit.test.ts): the recorded lstm beam search on a
// tiny model (B = 3 mixed lengths, K = 3) against the float64 reference beam search over the
// reference lstm's step log-probabilities, beam 1 against the greedy decodeStep (exactly),
// and the blog model's beam search (shared logits rows) against the reference over its
// float64 logits.
import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/harness.ts';
import { beamSearch, DEAD, logSoftmax, lstmStepLogProbs } from '../../src/reference/beam.ts';
import { type LstmDims, type Tensors } from '../../src/reference/lstm_model.ts';
import { blogLossAndGrads } from '../../src/reference/blog_model.ts';
import { attnModelForward, attnStepLogProbs } from '../../src/reference/attn_model.ts';
import { transformerModelForward, transformerStepLogProbs } from '../../src/reference/transformer_model.ts';
import type { TransformerDims } from '../../src/specs/transformer.ts';
import { DEFAULT_CONFIG, type Config, type RecurrenceName } from '../../src/config/config.ts';
import { batchFromSamples } from '../../src/task/batch.ts';
import { expectClose, expectExact } from '../helpers/close.ts';
import type { ModelBeamRun } from './pages/beam.ts';

const PAGE = '/test/gpu/pages/beam.ts';
const h = useHarness();

const INPUTS = [[4, 7, 9, 2, 13], [1], [6, 10]];

function tensorsOf(params: Record<string, number[]>): Tensors {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Float64Array.from(v)]));
}

/** A token sequence's log-probability under a step function: up to and including its first EOS. */
function sequenceScore(lp: (prefix: number[]) => ArrayLike<number>, tokens: number[], eos: number): number {
  let s = 0;
  for (let t = 0; t < tokens.length; t++) {
    s += lp(tokens.slice(0, t))[tokens[t]];
    if (tokens[t] === eos) break;
  }
  return s;
}

/**
 * Every final beam of every input against the reference: tokens exactly, scores within f32
 * tolerance. With `nearTies`, a beam whose tokens differ is accepted when the reference scores
 * it within 1e-5 of the reference's own beam (float32 vs float64 ordering of near-equal sums);
 * the count of such swaps is returned.
 */
function expectBeamsLikeReference(run: ModelBeamRun, K: number, lpFor: (b: number) => (prefix: number[]) => ArrayLike<number>, eos: number, nearTies = false): number {
  let swaps = 0;
  INPUTS.forEach((_, b) => {
    const lp = lpFor(b);
    const D = run.beams[K][b][0].tokens.length;
    const ref = beamSearch(lp, { beam: K, steps: D, vocab: lp([]).length, eos });
    const gpu = run.beams[K][b];
    if (process.env.BEAM_DEBUG) console.log(JSON.stringify({ b, gpu, ref: ref.beams }));
    expect(gpu.map((g) => g.dead), `input ${b} dead beams`).toEqual(ref.beams.map((r) => r.status === DEAD));
    gpu.forEach((g, i) => {
      if (g.dead) return;
      expectClose(`input ${b} beam ${i} score`, [g.score], [ref.beams[i].score], { atol: 1e-4, rtol: 1e-4 });
      if (nearTies && g.tokens.some((v, t) => v !== ref.beams[i].tokens[t])) {
        swaps++;
        expectClose(`input ${b} beam ${i}: reference score of the GPU's tokens`, [sequenceScore(lp, g.tokens, eos)], [ref.beams[i].score], { atol: 1e-5, rtol: 0 });
        return;
      }
      expectExact(`input ${b} beam ${i} tokens`, g.tokens, ref.beams[i].tokens);
    });
    const best = run.predictions[K][b];
    if (!nearTies) expect(best).toEqual(ref.best);
    else expectClose(`input ${b} best`, [sequenceScore(lp, [...best, eos].slice(0, D), eos)], [ref.score], { atol: 1e-5, rtol: 0 });
  });
  return swaps;
}

/**
 * Beam 1 follows greedy's path: the same tokens up to and including greedy's first EOS (after
 * it a beam repeats EOS where greedy keeps decoding), and the same prediction.
 */
function expectBeam1IsGreedy(run: ModelBeamRun, B: number, D: number, eos: number): void {
  for (let b = 0; b < B; b++) {
    const g = Array.from({ length: D }, (_, t) => run.greedy[t * B + b]);
    const e = g.indexOf(eos);
    expectExact(`input ${b}`, run.beams[1][b][0].tokens.slice(0, e < 0 ? D : e + 1), g.slice(0, e < 0 ? D : e + 1));
    expect(run.predictions[1][b]).toEqual(g.slice(0, e < 0 ? D : e));
  }
}

/** The encoder (and training) recorded both ways; beam steps are per step either way. */
const RECURRENCES: RecurrenceName[] = ['sequence', 'steps'];

// dropout 0.3: decoding never drops, so beams and greedy tokens are the reference's without dropout.
describe.each(RECURRENCES)('lstm beam search on the GPU (V=17, S=5, B=3, 2 layers, H=8, init U(-1, 1), dropout 0.3), recurrence=%s', (recurrence) => {
  const config: Config = { ...DEFAULT_CONFIG, vocab_size: 17, max_length: 5, batch_size: 3, layers: 2, hidden_size: 8, embedding_size: 5, init: 'uniform', init_scale: 1, seed: 7, decode_length: 0, recurrence, dropout: 0.3 };
  const d: LstmDims = { V: 17, E: 5, H: 8, L: 2 };
  const D = config.max_length + 1;
  const EOS = d.V - 1;
  let run: ModelBeamRun;

  beforeAll(async () => {
    run = await h.call<ModelBeamRun>(PAGE, 'modelBeams', config, INPUTS, [1, 3]);
  }, 600_000);

  it('beam 3 equals the float64 reference beam search over the reference lstm (every final beam)', () => {
    const p = tensorsOf(run.params);
    expectBeamsLikeReference(run, 3, (b) => lstmStepLogProbs(p, d, INPUTS[b], config.reverse_source, D), EOS);
    const greedyCut = INPUTS.map((_, b) => {
      const row = Array.from({ length: D }, (_, t) => run.greedy[t * config.batch_size + b]);
      return row.indexOf(EOS) < 0 ? row : row.slice(0, row.indexOf(EOS));
    });
    console.log(`lstm beam 3: ${JSON.stringify(run.predictions[3])}, greedy ${JSON.stringify(greedyCut)}, dispatches ${JSON.stringify(run.dispatches)}`);
    // This seed is chosen so that beam search beats greedy on every input (EOS placement included).
    INPUTS.forEach((_, b) => expect(run.predictions[3][b], `input ${b}`).not.toEqual(greedyCut[b]));
  });

  // H = 8 and B·H = 24 are multiples of 4, so every beam matmul picks the kernel of its greedy
  // twin (models/beam.ts): the tokens must match exactly, not just up to rounding.
  it('beam 1 equals the greedy decodeStep exactly', () => {
    expectBeam1IsGreedy(run, config.batch_size, D, EOS);
  });

  it('is repeatable bitwise', () => {
    expect(run.repeatable).toBe(true);
    expect(h.pageErrors).toEqual([]);
  });
});

describe.each(RECURRENCES)('attn beam search on the GPU (V=17, S=5, B=3, 1 layer, H=8, init U(-1, 1)), recurrence=%s: rows b·K + i attend over input b', (recurrence) => {
  const config: Config = { ...DEFAULT_CONFIG, model: 'attn', vocab_size: 17, max_length: 5, batch_size: 3, layers: 1, hidden_size: 8, embedding_size: 5, init: 'uniform', init_scale: 1, seed: 7, decode_length: 0, reverse_source: false, recurrence };
  const d: LstmDims = { V: 17, E: 5, H: 8, L: 1 };
  const D = config.max_length + 1;
  const EOS = d.V - 1;
  let run: ModelBeamRun;

  beforeAll(async () => {
    run = await h.call<ModelBeamRun>(PAGE, 'modelBeams', config, INPUTS, [1, 3]);
  }, 600_000);

  it('beam 3 equals the float64 reference beam search over the reference attn model (every final beam)', () => {
    const p = tensorsOf(run.params);
    expectBeamsLikeReference(run, 3, (b) => attnStepLogProbs(p, d, INPUTS[b], false, D), EOS);
    console.log(`attn beam 3: ${JSON.stringify(run.predictions[3])}, dispatches ${JSON.stringify(run.dispatches)}`);
  });

  it('beam 1 equals the greedy decodeStep exactly', () => {
    expectBeam1IsGreedy(run, config.batch_size, D, EOS);
    expect(run.repeatable).toBe(true);
    expect(h.pageErrors).toEqual([]);
  });

  // With beam 1 the beam program follows greedy's path with greedy's weights: exactly where
  // both are recorded per step (the software adapter); a one-dispatch greedy decode sums in
  // another order, so the weights are compared to float32 rounding.
  it("beam 1's attention maps equal greedy's", () => {
    INPUTS.forEach((_, b) => {
      const [beam1, greedy] = [run.maps![1][b], run.greedyMaps![b]];
      expect(beam1.prediction, `input ${b} prediction`).toEqual(greedy.prediction);
      expect(beam1.weights.length, `input ${b} rows`).toBe(greedy.weights.length);
      beam1.weights.forEach((row, t) => expectClose(`input ${b} step ${t}`, row, greedy.weights[t], { atol: 1e-5, rtol: 1e-4 }));
    });
  });

  // The maps of beam 3 follow the chosen beam back through its parents: they must be the
  // float64 model's attention along that beam's own tokens (teacher-forced with them).
  it("beam 3's attention maps are the chosen beam's: one row per step up to its EOS, each a distribution equal to the reference along its path", () => {
    const p = tensorsOf(run.params);
    let differs = 0;
    INPUTS.forEach((input, b) => {
      const m = run.maps![3][b];
      expect(m.prediction, `input ${b} prediction`).toEqual(run.predictions[3][b]);
      const steps = Math.min(D, m.prediction.length + 1);
      expect(m.weights.length, `input ${b} rows`).toBe(steps);
      const decIn = new Int32Array(D).fill(0);
      decIn[0] = EOS;
      m.prediction.slice(0, D - 1).forEach((tok, i) => (decIn[i + 1] = tok));
      const S = input.length;
      const ref = attnModelForward(p, d, { src: Int32Array.from(input), srcLengths: [S], tgt: new Int32Array(D), decIn }, false).cache.att.weights; // (D, S)
      m.weights.forEach((row, t) => {
        expect(row.length, `input ${b} step ${t} columns`).toBe(S);
        expectClose(`input ${b} step ${t} row sum`, [row.reduce((a, x) => a + x, 0)], [1], { atol: 1e-5, rtol: 0 });
        expectClose(`input ${b} step ${t} weights`, row, Array.from(ref.subarray(t * S, (t + 1) * S)), { atol: 1e-4, rtol: 1e-3 });
      });
      if (JSON.stringify(m.weights) !== JSON.stringify(run.greedyMaps![b].weights)) differs++;
    });
    // Where beam 3 chose another path than greedy, its weights are not greedy's.
    const otherPaths = INPUTS.filter((_, b) => JSON.stringify(run.predictions[3][b]) !== JSON.stringify(run.greedyMaps![b].prediction)).length;
    expect(differs).toBeGreaterThanOrEqual(otherPaths);
    console.log(`attn beam 3 maps: ${otherPaths} of ${INPUTS.length} inputs decode otherwise than greedy`);
  });

  it('a file task gets the same maps (its inputs are batched without a target function)', () => {
    expect(run.fileTaskMaps).toEqual(run.maps![3]);
  });
});

// The transformer decodes one position per step over cached keys and values; beam search
// reorders every layer's cache by parent beam each step (models/layers/transformer_decode.ts).
describe('transformer beam search on the GPU (V=17, S=5, B=3, 2 layers, d=6, 3 heads, F=7, init U(-1, 1)): cached keys and values reordered by parent', () => {
  const config: Config = { ...DEFAULT_CONFIG, model: 'transformer', vocab_size: 17, max_length: 5, batch_size: 3, layers: 2, hidden_size: 6, embedding_size: 6, heads: 3, ff_size: 7, init: 'uniform', init_scale: 1, seed: 7, decode_length: 0, reverse_source: false };
  const dims: TransformerDims = { V: 17, d: 6, heads: 3, L: 2, F: 7 };
  const D = config.max_length + 1;
  const EOS = dims.V - 1;
  let run: ModelBeamRun;

  beforeAll(async () => {
    run = await h.call<ModelBeamRun>(PAGE, 'modelBeams', config, INPUTS, [1, 3]);
  }, 600_000);

  it('beam 3 equals the float64 reference beam search over the reference transformer (every final beam)', () => {
    const p = tensorsOf(run.params);
    const swaps = expectBeamsLikeReference(run, 3, (b) => transformerStepLogProbs(p, dims, INPUTS[b], false, D), EOS, true);
    console.log(`transformer beam 3: ${JSON.stringify(run.predictions[3])}, greedy ${JSON.stringify(run.greedyMaps!.map((m) => m.prediction))}, near-tie swaps ${swaps}, dispatches ${JSON.stringify(run.dispatches)}`);
  });

  it('beam 1 equals the greedy decodeStep exactly', () => {
    expectBeam1IsGreedy(run, config.batch_size, D, EOS);
    expect(run.repeatable).toBe(true);
    expect(h.pageErrors).toEqual([]);
  });

  // The maps are the last decoder layer's cross-attention averaged over heads: along each map's
  // own prediction (teacher-forced), the float64 model's weights.
  it.each([['greedy', 0], ['beam 1', 1], ['beam 3', 3]] as const)("%s: the attention maps are the last decoder layer's head-averaged cross-attention of the reference along the prediction", (_name, K) => {
    const p = tensorsOf(run.params);
    INPUTS.forEach((input, b) => {
      const m = K === 0 ? run.greedyMaps![b] : run.maps![K][b];
      if (K > 0) expect(m.prediction, `input ${b} prediction`).toEqual(run.predictions[K][b]);
      expect(m.weights.length, `input ${b} rows`).toBe(Math.min(D, m.prediction.length + 1));
      const decIn = new Int32Array(D);
      decIn[0] = EOS;
      m.prediction.slice(0, D - 1).forEach((tok, i) => (decIn[i + 1] = tok));
      const S = input.length;
      const ref = transformerModelForward(p, dims, { src: Int32Array.from(input), srcLengths: [S], tgt: new Int32Array(D), decIn }, { reverse: false }).crossMean; // (D, 1, S)
      m.weights.forEach((row, t) => {
        expectClose(`input ${b} step ${t} row sum`, [row.reduce((a, x) => a + x, 0)], [1], { atol: 1e-5, rtol: 0 });
        expectClose(`input ${b} step ${t} weights`, row, Array.from(ref.subarray(t * S, (t + 1) * S)), { atol: 1e-5, rtol: 1e-4 });
      });
    });
  });

  it('a file task gets the same maps', () => {
    expect(run.fileTaskMaps).toEqual(run.maps![3]);
  });

  it.each([['greedy', 0], ['beam 1', 1], ['beam 3', 3]] as const)('%s with --heads: the same maps, and each head the reference head along the prediction', (_name, K) => {
    const p = tensorsOf(run.params);
    INPUTS.forEach((input, b) => {
      const [m, plain] = K === 0 ? [run.greedyHeadMaps![b], run.greedyMaps![b]] : [run.headMaps![K][b], run.maps![K][b]];
      expect({ prediction: m.prediction, weights: m.weights }, `input ${b}`).toEqual(plain);
      expect(m.heads!.length, `input ${b} heads`).toBe(dims.heads);
      const decIn = new Int32Array(D);
      decIn[0] = EOS;
      m.prediction.slice(0, D - 1).forEach((tok, i) => (decIn[i + 1] = tok));
      const S = input.length;
      const A = transformerModelForward(p, dims, { src: Int32Array.from(input), srcLengths: [S], tgt: new Int32Array(D), decIn }, { reverse: false }).cross; // (1, heads, D, S)
      m.heads!.forEach((rows, hd) => {
        expect(rows.length, `input ${b} head ${hd} rows`).toBe(m.weights.length);
        rows.forEach((row, t) => expectClose(`input ${b} head ${hd} step ${t}`, row, Array.from(A.subarray((hd * D + t) * S, (hd * D + t + 1) * S)), { atol: 1e-5, rtol: 1e-4 }));
      });
    });
  });
});

describe('blog beam search on the GPU (shared logits rows)', () => {
  const config: Config = { ...DEFAULT_CONFIG, model: 'blog', vocab_size: 17, max_length: 5, batch_size: 3, hidden_size: 8, embedding_size: 5, seed: 4, decode_length: 0 };
  const D = config.max_length + 1;
  const V = config.vocab_size;
  let run: ModelBeamRun;

  beforeAll(async () => {
    run = await h.call<ModelBeamRun>(PAGE, 'modelBeams', config, INPUTS, [1, 3]);
  }, 600_000);

  it('beam 3 equals the reference beam search over the float64 blog logits; beam 1 is greedy', () => {
    const p = tensorsOf(run.params);
    const { batch } = batchFromSamples(config, INPUTS.map((input) => ({ input })), 3);
    const B = 3;
    const { logits } = blogLossAndGrads(p, { V, E: config.embedding_size, H: config.hidden_size, B, S: config.max_length, T: D }, batch);
    const lp = (b: number) => (prefix: number[]) => logSoftmax(logits.subarray((prefix.length * B + b) * V, (prefix.length * B + b + 1) * V));
    // Untrained, the blog decoder's states settle within a few steps, so its step logits are
    // nearly equal across steps and sequences that only move a token differ by ~1e-8: such
    // float32/float64 near-ties are accepted when the reference scores both alike.
    const swaps = expectBeamsLikeReference(run, 3, lp, V - 1, true);
    console.log(`blog beam 3: ${swaps} near-tie swaps of ${3 * B} beams; predictions ${JSON.stringify(run.predictions[3])}`);
    for (let b = 0; b < B; b++) {
      const g = Array.from({ length: D }, (_, t) => run.greedy[t * B + b]);
      const e = g.indexOf(V - 1);
      expect(run.predictions[1][b]).toEqual(g.slice(0, e < 0 ? D : e));
    }
    expect(run.repeatable).toBe(true);
  });
});
