// Beam-search decoding of whole batches on the GPU (models/beam.ts records it; one submit,
// one readback), then backtracking through the parent beams on the CPU.
import type { Gpu } from '../gpu/context.ts';
import type { GpuModel } from '../models/model.ts';
import type { BeamProgram } from '../models/beam.ts';
import { BEAM_DEAD, type BeamResultLayout } from '../ops/beam.ts';
import { cutAtEos } from '../metrics/index.ts';
import { eosToken, type Batch } from '../task/index.ts';

export interface BeamHypothesis {
  /** All D tokens of the beam (a finished beam repeats EOS). */
  tokens: number[];
  /** Sum of log-probabilities up to and including its EOS (no length normalisation). */
  score: number;
  dead: boolean;
  /**
   * (D) the beam of each step whose state produced that step's token (its parent): step t's
   * attention row of this hypothesis is row b·K + sources[t].
   */
  sources: number[];
}

/** Every final beam of every input, (B) lists of K, best first, from the result buffer's contents. */
export function backtrackBeams(result: Int32Array, lay: BeamResultLayout): BeamHypothesis[][] {
  const { D, B, K } = lay;
  const scores = new Float32Array(result.buffer, result.byteOffset + lay.scores * 4, B * K);
  const out: BeamHypothesis[][] = [];
  for (let b = 0; b < B; b++) {
    const beams: BeamHypothesis[] = [];
    for (let i = 0; i < K; i++) {
      const tokens = new Array<number>(D);
      const sources = new Array<number>(D);
      let k = i;
      for (let t = D - 1; t >= 0; t--) {
        const at = t * B * K + b * K + k;
        tokens[t] = result[lay.tokens + at];
        k = sources[t] = result[lay.parents + at];
      }
      beams.push({ tokens, score: scores[b * K + i], dead: result[lay.status + b * K + i] === BEAM_DEAD, sources });
    }
    out.push(beams);
  }
  return out;
}

/** The best beam (highest score, lowest index on ties; beams come out sorted, so beam 0). */
export function bestBeam(beams: BeamHypothesis[]): BeamHypothesis {
  let best = 0;
  for (let i = 1; i < beams.length; i++) if (!beams[i].dead && (beams[best].dead || beams[i].score > beams[best].score)) best = i;
  return beams[best];
}

const programs = new WeakMap<GpuModel, Map<string, BeamProgram>>();

/**
 * The model's beam program of width K, recorded on first use and kept until destroyBeams.
 * `keepAttention`: a separate program that keeps every step's attention weights (attn, transformer).
 */
export function beamProgramFor(model: GpuModel, K: number, keepAttention = false): BeamProgram {
  if (!model.createBeam) throw new Error(`The ${model.name} model has no beam search.`);
  let byK = programs.get(model);
  if (!byK) programs.set(model, (byK = new Map()));
  const key = `${K}${keepAttention ? '+attention' : ''}`;
  let p = byK.get(key);
  if (!p) byK.set(key, (p = model.createBeam(K, keepAttention)));
  return p;
}

/** Frees the beam programs recorded for a model. */
export function destroyBeams(model: GpuModel): void {
  const byK = programs.get(model);
  if (!byK) return;
  for (const p of byK.values()) p.destroy();
  programs.delete(model);
}

/** Runs the beam search on one batch: (B) lists of K final beams, best first. */
export async function beamSearchBatch(gpu: Gpu, model: GpuModel, batch: Batch, K: number): Promise<BeamHypothesis[][]> {
  const beam = beamProgramFor(model, K);
  model.setBatch(batch);
  gpu.run(beam.program);
  return backtrackBeams(await gpu.readI32(beam.result), beam.layout);
}

/**
 * The best beam of every input and the (D, B·K, S) attention weights of every step and beam
 * row; with `perHead`, also the (D, B, heads, K, S) weights of every head (transformer).
 */
export async function beamSearchWithAttention(gpu: Gpu, model: GpuModel, batch: Batch, K: number, perHead = false): Promise<{ best: BeamHypothesis[]; weights: Float32Array; heads?: Float32Array }> {
  const beam = beamProgramFor(model, K, true);
  if (!beam.attention) throw new Error(`The ${model.name} model has no attention to show; attention maps need a checkpoint of a model with attention.`);
  model.setBatch(batch);
  gpu.run(beam.program);
  const beams = backtrackBeams(await gpu.readI32(beam.result), beam.layout);
  const heads = perHead && beam.attentionHeads ? await gpu.read(beam.attentionHeads) : undefined;
  return { best: beams.map(bestBeam), weights: await gpu.read(beam.attention), heads };
}

/** Beam-search decoding of one batch: (B) predictions, the best beam cut before its first EOS. */
export async function beamDecodeBatch(gpu: Gpu, model: GpuModel, batch: Batch, K: number): Promise<number[][]> {
  const eos = eosToken(model.config);
  return (await beamSearchBatch(gpu, model, batch, K)).map((beams) => cutAtEos(bestBeam(beams).tokens, eos));
}
