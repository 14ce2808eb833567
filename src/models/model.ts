// What the trainer, the evaluator and the CLI need from a model, whichever it is.
import type { Config, ModelName } from '../config/config.ts';
import type { ArenaLayout, View } from '../gpu/buffers.ts';
import type { Program } from '../gpu/program.ts';
import type { Batch } from '../task/batch.ts';
import type { BeamProgram } from './beam.ts';
import type { DecodeRecording } from './layers/greedy.ts';

/**
 * A model recorded on the GPU for one batch shape (B = config.batch_size,
 * S = config.max_length, T = S + 1). Built once; its programs are replayed every step.
 */
export interface GpuModel {
  readonly name: ModelName;
  readonly config: Config;
  /** Parameter names and shapes, exactly docs/contract.md §3 (PyTorch state_dict names). */
  readonly layout: ArenaLayout;
  /** (layout.size) f32 parameters. */
  readonly params: GPUBuffer;
  /** (layout.size) f32 gradients, same layout; trainStep overwrites them. */
  readonly grads: GPUBuffer;
  /** Uploads a batch's tokens and lengths (queue writes only, no submit). */
  setBatch(batch: Batch): void;
  /** Sets the 1-based number of the update the next trainStep computes (the dropout masks' step); models without dropout omit it. */
  setStep?(step: number): void;
  /** Forward, loss and backward over the batch last set (no optimizer). */
  readonly trainStep: Program;
  /** (1) f32 mean cross-entropy of the last trainStep. */
  readonly loss: View;
  /** Greedy decoding of the batch last set: writes `decoded`. */
  readonly decodeStep: Program;
  /** (decode_length, B) i32 tokens, time-major. */
  readonly decoded: View;
  /** (decode_length, B, S) f32 attention weights of the last decodeStep (models with attention). */
  readonly attention?: View;
  /** (decode_length, B, heads, S) the same per head, before the mean (models with several heads: transformer). */
  readonly attentionHeads?: { weights: View; heads: number };
  /** How greedy decoding was recorded (`lstm`, `attn`: config key `recurrence`, models/layers/greedy.ts). */
  readonly decoding?: DecodeRecording;
  /**
   * Records a beam search of width K over the batch last set (models/beam.ts); the caller
   * destroys it. `keepAttention` (models with attention): keep every step's weights of every
   * beam row in the program's `attention`, so the chosen beam's can be followed back.
   */
  createBeam?(K: number, keepAttention?: boolean): BeamProgram;
  destroy(): void;
}
