// Float64 reference beam search over any step function, with exactly the rules of the GPU
// kernel (shaders/beam.wgsl):
// - step 0 starts from one live hypothesis (the empty prefix, score 0);
// - a live beam k offers every token j at score[k] + log p(j | its prefix);
// - a finished beam (it emitted EOS) offers only EOS again at +0 (it keeps its score);
// - per step the K best candidates become the new beams, best first, ordered by higher
//   total, then lower parent beam, then (within a beam) higher log-probability, then lower j;
// - scores are plain sums of log-probabilities (no length normalisation); after `steps`
//   steps the best beam wins (lowest index on ties), unfinished beams included.
// Also lstmStepLogProbs: the float64 LSTM's next-token log-probabilities after a prefix.
import { lstmModelForward, type LstmDims, type Tensors } from './lstm_model.ts';

export const DEAD = 0;
export const LIVE = 1;
export const FINISHED = 2;

export interface BeamHyp {
  /** Every token emitted, `steps` of them (a finished beam repeats EOS). */
  tokens: number[];
  score: number;
  status: number;
}

export interface BeamSelection {
  /** (K) for each new beam: its token, parent beam, score and status (DEAD when too few candidates). */
  tokens: number[];
  parents: number[];
  scores: number[];
  status: number[];
}

/**
 * One selection step. `prev` holds the K beams' scores and status (ignored when `first`:
 * then beam 0 is live with score 0 and the rest are dead); `logProbs[k]` are beam k's
 * log-probabilities (read only for live beams).
 */
export function beamSelect(
  prev: { scores: ArrayLike<number>; status: ArrayLike<number> },
  logProbs: (k: number) => ArrayLike<number>,
  K: number,
  V: number,
  eos: number,
  first: boolean,
): BeamSelection {
  const cands: { total: number; k: number; key: number; j: number }[] = [];
  for (let k = 0; k < K; k++) {
    const status = first ? (k === 0 ? LIVE : DEAD) : prev.status[k];
    const score = first ? 0 : prev.scores[k];
    if (status === LIVE) {
      const lp = logProbs(k);
      for (let j = 0; j < V; j++) cands.push({ total: score + lp[j], k, key: lp[j], j });
    } else if (status === FINISHED) {
      cands.push({ total: score, k, key: 0, j: eos });
    }
  }
  cands.sort((a, b) => (a.total !== b.total ? b.total - a.total : a.k !== b.k ? a.k - b.k : a.key !== b.key ? b.key - a.key : a.j - b.j));
  const out: BeamSelection = { tokens: [], parents: [], scores: [], status: [] };
  for (let i = 0; i < K; i++) {
    const c = cands[i];
    if (!c) {
      out.tokens.push(eos);
      out.parents.push(i);
      out.scores.push(-Infinity);
      out.status.push(DEAD);
      continue;
    }
    out.tokens.push(c.j);
    out.parents.push(c.k);
    out.scores.push(c.total);
    out.status.push(c.j === eos ? FINISHED : LIVE);
  }
  return out;
}

export interface BeamSearchResult {
  /** The K final beams, best first (dead ones last, score -Infinity). */
  beams: BeamHyp[];
  /** The best beam's tokens cut before the first EOS, and its score. */
  best: number[];
  score: number;
}

/** Beam search of width K for `steps` steps; `logProbs(prefix)` gives log p(· | prefix) over V tokens. */
export function beamSearch(logProbs: (prefix: number[]) => ArrayLike<number>, opts: { beam: number; steps: number; vocab: number; eos: number }): BeamSearchResult {
  const { beam: K, steps, vocab: V, eos } = opts;
  let beams: BeamHyp[] = Array.from({ length: K }, (_, k) => ({ tokens: [], score: k === 0 ? 0 : -Infinity, status: k === 0 ? LIVE : DEAD }));
  for (let t = 0; t < steps; t++) {
    const sel = beamSelect(
      { scores: beams.map((b) => b.score), status: beams.map((b) => b.status) },
      (k) => logProbs(beams[k].tokens),
      K,
      V,
      eos,
      t === 0,
    );
    beams = sel.tokens.map((tok, i) => ({ tokens: [...beams[sel.parents[i]].tokens, tok], score: sel.scores[i], status: sel.status[i] }));
  }
  let best = 0;
  for (let i = 1; i < K; i++) if (beams[i].score > beams[best].score) best = i;
  const cut = beams[best].tokens.indexOf(eos);
  return { beams, best: cut < 0 ? beams[best].tokens : beams[best].tokens.slice(0, cut), score: beams[best].score };
}

/** log-softmax of one row. */
export function logSoftmax(row: ArrayLike<number>): Float64Array {
  let mx = -Infinity;
  for (let i = 0; i < row.length; i++) mx = Math.max(mx, row[i]);
  let s = 0;
  for (let i = 0; i < row.length; i++) s += Math.exp(row[i] - mx);
  const lse = mx + Math.log(s);
  return Float64Array.from(row, (v) => v - lse);
}

/**
 * log p(· | prefix) of a decoder fed EOS then the prefix (teacher forcing): `logitsOf` runs
 * the float64 model over decIn (maxSteps) and returns its (maxSteps, V) logits; the row after
 * the prefix's last token is normalised. Memoised per prefix.
 */
export function teacherForcedLogProbs(label: string, V: number, maxSteps: number, logitsOf: (decIn: Int32Array) => Float64Array): (prefix: number[]) => Float64Array {
  const memo = new Map<string, Float64Array>();
  return (prefix) => {
    const key = prefix.join(',');
    const hit = memo.get(key);
    if (hit) return hit;
    if (prefix.length >= maxSteps) throw new RangeError(`${label}: a prefix of ${prefix.length} tokens needs more than ${maxSteps} decoder steps.`);
    const decIn = new Int32Array(maxSteps);
    decIn[0] = V - 1;
    prefix.forEach((tok, i) => (decIn[i + 1] = tok));
    const t = prefix.length;
    const out = logSoftmax(logitsOf(decIn).subarray(t * V, (t + 1) * V));
    memo.set(key, out);
    return out;
  };
}

/** The float64 LSTM's log p(· | prefix) for one source sequence. */
export function lstmStepLogProbs(p: Tensors, d: LstmDims, input: number[], reverse: boolean, maxSteps: number): (prefix: number[]) => Float64Array {
  const src = Int32Array.from(input);
  return teacherForcedLogProbs('lstmStepLogProbs', d.V, maxSteps, (decIn) => lstmModelForward(p, d, { src, srcLengths: [input.length], tgt: new Int32Array(maxSteps), decIn }, reverse).logits);
}

/**
 * The state gather after a selection step: row r = b·K + i of (B·K, H) takes the row of its
 * parent beam, b·K + parents[r], so each new beam continues its parent's recurrent state.
 */
export function gatherByParent(state: ArrayLike<number>, parents: ArrayLike<number>, K: number, H: number): Float64Array {
  const out = new Float64Array(parents.length * H);
  for (let r = 0; r < parents.length; r++) {
    const from = (Math.floor(r / K) * K + parents[r]) * H;
    for (let e = 0; e < H; e++) out[r * H + e] = state[from + e];
  }
  return out;
}

/** The encoder's (B, H) final state copied to each of the K beams of its input: (B·K, H). */
export function expandToBeams(src: ArrayLike<number>, B: number, K: number, H: number): Float64Array {
  const out = new Float64Array(B * K * H);
  for (let r = 0; r < B * K; r++) for (let e = 0; e < H; e++) out[r * H + e] = src[Math.floor(r / K) * H + e];
  return out;
}
