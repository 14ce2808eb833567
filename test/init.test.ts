// Initialisation (contract §3 `init`): which distribution each named tensor gets under
// `pytorch` and `uniform`, bounds, independence of streams, and a Kolmogorov–Smirnov check
// of the drawn values against the intended distribution on large tensors.
import { describe, expect, it } from 'vitest';
import { initRule, initTensors, initialArena, type InitSettings } from '../src/reference/init.ts';
import { lstmInitParams, lstmParamShapes } from '../src/reference/lstm_model.ts';
import { blogParamShapes } from '../src/reference/blog_model.ts';

/** Sup |F_n(x) − F(x)| over the sorted sample. */
function ksStatistic(values: Float32Array, cdf: (x: number) => number): number {
  const xs = Float64Array.from(values).sort();
  let d = 0;
  for (let i = 0; i < xs.length; i++) {
    const f = cdf(xs[i]);
    d = Math.max(d, Math.abs((i + 1) / xs.length - f), Math.abs(f - i / xs.length));
  }
  return d;
}

/** Standard normal CDF via erf (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return 0.5 * (1 + Math.sign(x) * erf);
}

const maxAbs = (v: Float32Array) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const uniformCdf = (b: number) => (x: number) => Math.min(1, Math.max(0, (x + b) / (2 * b)));
/** The KS critical value at alpha = 0.001 for n samples. */
const ksCritical = (n: number) => 1.95 / Math.sqrt(n);

describe('init=pytorch (PyTorch defaults)', () => {
  const s: InitSettings = { init: 'pytorch', init_scale: 0.08, seed: 11 };
  const d = { V: 300, E: 40, H: 100, L: 2 };
  const tensors = initTensors(lstmParamShapes(d), s);

  it('gives each named tensor of the lstm its PyTorch rule', () => {
    const shapes = new Map(lstmParamShapes(d));
    const weightOf = (n: string) => shapes.get(n)!;
    const rule = (n: string) => initRule(s, n, shapes.get(n)!, weightOf);
    expect(rule('src_embedding.weight')).toEqual({ kind: 'normal', std: 1 });
    expect(rule('tgt_embedding.weight')).toEqual({ kind: 'normal', std: 1 });
    for (const n of ['encoder.weight_ih_l0', 'encoder.weight_hh_l1', 'decoder.bias_ih_l0', 'decoder.bias_hh_l1']) {
      expect(rule(n), n).toEqual({ kind: 'uniform', bound: 1 / Math.sqrt(100) }); // 1/sqrt(H), whatever the input width
    }
    expect(rule('output.weight')).toEqual({ kind: 'uniform', bound: 1 / Math.sqrt(100) }); // in = H
    expect(rule('output.bias')).toEqual({ kind: 'uniform', bound: 1 / Math.sqrt(100) });
  });

  it('gives the blog MLP layers 1/sqrt(in) from their own weight, biases from the sibling weight', () => {
    const shapes = new Map(blogParamShapes({ V: 30, E: 12, H: 16 }));
    const weightOf = (n: string) => shapes.get(n)!;
    expect(initRule(s, 'encoder.xh.0.weight', shapes.get('encoder.xh.0.weight')!, weightOf)).toEqual({ kind: 'uniform', bound: 1 / Math.sqrt(12) });
    expect(initRule(s, 'encoder.xh.0.bias', shapes.get('encoder.xh.0.bias')!, weightOf)).toEqual({ kind: 'uniform', bound: 1 / Math.sqrt(12) });
    expect(initRule(s, 'decoder.hv.4.bias', shapes.get('decoder.hv.4.bias')!, weightOf)).toEqual({ kind: 'uniform', bound: 1 / Math.sqrt(8) });
  });

  it('draws N(0, 1) embeddings (KS test on 12,000 values, mean and variance)', () => {
    const e = tensors.get('src_embedding.weight')!;
    expect(ksStatistic(e, normalCdf)).toBeLessThan(ksCritical(e.length));
    const mean = e.reduce((a, v) => a + v, 0) / e.length;
    const variance = e.reduce((a, v) => a + (v - mean) ** 2, 0) / e.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('draws LSTM weights U(±1/sqrt(H)) within bounds (KS test on 40,000 values)', () => {
    const w = tensors.get('decoder.weight_hh_l1')!;
    const b = 1 / Math.sqrt(100);
    expect(w.length).toBe(40_000);
    expect(maxAbs(w)).toBeLessThanOrEqual(b);
    expect(ksStatistic(w, uniformCdf(b))).toBeLessThan(ksCritical(w.length));
  });

  it('would reject a wrong bound (the KS check has power)', () => {
    const w = tensors.get('decoder.weight_hh_l1')!;
    expect(ksStatistic(w, uniformCdf(0.12))).toBeGreaterThan(ksCritical(w.length));
  });
});

describe('init=uniform (the paper)', () => {
  const s: InitSettings = { init: 'uniform', init_scale: 0.08, seed: 5 };
  const d = { V: 300, E: 40, H: 100, L: 1 };
  it('draws every tensor, embeddings included, from U(±init_scale) (KS on the embedding and a weight)', () => {
    const t = initTensors(lstmParamShapes(d), s);
    for (const [name, values] of t) expect(maxAbs(values), name).toBeLessThanOrEqual(0.08);
    for (const name of ['src_embedding.weight', 'encoder.weight_ih_l0']) {
      const v = t.get(name)!;
      expect(ksStatistic(v, uniformCdf(0.08)), name).toBeLessThan(ksCritical(v.length));
    }
  });
});

/** An arena layout as src/gpu/buffers.ts builds it (offsets rounded up to 64 floats), without a GPU. */
function paddedLayout(shapes: [string, number[]][]) {
  const entries: { name: string; shape: number[]; offset: number; length: number }[] = [];
  let size = 0;
  for (const [name, shape] of shapes) {
    const length = shape.reduce((a, b) => a * b, 1);
    entries.push({ name, shape, offset: size, length });
    size = Math.ceil((size + length) / 64) * 64;
  }
  return { size, entries } as unknown as Parameters<typeof initialArena>[0];
}

describe('one source of initial values', () => {
  const d = { V: 17, E: 5, H: 7, L: 2 };
  it.each(['pytorch', 'uniform'] as const)('the GPU arena (%s) holds exactly the reference tensors, padding zero', (init) => {
    const s: InitSettings = { init, init_scale: 0.3, seed: 9 };
    const layout = paddedLayout(lstmParamShapes(d));
    const arena = initialArena(layout, s);
    const ref = lstmInitParams(d, s);
    const covered = new Uint8Array(layout.size);
    for (const e of layout.entries) {
      expect(Array.from(arena.subarray(e.offset, e.offset + e.length)), e.name).toEqual(Array.from(ref[e.name]));
      covered.fill(1, e.offset, e.offset + e.length);
    }
    for (let i = 0; i < layout.size; i++) if (!covered[i]) expect(arena[i]).toBe(0);
  });

  it('streams are per tensor: the same name and seed give the same values in a different model', () => {
    const s: InitSettings = { init: 'pytorch', init_scale: 0.08, seed: 4 };
    const a = initTensors(lstmParamShapes({ V: 17, E: 5, H: 7, L: 1 }), s).get('encoder.weight_hh_l0')!;
    const b = initTensors(lstmParamShapes({ V: 40, E: 9, H: 7, L: 3 }), s).get('encoder.weight_hh_l0')!;
    expect(Array.from(b)).toEqual(Array.from(a));
    const other = initTensors(lstmParamShapes({ V: 17, E: 5, H: 7, L: 1 }), { ...s, seed: 5 }).get('encoder.weight_hh_l0')!;
    expect(Array.from(other)).not.toEqual(Array.from(a));
  });
});
