// The `blog` model on WebGPU in headless Chrome against the float64 reference
// (src/reference/blog_model.ts): the golden test (loss and every named gradient of a few
// trainStep runs, plain and with dropout and label smoothing), greedy decoding and determinism. The masked recurrent update it is built
// on has its own test: recurrent.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/harness.ts';
import { expectClose } from '../helpers/close.ts';
import type { BlogRunResult } from './pages/blog.ts';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.ts';
import { makeBatch } from '../../src/task/batch.ts';
import { blogDecode, blogLossAndGrads, blogParamShapes, type BlogDims, type BlogTensors, type BlogTraining } from '../../src/reference/blog_model.ts';

const PAGE = '/test/gpu/pages/blog.ts';
const h = useHarness();

// Tiny sizes with mixed source lengths: V=13 (numbers 1..11), E=3, H=6 (H2=3), B=5, S=5, T=6.
const TINY: Partial<Config> = { model: 'blog', vocab_size: 13, embedding_size: 3, hidden_size: 6, batch_size: 5, max_length: 5, min_length: 1, seed: 3 };
// Dropout at every site and label smoothing, at sizes no tile divides: V=19, E=5, H=10 (2H=20, H2=5), B=7, S=6, T=7.
const AWKWARD: Partial<Config> = { model: 'blog', vocab_size: 19, embedding_size: 5, hidden_size: 10, batch_size: 7, max_length: 6, min_length: 1, seed: 9, dropout: 0.2, label_smoothing: 0.1 };
/** The training step the golden runs compute: its dropout masks. */
const STEP = 7;
const GRAD_TOL = { atol: 2e-6, rtol: 1e-4 };

function dimsOf(c: Config): BlogDims {
  return { V: c.vocab_size, E: c.embedding_size, H: c.hidden_size, B: c.batch_size, S: c.max_length, T: c.max_length + 1 };
}

/** What the trainStep at STEP computes beside the plain forward: the config's dropout and label smoothing. */
function trainingOf(c: Config): BlogTraining {
  return { smoothing: c.label_smoothing, dropout: c.dropout > 0 ? { p: c.dropout, seed: c.seed, step: STEP } : undefined };
}

function toTensors(named: Record<string, number[]>): BlogTensors {
  return Object.fromEntries(Object.entries(named).map(([k, v]) => [k, Float64Array.from(v)]));
}

describe.each([
  ['tiny', TINY],
  ['dropout 0.2, label smoothing 0.1, awkward sizes', AWKWARD],
])('blog model (golden test against the float64 reference): %s', (_name, overrides) => {
  const config: Config = { ...DEFAULT_CONFIG, ...overrides };
  const d = dimsOf(config);
  const training = trainingOf(config);
  // Runs 0 and 2 use the same batch: gradients are overwritten, and bit-identical.
  const specs = [{ seed: 11, start: 0 }, { seed: 11, start: 5 }, { seed: 11, start: 0 }];
  let r: BlogRunResult;
  let p: BlogTensors;

  beforeAll(async () => {
    r = await h.call<BlogRunResult>(PAGE, 'runBlog', overrides, specs, STEP);
    p = toTensors(r.params);
  });

  it('has the batches it claims (mixed lengths, so masks matter)', () => {
    const lengths = new Set(specs.flatMap((s) => Array.from(makeBatch(config, 'train', s.seed, s.start, d.B).srcLengths)));
    expect(lengths.size).toBeGreaterThan(2);
  });

  it('records 48 + 10·S + 9·T dispatches per trainStep (12 more with dropout) and 9 + 4·S + 3·L per decodeStep, one submit each', () => {
    expect(r.trainDispatches).toBe(48 + 10 * d.S + 9 * d.T + (config.dropout > 0 ? 12 : 0));
    expect(r.decodeDispatches).toBe(9 + 4 * d.S + 3 * d.T);
    expect(r.submits).toBe(2 * specs.length);
  });

  it.each([0, 1, 2])('run %i: loss and every named gradient match the reference', (i) => {
    const s = specs[i];
    const batch = makeBatch(config, 'train', s.seed, s.start, d.B);
    const ref = blogLossAndGrads(p, d, batch, training);
    expectClose('loss', [r.runs[i].loss], [ref.loss], { atol: 1e-6, rtol: 1e-5 });
    const names = Object.keys(ref.grads);
    expect(Object.keys(r.runs[i].grads).sort()).toEqual([...names].sort());
    for (const name of names) expectClose(`run ${i} ${name}`, r.runs[i].grads[name], ref.grads[name], GRAD_TOL);
  });

  it('starts from PyTorch default init: Linear U(±1/sqrt(in)) for weight and bias, Embedding N(0, 1)', () => {
    const shapes = Object.fromEntries(blogParamShapes(d));
    for (const [name, v] of Object.entries(r.params)) {
      if (name === 'embedding.weight') continue;
      const fanIn = shapes[name.replace(/bias$/, 'weight')][1];
      expect(Math.max(...v.map(Math.abs)), name).toBeLessThanOrEqual(1 / Math.sqrt(fanIn));
    }
    const e = r.params['embedding.weight'];
    const mean = e.reduce((a, b) => a + b, 0) / e.length;
    expect(Math.abs(mean)).toBeLessThan(0.5);
    expect(Math.max(...e.map(Math.abs))).toBeGreaterThan(1); // N(0, 1), not a small uniform bound
  });

  it('the check is not vacuous: every tensor gets a non-zero gradient, and dropout drops', () => {
    const dead = Object.entries(r.runs[0].grads).filter(([, g]) => !g.some((v) => v !== 0)).map(([n]) => n);
    expect(dead).toEqual([]);
    if (config.dropout === 0) return;
    const batch = makeBatch(config, 'train', specs[0].seed, specs[0].start, d.B);
    expect(Math.abs(r.runs[0].loss - blogLossAndGrads(p, d, batch, { smoothing: config.label_smoothing }).loss)).toBeGreaterThan(1e-3);
  });

  it('draws other masks at another step (dropout only)', () => {
    if (config.dropout === 0) expect(r.otherStepLoss).toBeNull();
    else expect(r.otherStepLoss).not.toBe(r.runs[0].loss);
  });

  it('is deterministic: the same batch gives bit-identical loss and gradients', () => {
    expect(r.runs[2].loss).toBe(r.runs[0].loss);
    for (const name of Object.keys(r.runs[0].grads)) expect(r.runs[2].grads[name], name).toEqual(r.runs[0].grads[name]);
    expect(r.decoded[2]).toEqual(r.decoded[0]);
  });

  it('decodeStep equals greedy CPU decoding (which never drops)', () => {
    specs.forEach((s, i) => {
      const batch = makeBatch(config, 'train', s.seed, s.start, d.B);
      expect(r.decoded[i]).toEqual(Array.from(blogDecode(p, d, batch.src, batch.srcLengths, d.T)));
    });
  });
});

describe('blog model decoding with decode_length != T', () => {
  it('decodes 9 steps (L > T) like the CPU', async () => {
    const overrides: Partial<Config> = { ...TINY, seed: 5, decode_length: 9 };
    const config: Config = { ...DEFAULT_CONFIG, ...overrides };
    const d = dimsOf(config);
    const specs = [{ seed: 2, start: 0 }];
    const r = await h.call<BlogRunResult>(PAGE, 'runBlog', overrides, specs);
    expect(r.decodeDispatches).toBe(9 + 4 * d.S + 3 * 9);
    const batch = makeBatch(config, 'train', 2, 0, d.B);
    const p = toTensors(r.params);
    expect(r.decoded[0]).toEqual(Array.from(blogDecode(p, d, batch.src, batch.srcLengths, 9)));
    // and its training step still matches the reference
    const ref = blogLossAndGrads(p, d, batch);
    expectClose('loss', [r.runs[0].loss], [ref.loss], { atol: 1e-6, rtol: 1e-5 });
  });
});

describe('blog model with the full vocabulary', () => {
  it('matches the reference at V=100, E=8, H=32, B=8, S=6 (loss, gradients, decoding)', async () => {
    const overrides: Partial<Config> = { model: 'blog', vocab_size: 100, embedding_size: 8, hidden_size: 32, batch_size: 8, max_length: 6, seed: 1 };
    const config: Config = { ...DEFAULT_CONFIG, ...overrides };
    const d = dimsOf(config);
    const r = await h.call<BlogRunResult>(PAGE, 'runBlog', overrides, [{ seed: 4, start: 0 }]);
    const batch = makeBatch(config, 'train', 4, 0, d.B);
    const p = toTensors(r.params);
    const ref = blogLossAndGrads(p, d, batch);
    expectClose('loss', [r.runs[0].loss], [ref.loss], { atol: 1e-5, rtol: 1e-5 });
    for (const name of Object.keys(ref.grads)) expectClose(name, r.runs[0].grads[name], ref.grads[name], { atol: 1e-6, rtol: 1e-3 });
    expect(r.decoded[0]).toEqual(Array.from(blogDecode(p, d, batch.src, batch.srcLengths, d.T)));
  });
});
