// The beam-search selection step (shaders/beam.wgsl beam_step): per input, the log-softmax
// of each beam's logits and the top K of its K·V candidates, against the float64 beamSelect
// (src/reference/beam.ts). The inputs force every tie rule of its order: logits on a 1/8 grid
// with each row's largest value twice (equal log-probabilities in one beam: the lower token
// wins), beam K-1 a copy of beam 0's row, score and status (equal totals: the lower beam wins),
// live, finished and dead beams (a finished beam offers EOS at +0), and every fourth input
// without a live beam (fewer candidates than K: dead beams at -inf).
import type { Gpu } from '../../gpu/context.ts';
import { slice } from '../../gpu/buffers.ts';
import { beamResultLayout, beamStep } from '../../ops/beam.ts';
import { beamSelect, DEAD, FINISHED, LIVE, logSoftmax } from '../../reference/beam.ts';
import { CaseBuffers, caseOf, type OpCase, type OpDims } from '../case.ts';
import { EXACT } from '../compare.ts';
import { uniformF32 } from '../random.ts';

/** One selection step's inputs: (B, K, V) logits, or (B, V) when `shared` (strideK = 0). */
export interface BeamStepInputs {
  B: number;
  K: number;
  V: number;
  eos: number;
  /** Step 0: the kernel must ignore `scores` and `status` and start from one live beam. */
  first: boolean;
  shared: boolean;
  logits: Float32Array;
  /** (B, K) the previous step's scores and status. */
  scores: Float32Array;
  status: Int32Array;
}

/**
 * The beam width of the kit's sizes: K = 1 + (H mod 5), from 1 to 5 (checkBeamWidth allows 64).
 * The tests' H of 5, 9, 2 and 7 give K = 1, 5, 3 and 3 (K·V = 85 > 64 invocations at V = 17);
 * the GPU check's H = 67 gives K = 3 with K·V = 393.
 */
export const beamWidthOf = (d: OpDims) => 1 + (d.H % 5);

/** Beam k of input b: every fourth input has no live beam; beam K-1 repeats beam 0. */
function statusOf(b: number, k: number, K: number): number {
  if (K > 1 && k === K - 1) return statusOf(b, 0, K);
  if (b % 4 === 3) return k === 0 ? DEAD : FINISHED;
  return [LIVE, FINISHED, DEAD][(b + k) % 3];
}

/** Rows of V logits on a 1/8 grid, each row's largest value repeated at a second token. */
function tiedLogits(rows: number, V: number, seed: number): Float32Array {
  const x = uniformF32(rows * V, seed, -3, 3).map((v) => Math.round(v * 8) / 8);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * V, (r + 1) * V);
    const top = row.reduce((best, v, j) => (v > row[best] ? j : best), 0);
    row[(top + 1 + Math.floor(V / 2)) % V] = row[top];
  }
  return x;
}

/** Seeded inputs at the kit's sizes: batch B, vocabulary V, K = beamWidthOf(d), EOS = V - 1. */
export function beamStepInputs(d: OpDims, o: { first: boolean; shared: boolean }): BeamStepInputs {
  const { B, V } = d;
  const K = beamWidthOf(d);
  const perBeam = o.shared ? 1 : K;
  const logits = tiedLogits(B * perBeam, V, o.shared ? 192 : 191);
  const status = Int32Array.from({ length: B * K }, (_, i) => statusOf(Math.floor(i / K), i % K, K));
  // Dead beams hold -inf, as the kernel leaves them; the rest a score of a few steps.
  const scores = uniformF32(B * K, 193, -4, -1).map((s, i) => (status[i] === DEAD ? -Infinity : s));
  for (let b = 0; b < B && K > 1; b++) {
    scores[b * K + K - 1] = scores[b * K];
    if (!o.shared) logits.copyWithin((b * K + K - 1) * V, b * K * V, (b * K + 1) * V);
  }
  return { B, K, V, eos: V - 1, ...o, logits, scores, status };
}

/** beamSelect of every input, flattened to (B, K): log-softmax in float64 of the float32 logits. */
export function selectReference(x: BeamStepInputs) {
  const { B, K, V } = x;
  const out = { tokens: [] as number[], parents: [] as number[], scores: [] as number[], status: [] as number[] };
  for (let b = 0; b < B; b++) {
    const rowOf = (k: number) => (x.shared ? b * V : (b * K + k) * V);
    const prev = { scores: x.scores.subarray(b * K, (b + 1) * K), status: x.status.subarray(b * K, (b + 1) * K) };
    const s = beamSelect(prev, (k) => logSoftmax(x.logits.subarray(rowOf(k), rowOf(k) + V)), K, V, x.eos, x.first);
    for (const key of ['tokens', 'parents', 'scores', 'status'] as const) out[key].push(...s[key]);
  }
  return out;
}

/**
 * The case of one beam_step at step t (0 when first, else 1) of D = 2: the result buffer holds
 * the previous scores and status and stale token rows; tokens, parents and status must match
 * exactly, scores under the tolerance rule (-inf exactly for dead beams).
 */
export function beamStepCaseOf(gpu: Gpu, op: string, x: BeamStepInputs): OpCase {
  const { B, K, V } = x;
  const t = x.first ? 0 : 1;
  const lay = beamResultLayout(2, B, K);
  const bufs = new CaseBuffers(gpu);
  const resultHost = new Int32Array(lay.size).fill(-1);
  new Float32Array(resultHost.buffer, lay.scores * 4, B * K).set(x.scores);
  resultHost.set(x.status, lay.status);
  const result = bufs.input('result', resultHost);
  const logits = bufs.input('logits', x.logits);
  const dispatch = beamStep(gpu, { logits, strideB: x.shared ? V : K * V, strideK: x.shared ? 0 : V, vocab: V, batch: B, beam: K, eos: x.eos, step: t, result, steps: 2, label: `check.${op}` });
  const ref = selectReference(x);
  const part = (offset: number) => slice(result, offset, B * K);
  return caseOf(bufs, {
    op,
    shape: `B=${B} K=${K} V=${V}`,
    dispatches: [dispatch],
    // Each beam's logits row read once (only beam 0's at the first step), 2 inputs and 4 outputs per beam.
    bytes: 4 * (B * (x.shared || x.first ? 1 : K) * V + 6 * B * K),
    expected: [
      { name: 'tokens', view: part(lay.tokens + t * B * K), ref: ref.tokens, i32: true, ...EXACT },
      { name: 'parents', view: part(lay.parents + t * B * K), ref: ref.parents, i32: true, ...EXACT },
      { name: 'status', view: part(lay.status), ref: ref.status, i32: true, ...EXACT },
      { name: 'scores', view: part(lay.scores), ref: ref.scores },
    ],
  });
}

/** A later step, one logits row per beam. */
export const beamStepCase = (gpu: Gpu, d: OpDims) => beamStepCaseOf(gpu, 'beam_step', beamStepInputs(d, { first: false, shared: false }));

/** Step 0: one live beam of score 0, whatever the result buffer holds. */
export const beamStepFirstCase = (gpu: Gpu, d: OpDims) => beamStepCaseOf(gpu, 'beam_step_first', beamStepInputs(d, { first: true, shared: false }));

/** Every beam of an input reads one shared row (strideK = 0): equal scores tie by beam. */
export const beamStepSharedCase = (gpu: Gpu, d: OpDims) => beamStepCaseOf(gpu, 'beam_step_shared', beamStepInputs(d, { first: false, shared: true }));
