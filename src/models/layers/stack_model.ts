// What `lstm` and `attn` share: an arena of their tensors, the LSTM stack over time, the
// output layer and the decoded tokens; the GpuModel fields that follow from them; and what
// their beam search reads of the stack.
import type { Config, ModelName } from '../../config/config.ts';
import { view, type ArenaLayout, type View } from '../../gpu/buffers.ts';
import type { Gpu } from '../../gpu/context.ts';
import type { Program } from '../../gpu/program.ts';
import type { LstmDims } from '../../reference/lstm_model.ts';
import type { LstmBeamSource } from '../beam.ts';
import type { GpuModel } from '../model.ts';
import { createOwnedArena, setStackBatch, type OwnedArena } from './arena.ts';
import { encoderForward } from './lstm_layer.ts';
import { cRow, createLstmStack, hRow, ptab, type LstmStack, type Recurrence } from './lstm_stack.ts';
import { createOutputLayer, type OutputLayer } from './output.ts';

export type StackModelDims = LstmDims & { B: number; S: number; T: number; D: number };

export interface StackModelBase {
  name: ModelName;
  owned: OwnedArena;
  s: LstmStack;
  out: OutputLayer;
  /** (D, B) i32 greedy tokens. */
  decoded: View;
  dims: StackModelDims;
}

/** The arena (named `name`'s tensors of `layout`), the stack, the output layer over T·B rows, the decoded tokens. */
export function createStackModelBase(gpu: Gpu, config: Config, name: ModelName, layout: ArenaLayout, recurrence: Recurrence): StackModelBase {
  const [V, E, H, L] = [config.vocab_size, config.embedding_size, config.hidden_size, config.layers];
  const owned = createOwnedArena(gpu, config, name, layout);
  const s = createLstmStack(gpu, config, owned.arena, recurrence, owned.buf);
  const { B, S, T, D } = s.dims;
  const out = createOutputLayer(gpu, owned.arena, T * B, H, V, owned.buf, config.label_smoothing);
  const decoded = view(owned.buf('decoded', D * B));
  return { name, owned, s, out, decoded, dims: { V, E, H, L, B, S, T, D } };
}

/** The GpuModel fields every stack model fills the same way, around its two programs. */
export function stackModelFields(base: StackModelBase, trainStep: Program, decodeStep: Program) {
  const { owned, s } = base;
  return {
    config: s.config,
    dims: base.dims,
    layout: owned.arena.layout,
    params: owned.arena.params,
    grads: owned.arena.grads,
    trainStep,
    loss: base.out.loss,
    decodeStep,
    decoded: base.decoded,
    uploadParams: owned.uploadParams,
    setBatch: (batch) => setStackBatch(s, batch, base.name),
    // The dropout masks' step; without dropout nothing reads it.
    setStep: s.drop ? (step: number) => s.gpu.upload(s.drop!.step, new Uint32Array([step])) : undefined,
    destroy: owned.destroy,
  } satisfies Partial<GpuModel> & { dims: StackModelDims; uploadParams(data: Float32Array): void };
}

/** What beam search (models/beam.ts) reads of the stack: parameters, the encoder, the final states, the decoder's table. */
export function stackBeamSource(s: LstmStack): LstmBeamSource {
  const { V, E, H, L, B, D, S } = s.dims;
  return {
    config: s.config,
    dims: { V, E, H, L, B, D },
    layout: s.arena.layout,
    params: s.arena.params,
    // Beam search records step by step: the sequence kernels need every step's input up front.
    recurrence: s.recurrence === 'fused' ? 'fused' : 'matmul',
    encoder: () => encoderForward(s),
    final: (k: number) => ({ h: hRow(s, k, S), c: cRow(s, k, S) }),
    decoderTable: ptab(s, 'decoder'),
  };
}
