// The float64 reference beam search (src/reference/beam.ts) on hand-made probability tables
// against brute force over every sequence, beam 1 against greedy, the selection rules
// (finished beams, step 0, too few candidates, ties), and the GPU side's backtracking.
import { describe, expect, it } from 'vitest';
import { beamSearch, beamSelect, DEAD, FINISHED, LIVE, logSoftmax, lstmStepLogProbs } from '../src/reference/beam.ts';
import { lstmGreedyDecode, lstmInitParams, type LstmDims } from '../src/reference/lstm_model.ts';
import { seededUniform } from './helpers/close.ts';

const EOS = 2; // V = 3: tokens 0, 1 and EOS

/** Every sequence of at most `steps` tokens that ends at its first EOS or runs `steps` tokens without one, with its log-probability. */
function bruteForce(logProbs: (prefix: number[]) => ArrayLike<number>, V: number, eos: number, steps: number): { seq: number[]; score: number }[] {
  const out: { seq: number[]; score: number }[] = [];
  const walk = (prefix: number[], score: number) => {
    if (prefix.length === steps) {
      out.push({ seq: prefix, score });
      return;
    }
    const lp = logProbs(prefix);
    for (let j = 0; j < V; j++) {
      if (j === eos) out.push({ seq: prefix, score: score + lp[j] });
      else walk([...prefix, j], score + lp[j]);
    }
  };
  walk([], 0);
  return out;
}

function greedy(logProbs: (prefix: number[]) => ArrayLike<number>, V: number, eos: number, steps: number): number[] {
  const seq: number[] = [];
  for (let t = 0; t < steps; t++) {
    const lp = logProbs(seq);
    let best = 0;
    for (let j = 1; j < V; j++) if (lp[j] > lp[best]) best = j;
    if (best === eos) break;
    seq.push(best);
  }
  return seq;
}

/** A table of next-token probabilities keyed by prefix; unlisted prefixes are near-uniform. */
function table(rows: Record<string, number[]>): (prefix: number[]) => number[] {
  return (prefix) => (rows[prefix.join(',')] ?? [0.3, 0.3, 0.4]).map(Math.log);
}

describe('reference beam search on hand-made probability tables', () => {
  // Greedy takes 0 (p 0.5) and then at best EOS at 0.4: 0.20. The best sequence starts with
  // the less likely 1 (0.4) and then ends at once (0.9): 0.36.
  const lp = table({ '': [0.5, 0.4, 0.1], '0': [0.3, 0.3, 0.4], '1': [0.05, 0.05, 0.9] });

  it('beam 2 finds the best sequence that greedy misses', () => {
    const all = bruteForce(lp, 3, EOS, 3);
    const best = all.reduce((a, b) => (b.score > a.score ? b : a));
    expect(best.seq).toEqual([1]);
    expect(Math.exp(best.score)).toBeCloseTo(0.36, 12);
    expect(greedy(lp, 3, EOS, 3)).toEqual([0]);
    const r = beamSearch(lp, { beam: 2, steps: 3, vocab: 3, eos: EOS });
    expect(r.best).toEqual(best.seq);
    expect(r.score).toBeCloseTo(best.score, 12);
    // Beam 1 is greedy.
    expect(beamSearch(lp, { beam: 1, steps: 3, vocab: 3, eos: EOS }).best).toEqual([0]);
  });

  it('beam 1 equals greedy and a beam as wide as all sequences is exact, on random tables', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const memo = new Map<string, number[]>();
      const rnd = seededUniform(seed, 0.01, 1);
      const lpr = (prefix: number[]) => {
        const key = prefix.join(',');
        if (!memo.has(key)) {
          const p = [rnd(), rnd(), rnd(), rnd() * 0.6];
          const z = p.reduce((a, b) => a + b, 0);
          memo.set(key, p.map((v) => Math.log(v / z)));
        }
        return memo.get(key)!;
      };
      const V = 4;
      const eos = 3;
      const steps = 3;
      const all = bruteForce(lpr, V, eos, steps);
      const best = all.reduce((a, b) => (b.score > a.score ? b : a));
      const wide = beamSearch(lpr, { beam: V ** steps, steps, vocab: V, eos });
      expect(wide.score).toBeCloseTo(best.score, 12);
      expect(wide.best).toEqual(best.seq);
      expect(beamSearch(lpr, { beam: 1, steps, vocab: V, eos }).best).toEqual(greedy(lpr, V, eos, steps));
      // A wider beam never scores below a narrower one here (no length normalisation).
      const b2 = beamSearch(lpr, { beam: 2, steps, vocab: V, eos });
      expect(b2.score).toBeLessThanOrEqual(best.score + 1e-12);
      expect(b2.score).toBeGreaterThanOrEqual(beamSearch(lpr, { beam: 1, steps, vocab: V, eos }).score - 1e-12);
    }
  });
});

describe('beamSelect rules', () => {
  it('starts from one live beam, so step 0 does not fill the beam with copies', () => {
    const rows = [logSoftmax([1, 3, 3, 0]), logSoftmax([9, 9, 9, 9]), logSoftmax([9, 9, 9, 9])];
    const s = beamSelect({ scores: [0, 0, 0], status: [0, 0, 0] }, (k) => rows[k], 3, 4, 3, true);
    expect(s.parents).toEqual([0, 0, 0]);
    expect(s.tokens).toEqual([1, 2, 0]); // the tie 1/2 goes to the lower token
    expect(s.status).toEqual([LIVE, LIVE, LIVE]);
  });

  it('extends finished beams only with themselves at +0, breaks ties by beam then token, and marks missing beams dead', () => {
    const row = logSoftmax([0, 1, 2, 0.5]);
    // log p = [-2.546, -1.546, -0.546, -2.046]: the finished beam's -1.2 beats -1 + log p(2) = -1.546,
    // which beams 0 and 2 offer alike (beam 0's first).
    const s = beamSelect({ scores: [-1, -1.2, -1], status: [LIVE, FINISHED, LIVE] }, () => row, 3, 4, 3, false);
    expect(s.tokens).toEqual([3, 2, 2]);
    expect(s.parents).toEqual([1, 0, 2]);
    expect(s.status).toEqual([FINISHED, LIVE, LIVE]);
    expect(s.scores[0]).toBe(-1.2);
    expect(s.scores[1]).toBe(s.scores[2]);
    expect(s.scores[1]).toBeCloseTo(-1 + row[2], 12);
    const few = beamSelect({ scores: [-2, -3, 0], status: [FINISHED, FINISHED, DEAD] }, () => row, 3, 4, 3, false);
    expect(few.tokens).toEqual([3, 3, 3]);
    expect(few.parents).toEqual([0, 1, 2]);
    expect(few.scores).toEqual([-2, -3, -Infinity]);
    expect(few.status).toEqual([FINISHED, FINISHED, DEAD]);
  });
});

describe('reference beam over the float64 lstm', () => {
  it('beam 1 equals lstmGreedyDecode cut before EOS', () => {
    const d: LstmDims = { V: 11, E: 4, H: 6, L: 2 };
    const p = lstmInitParams(d, { seed: 5, init: 'uniform', init_scale: 0.6 });
    for (const input of [[3, 5, 8], [2], [9, 9, 4, 7]]) {
      const steps = 5;
      const S = input.length;
      const g = Array.from(lstmGreedyDecode(p, d, input, [S], steps, true));
      const cut = g.indexOf(d.V - 1) < 0 ? g : g.slice(0, g.indexOf(d.V - 1));
      const r = beamSearch(lstmStepLogProbs(p, d, input, true, steps), { beam: 1, steps, vocab: d.V, eos: d.V - 1 });
      expect(r.best).toEqual(cut);
    }
  });
});
