// Greedy decoding of an LSTM stack (lstm_stack.ts), `lstm` or `attn`, recorded two ways
// (config key `recurrence`):
//   'sequence' (default): the encoder as recorded by lstm_layer.ts, then ONE dispatch that runs
//       every decoder step, attention and argmax (ops/greedy_decode.ts);
//   'steps': per decode step the table lookup, each layer's recurrent step, the attention, the
//       output and argmax (a few dispatches each, ~8·D for two layers).
// Where the one-dispatch kernel cannot run these sizes (ops/greedy_decode.ts greedyDecodeFit:
// hidden_size too large for workgroup memory, more than 8 layers) 'sequence' records 'steps'.
import type { RecurrenceName } from '../../config/config.ts';
import { slice, view, type View } from '../../gpu/buffers.ts';
import type { Dispatch } from '../../gpu/program.ts';
import { greedyDecode, greedyDecodeFit, type GreedyAttention } from '../../ops/greedy_decode.ts';
import { decoderStep } from './lstm_layer.ts';
import { allStates, decoderTop, param, ptab, wName, type Allocate, type LstmStack } from './lstm_stack.ts';
import { outputArgmax, type OutputLayer } from './output.ts';

/** What the greedy recording turned out to be: `sequence` as asked, or `steps` (asked, or the fallback and why). */
export interface DecodeRecording {
  recording: RecurrenceName;
  /** Why 'sequence' was asked for but 'steps' recorded. */
  fallback?: string;
}

/** Attention's part of a step: its dispatches after step t's top output, and the (B, H) vector the output layer reads. */
export type AttendStep = (t: number) => { dispatches: Dispatch[]; y: View };

/** D greedy steps, a few dispatches each, fed EOS then their own argmax into `decoded` (D, B). */
export function decodeSteps(s: LstmStack, out: OutputLayer, decoded: View, attend?: AttendStep): Dispatch[] {
  const { B, D } = s.dims;
  const list: Dispatch[] = [];
  for (let t = 0; t < D; t++) {
    const ids = t === 0 ? s.eos : slice(decoded, (t - 1) * B, B);
    list.push(...decoderStep(s, t, ids));
    const a = attend?.(t);
    if (a) list.push(...a.dispatches);
    list.push(...outputArgmax(out, a?.y ?? decoderTop(s, t), slice(decoded, t * B, B), B, t));
  }
  return list;
}

/** Attention's inputs to the one-dispatch decode: keys (S, B, H), computed after the encoder. */
export interface SequenceAttention {
  keys: View;
}

/**
 * The one-dispatch greedy decode over the stack's state rows, with its scratch (allocated by
 * `buf`): gates (B, G), and with attention h̃ (B, H) and the weights (D, B, S) it writes.
 */
export function decodeSequence(s: LstmStack, decoded: View, buf: Allocate, att?: SequenceAttention): { dispatch: Dispatch; weights?: View } {
  const { B, S, D, H, V, L, Tm, G } = s.dims;
  const scratch = view(buf('greedy.scratch', B * G + (att ? B * H + D * B * S : 0)));
  const layers = Array.from({ length: L }, (_, k) => ({
    wIh: param(s, wName('decoder', 'weight_ih', k)),
    bIh: param(s, wName('decoder', 'bias_ih', k)),
    wHh: param(s, wName('decoder', 'weight_hh', k)),
    bHh: param(s, wName('decoder', 'bias_hh', k)),
  }));
  const attention: GreedyAttention | undefined = att && {
    lengths: s.lengths,
    keys: att.keys,
    combine: param(s, 'attention_combine.weight'),
    hTilde: slice(scratch, B * G, B * H),
    weights: slice(scratch, B * G + B * H, D * B * S),
  };
  const dispatch = greedyDecode(s.gpu, {
    dims: { B, S, D, H, V, L, Tm },
    params: view(s.arena.params),
    layers,
    outWeight: param(s, 'output.weight'),
    outBias: param(s, 'output.bias'),
    table: ptab(s, 'decoder'),
    h: allStates(s, 'h'),
    c: allStates(s, 'c'),
    gates: slice(scratch, 0, B * G),
    decoded,
    attention,
    label: 'decode.greedy',
  });
  return { dispatch, weights: attention?.weights };
}

/** Which recording the stack's config asks for and these sizes allow. */
export function decodeRecording(s: LstmStack, attention: boolean): DecodeRecording {
  if (s.config.recurrence === 'steps') return { recording: 'steps' };
  const fit = greedyDecodeFit(s.dims, s.gpu.device.limits, attention);
  return 'why' in fit ? { recording: 'steps', fallback: fit.why } : { recording: 'sequence' };
}
