// The `attn` model (Luong, Pham & Manning 2015: global attention, "general" score, no input
// feeding; docs/contract.md §3) recorded on the GPU for one batch shape. It is the `lstm` model's stack
// and output layer with attention between them (layers/attention.ts). Float64 reference:
// src/reference/attn_model.ts.
//
// Without input feeding the decoder LSTM never reads h̃, so training runs both LSTMs over
// every step first (as `lstm` does), then attention for all T steps in a few dispatches, then
// the output layer over T·B rows. Greedy decoding attends per step.
// Letters: B batch, S source length, T = S + 1, D decode steps, H hidden, V vocabulary.
import type { Config } from '../config/config.ts';
import { ArenaLayout, slice, view, type View } from '../gpu/buffers.ts';
import type { Gpu } from '../gpu/context.ts';
import { Program } from '../gpu/program.ts';
import { attnParamShapes } from '../reference/attn_model.ts';
import type { LstmDims } from '../reference/lstm_model.ts';
import type { GpuModel } from './model.ts';
import { stackBackward, stackForward, type LstmOptions } from './lstm.ts';
import { chooseRecurrence, type Recurrence } from './layers/lstm_stack.ts';
import { createStackModelBase, stackBeamSource, stackModelFields } from './layers/stack_model.ts';
import { encoderForward } from './layers/lstm_layer.ts';
import { decodeRecording, decodeSequence, decodeSteps, type DecodeRecording } from './layers/greedy.ts';
import { attendBackward, attendRows, attendStep, attendTraining, attentionKeys, createAttentionLayer, trainHTilde, type AttentionLayer } from './layers/attention.ts';
import { createLstmBeam, type BeamProgram } from './beam.ts';
import { outputBackward, outputForward } from './layers/output.ts';
import { outputInput } from './layers/stack_dropout.ts';

export interface AttnGpuModel extends GpuModel {
  readonly name: 'attn';
  readonly dims: LstmDims & { B: number; S: number; T: number; D: number };
  uploadParams(data: Float32Array): void;
  readonly counts: { trainStep: number; decodeStep: number };
  readonly decoding: DecodeRecording;
}

export function attnLayout(d: LstmDims): ArenaLayout {
  const layout = new ArenaLayout();
  for (const [name, shape] of attnParamShapes(d)) layout.add(name, shape);
  return layout;
}

export function createAttnModel(gpu: Gpu, config: Config, options: LstmOptions = {}): AttnGpuModel {
  const [V, E, H, L] = [config.vocab_size, config.embedding_size, config.hidden_size, config.layers];
  const base = createStackModelBase(gpu, config, 'attn', attnLayout({ V, E, H, L }), chooseRecurrence(gpu, config, options.recurrence));
  const { s, out, decoded } = base;
  const { B, S, D } = s.dims;
  const att = createAttentionLayer(s, base.owned.buf);

  // ---- trainStep: both LSTMs, attention over all T steps, output and loss, backward ----
  const hTilde = trainHTilde(att);
  const top = outputInput(s, hTilde); // (T·B, H) h̃, dropped in training
  const trainStep = new Program('attn.trainStep').add(
    stackForward(s),
    attentionKeys(att),
    attendTraining(att),
    top.forward,
    outputForward(out, top.y, s.tgt),
    // The tanh's derivative from h̃ itself; the mask's backward commutes with it (both elementwise).
    outputBackward(out, top.y, att.dHTilde, { tanhOf: hTilde }),
    top.backward(att.dHTilde),
    attendBackward(att),
    stackBackward(s, att.dHbar),
  );

  // ---- decodeStep: encoder and keys, then D greedy steps each attending once: one dispatch, or a few per step ----
  const decoding = decodeRecording(s, true, options.decodeKernel);
  const decodeStep = new Program('attn.decodeStep').add(encoderForward(s), attentionKeys(att));
  let weights = slice(att.weights, 0, D * B * S); // (D, B, S)
  if (decoding.recording === 'sequence') {
    const seq = decodeSequence(s, decoded, base.owned.buf, { keys: att.keys });
    decodeStep.add(seq.dispatch);
    weights = seq.weights!;
  } else {
    const hTildeAt = (t: number): View => slice(att.hTilde, t * B * H, B * H);
    decodeStep.add(decodeSteps(s, out, decoded, (t) => ({ dispatches: attendStep(att, t), y: hTildeAt(t) })));
  }

  return {
    name: 'attn',
    ...stackModelFields(base, trainStep, decodeStep),
    attention: weights,
    decoding,
    counts: { trainStep: trainStep.length, decodeStep: decodeStep.length },
    createBeam: (K: number, keepAttention = false) => createAttnBeam(att, K, keepAttention),
  };
}

/**
 * Beam search of width K (models/beam.ts) with the step's attention over each input's states.
 * `keep`: every step writes its weights to its own (B·K, S) slice of a (D, B·K, S) buffer
 * (else all steps share one slice), so the chosen beam's weights can be read afterwards.
 */
function createAttnBeam(att: AttentionLayer, K: number, keep: boolean): BeamProgram {
  const s = att.s;
  const { H, B, S, D } = s.dims;
  const R = B * K;
  const sizes: [string, number][] = [['weights', (keep ? D : 1) * R * S], ['cat', R * 2 * H], ['hTilde', R * H]];
  const own = sizes.map(([label, n]) => s.gpu.createBuffer(`attn.beam${K}.${label}`, n));
  const [weights, cat, hTilde] = own.map((b) => view(b));
  const stepWeights = (t: number) => slice(weights, keep ? t * R * S : 0, R * S); // (B·K, S)
  const source = {
    ...stackBeamSource(s),
    encoder: () => [...encoderForward(s), ...attentionKeys(att)],
    // Rows b·K + i: n = K queries per sample, one after another.
    attend: (q: View, n: number, t: number) => ({
      dispatches: attendRows(att, { q, n, layout: { rowStep: 1, sampleStep: n }, weights: stepWeights(t), cat, hTilde, label: `beam.t${t}.attention` }),
      out: hTilde,
    }),
  };
  const beam = createLstmBeam(s.gpu, source, K);
  return {
    ...beam,
    attention: keep ? weights : undefined,
    destroy() {
      beam.destroy();
      for (const b of own) s.gpu.destroyBuffer(b);
    },
  };
}
