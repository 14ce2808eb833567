// The float64 `blog` reference checked once by central finite differences at tiny sizes
// (V=7, E=3, H=4, B=3 with mixed lengths, S=4): the masked recurrent update on its own,
// then the whole model on every named tensor, plain and as a training step with dropout and
// label smoothing.
import { describe, expect, it } from 'vitest';
import { recurrentUpdateBackward, recurrentUpdateForward } from '../src/reference/recurrent.ts';
import { blogDecode, blogLoss, blogLossAndGrads, blogParamShapes, type BlogBatchRef, type BlogDims, type BlogTensors, type BlogTraining } from '../src/reference/blog_model.ts';
import { expectClose, randomArray } from './helpers/close.ts';
import { numericGradOf } from './helpers/finite_diff.ts';

const FD_TOL = { atol: 1e-7, rtol: 1e-5 };
const EPS = 1e-6;

/** Time-major (S, B) source and (T, B) targets (primes, EOS, PAD) from per-sample lists. */
function makeBatch(samples: number[][], S: number, V: number): BlogBatchRef {
  const B = samples.length;
  const T = S + 1;
  const EOS = V - 1;
  const isPrime = (n: number) => n > 1 && [...Array(n).keys()].slice(2).every((k) => n % k !== 0);
  const src = new Int32Array(S * B);
  const tgt = new Int32Array(T * B);
  samples.forEach((x, b) => {
    x.forEach((v, t) => (src[t * B + b] = v));
    const y = [...x.filter(isPrime), EOS];
    y.forEach((v, t) => (tgt[t * B + b] = v));
  });
  return { src, srcLengths: Int32Array.from(samples, (x) => x.length), tgt };
}

function randomParams(d: Pick<BlogDims, 'V' | 'E' | 'H'>, seed: number, scale = 0.8): BlogTensors {
  const p: BlogTensors = {};
  blogParamShapes(d).forEach(([name, shape], k) => {
    p[name] = Float64Array.from(randomArray(shape.reduce((a, b) => a * b, 1), seed * 100 + k, -scale, scale));
  });
  return p;
}

describe('recurrent update reference', () => {
  const B = 3;
  const H = 5;
  const lengths = [2, 0, 5];
  const t = 1;
  const x = randomArray(B * H, 1);
  const g = randomArray(B * H, 2);
  const hPrev = randomArray(B * H, 3);
  const w = randomArray(B * H, 4); // loss = Σ w · h_out

  it('updates live rows with tanh(x + g) and keeps masked rows', () => {
    const out = recurrentUpdateForward(x, g, hPrev, lengths, t, B, H);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const i = b * H + j;
        expect(out[i]).toBe(t < lengths[b] ? Math.tanh(x[i] + g[i]) : hPrev[i]);
      }
    }
  });

  it('backward matches finite differences for x, g and h_prev', () => {
    const loss = (xx: number[], gg: number[], hh: number[]) => recurrentUpdateForward(xx, gg, hh, lengths, t, B, H).reduce((s, v, i) => s + v * w[i], 0);
    const out = recurrentUpdateForward(x, g, hPrev, lengths, t, B, H);
    const { dpre, dcarry } = recurrentUpdateBackward(w, out, lengths, t, B, H);
    const fd = (which: 0 | 1 | 2) =>
      Array.from({ length: B * H }, (_, i) => {
        const args = [[...x], [...g], [...hPrev]];
        args[which][i] += EPS;
        const up = loss(args[0], args[1], args[2]);
        args[which][i] -= 2 * EPS;
        return (up - loss(args[0], args[1], args[2])) / (2 * EPS);
      });
    expectClose('dx', dpre, fd(0), FD_TOL);
    expectClose('dg', dpre, fd(1), FD_TOL);
    expectClose('dh_prev', dcarry, fd(2), FD_TOL);
  });
});

describe('blog model reference', () => {
  const V = 7;
  const d: BlogDims = { V, E: 3, H: 4, B: 3, S: 4, T: 5 };
  // Lengths 4, 1, 3: the masks matter; sample 1 has no primes (target = EOS only).
  const batch = makeBatch([[2, 4, 5, 3], [1], [3, 3, 4]], d.S, V);
  const p = randomParams(d, 0); // a seed where no tensor is cut off by dead ReLUs (H2 = 2 units)

  it('names every tensor as docs/contract.md §3', () => {
    const names = blogParamShapes(d).map(([n]) => n);
    expect(names).toContain('embedding.weight');
    for (const m of ['encoder.xh', 'encoder.hh', 'decoder.hh', 'decoder.hv']) {
      for (const k of [0, 2, 4]) expect(names).toEqual(expect.arrayContaining([`${m}.${k}.weight`, `${m}.${k}.bias`]));
    }
    expect(names).toHaveLength(25);
    const shape = Object.fromEntries(blogParamShapes(d));
    expect(shape['encoder.xh.0.weight']).toEqual([8, 3]);
    expect(shape['encoder.hh.2.weight']).toEqual([2, 8]);
    expect(shape['decoder.hv.4.weight']).toEqual([7, 2]);
    expect(shape['decoder.hv.4.bias']).toEqual([7]);
  });

  const { loss, grads } = blogLossAndGrads(p, d, batch);

  it('has a finite positive loss near log V', () => {
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeGreaterThan(0);
  });

  it.each(blogParamShapes(d).map(([n]) => n))('gradient of %s matches central finite differences', (name) => {
    const fd = numericGradOf(p[name], () => blogLoss(p, d, batch), EPS);
    expectClose(name, grads[name], fd, FD_TOL);
  });

  it('gives every tensor a non-zero gradient (the check is not vacuous)', () => {
    const live = Object.entries(grads).filter(([, g]) => g.some((v) => v !== 0)).length;
    expect(live).toBe(25);
  });

  it('ignores source tokens past each length (the PAD embedding row gets no gradient)', () => {
    const other = { ...batch, src: Int32Array.from(batch.src) };
    other.src[3 * d.B + 1] = 5; // sample 1 has length 1
    expect(blogLoss(p, d, other)).toBe(loss);
    expect(Array.from(grads['embedding.weight'].subarray(0, d.E))).toEqual([0, 0, 0]);
  });

  it('decodes greedily with the trained-step decoder (same logits as the forward)', () => {
    const { logits } = blogLossAndGrads(p, d, batch);
    const decoded = blogDecode(p, d, batch.src, batch.srcLengths, d.T);
    for (let r = 0; r < d.T * d.B; r++) {
      const row = Array.from(logits.subarray(r * V, (r + 1) * V));
      expect(decoded[r]).toBe(row.indexOf(Math.max(...row)));
    }
  });

  // Fixed masks (seed and step fixed): the gradient through every site's mask and the smoothed loss.
  const training: BlogTraining = { smoothing: 0.1, dropout: { p: 0.3, seed: 5, step: 3 } };
  const trained = blogLossAndGrads(p, d, batch, training);

  it.each(blogParamShapes(d).map(([n]) => n))('with dropout 0.3 and label smoothing 0.1, the gradient of %s matches central finite differences', (name) => {
    const fd = numericGradOf(p[name], () => blogLoss(p, d, batch, training), EPS);
    expectClose(name, trained.grads[name], fd, FD_TOL);
  });

  it('drops only where asked: dropout 0 and smoothing 0 give the plain model bit for bit; other steps draw other masks', () => {
    const off = blogLossAndGrads(p, d, batch, { smoothing: 0, dropout: { p: 0, seed: 5, step: 3 } });
    expect(off.loss).toBe(loss);
    for (const name of Object.keys(grads)) expect(Array.from(off.grads[name]), name).toEqual(Array.from(grads[name]));
    const dropped = (step: number) => blogLoss(p, d, batch, { dropout: { p: 0.3, seed: 5, step } });
    expect(dropped(3)).not.toBe(loss);
    expect(dropped(4)).not.toBe(dropped(3));
    expect(dropped(3)).toBe(dropped(3));
  });

  it("label smoothing is PyTorch's: the loss is (1 − ε)·(the plain loss) + ε·(the loss against the uniform target)", () => {
    const uniform = blogLoss(p, d, batch, { smoothing: 1 });
    for (const eps of [0.1, 0.35]) expect(blogLoss(p, d, batch, { smoothing: eps })).toBeCloseTo((1 - eps) * loss + eps * uniform, 12);
    // Against the uniform target a row's loss is mean_j(−log softmax_j) >= log V (Jensen), equal only for uniform logits.
    expect(uniform).toBeGreaterThan(Math.log(V));
  });
});
