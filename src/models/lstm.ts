// The `lstm` model (Sutskever et al. 2014, docs/contract.md §3) recorded on the GPU for one batch shape,
// composed of the layer recorders in layers/: the LSTM stack (encoder and decoder over
// time), the output layer and the loss. Float64 reference: src/reference/lstm_model.ts.
//
// Letters: B batch, S source length (max_length), T target length (S + 1), D decode steps,
// E embedding, H hidden, V vocabulary, L layers, G = 4H gate width.
// Buffers and the recurrence's two recordings: layers/lstm_stack.ts, layers/lstm_layer.ts.
import type { Config } from '../config/config.ts';
import { ArenaLayout, type View } from '../gpu/buffers.ts';
import type { Gpu } from '../gpu/context.ts';
import { Program } from '../gpu/program.ts';
import { fill } from '../ops/fill.ts';
import { lstmParamShapes, type LstmDims } from '../reference/lstm_model.ts';
import type { GpuModel } from './model.ts';
import { createLstmBeam } from './beam.ts';
import { chooseRecurrence, decoderTop, type LstmStack, type Recurrence } from './layers/lstm_stack.ts';
import { encoderForward, layerBackward, layerForward, tablesBackward } from './layers/lstm_layer.ts';
import { outputBackward, outputForward } from './layers/output.ts';
import { decodeRecording, decodeSequence, decodeSteps, type DecodeKernelChoice, type DecodeRecording } from './layers/greedy.ts';
import { createStackModelBase, stackBeamSource, stackModelFields } from './layers/stack_model.ts';
import { outputInput } from './layers/stack_dropout.ts';

export type { Recurrence } from './layers/lstm_stack.ts';

export interface LstmOptions {
  /** How the time loop is recorded (layers/lstm_layer.ts); default: config.recurrence (chooseRecurrence). */
  recurrence?: Recurrence;
  /** Where config recurrence=sequence records the one-dispatch greedy decode (layers/greedy.ts). Default 'auto'. */
  decodeKernel?: DecodeKernelChoice;
}

/** Dispatches the recorded trainStep spends per time step and layer ('sequence': one per layer and direction, none per step). */
export const LSTM_DISPATCHES_PER_STEP_LAYER: Record<Recurrence, { forward: number; backward: number }> = {
  matmul: { forward: 2, backward: 2 },
  fused: { forward: 1, backward: 1 },
  sequence: { forward: 0, backward: 0 },
};

export interface LstmGpuModel extends GpuModel {
  readonly name: 'lstm';
  readonly dims: LstmDims & { B: number; S: number; T: number; D: number };
  readonly recurrence: Recurrence;
  /** How greedy decoding was recorded (config key `recurrence`, layers/greedy.ts). */
  readonly decoding: DecodeRecording;
  /** Overwrites every parameter (layout.size floats, e.g. from a checkpoint). */
  uploadParams(data: Float32Array): void;
  /** Dispatch counts of the recorded programs. */
  readonly counts: {
    trainStep: number;
    decodeStep: number;
    /** trainStep dispatches inside the time loops (labels `*.t<n>.*`): 'fused' 2·L·(S + T), 'matmul' L·(4(S + T) − 1) (the encoder's h_0 needs no gradient). */
    recurrent: number;
    /** trainStep dispatches of the sequence kernels: 4·L ('sequence'), else 0. */
    sequence: number;
    perStepLayer: { forward: number; backward: number };
  };
}

export function lstmLayout(d: LstmDims): ArenaLayout {
  const layout = new ArenaLayout();
  for (const [name, shape] of lstmParamShapes(d)) layout.add(name, shape);
  return layout;
}

/** Forward of both modules over every step (teacher forcing), with the training step's dropout. */
export function stackForward(s: LstmStack): Program {
  const { L, S, T } = s.dims;
  const p = new Program('stack.forward');
  for (let k = 0; k < L; k++) p.add(layerForward(s, 'encoder', k, S, true));
  for (let k = 0; k < L; k++) p.add(layerForward(s, 'decoder', k, T, true));
  return p;
}

/** Backward of both modules, the decoder's top fed from `dHtop`, the encoder's from `encTop` (or nothing). */
export function stackBackward(s: LstmStack, encTop?: View): Program {
  const { L, S, T } = s.dims;
  // Step by step, dh and dc accumulate in dS from zero; the sequence kernels start the decoder from zero themselves.
  const p = new Program('stack.backward').add(s.recurrence === 'sequence' ? [] : fill(s.gpu, s.dS, 0, 'dState.clear'));
  for (let k = L - 1; k >= 0; k--) p.add(layerBackward(s, 'decoder', k, T, s.dHtop));
  for (let k = L - 1; k >= 0; k--) p.add(layerBackward(s, 'encoder', k, S, encTop));
  return p.add(tablesBackward(s));
}

export function createLstmModel(gpu: Gpu, config: Config, options: LstmOptions = {}): LstmGpuModel {
  const recurrence = chooseRecurrence(gpu, config, options.recurrence);
  const [V, E, H, L] = [config.vocab_size, config.embedding_size, config.hidden_size, config.layers];
  const base = createStackModelBase(gpu, config, 'lstm', lstmLayout({ V, E, H, L }), recurrence);
  const { s, out, decoded } = base;
  const { T } = s.dims;

  // ---- trainStep: forward, loss, backward (gradients overwritten) ----
  const top = outputInput(s, decoderTop(s, 0, T)); // (T·B, H), dropped in training
  const trainStep = new Program('lstm.trainStep').add(stackForward(s), top.forward, outputForward(out, top.y, s.tgt), outputBackward(out, top.y, s.dHtop), top.backward(s.dHtop), stackBackward(s));

  // ---- decodeStep: encoder, then D greedy steps fed their own argmax (EOS first): one dispatch, or a few per step ----
  const decoding = decodeRecording(s, false, options.decodeKernel);
  const decodeStep = new Program('lstm.decodeStep').add(encoderForward(s));
  decodeStep.add(decoding.recording === 'sequence' ? decodeSequence(s, decoded, base.owned.buf).dispatch : decodeSteps(s, out, decoded));

  return {
    name: 'lstm',
    ...stackModelFields(base, trainStep, decodeStep),
    recurrence,
    decoding,
    counts: {
      trainStep: trainStep.length,
      decodeStep: decodeStep.length,
      recurrent: trainStep.dispatches.filter((d) => /\.t\d+\./.test(d.label)).length,
      sequence: trainStep.dispatches.filter((d) => /\.sequence(_backward)?$/.test(d.label)).length,
      perStepLayer: { ...LSTM_DISPATCHES_PER_STEP_LAYER[recurrence] },
    },
    // Beam search (models/beam.ts) shares the parameters, the encoder and the decoder table.
    createBeam: (K: number) => createLstmBeam(gpu, stackBeamSource(s), K),
  };
}
