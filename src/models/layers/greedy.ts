// Greedy decoding of an LSTM stack (lstm_stack.ts), `lstm` or `attn`, recorded two ways
// (config key `recurrence`):
//   'sequence' (default): the encoder as recorded by lstm_layer.ts, then ONE dispatch that runs
//       every decoder step, attention and argmax (ops/greedy_decode.ts);
//   'steps': per decode step the table lookup, each layer's recurrent step, the attention, the
//       output and argmax (a few dispatches each, ~8·D for two layers).
// Where the one-dispatch kernel cannot run these sizes (ops/greedy_decode.ts greedyDecodeFit:
// hidden_size too large for workgroup memory, more than 8 layers) 'sequence' records 'steps';
// so it does on the software adapter (SwiftShader), which runs the kernel's long per-invocation
// loops several times slower than the tuned per-step matmuls (as the tiled matmul, which it
// also leaves to hardware adapters), unless `kernel: 'always'` (tests, the bench).
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
 * The one-dispatch greedy decode over the stack's state rows; with attention, its scratch
 * (allocated by `buf`): h̃ (B, H) and the weights (D, B, S) it writes.
 */
export function decodeSequence(s: LstmStack, decoded: View, buf: Allocate, att?: SequenceAttention): { dispatch: Dispatch; weights?: View } {
  const { B, S, D, H, V, L, Tm } = s.dims;
  const layers = Array.from({ length: L }, (_, k) => ({
    wIh: param(s, wName('decoder', 'weight_ih', k)),
    bIh: param(s, wName('decoder', 'bias_ih', k)),
    wHh: param(s, wName('decoder', 'weight_hh', k)),
    bHh: param(s, wName('decoder', 'bias_hh', k)),
  }));
  const scratch = att && view(buf('greedy.scratch', B * H + D * B * S));
  const attention: GreedyAttention | undefined = att && {
    lengths: s.lengths,
    keys: att.keys,
    combine: param(s, 'attention_combine.weight'),
    hTilde: slice(scratch!, 0, B * H),
    weights: slice(scratch!, B * H, D * B * S),
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
    decoded,
    attention,
    label: 'decode.greedy',
  });
  return { dispatch, weights: attention?.weights };
}

/** `auto`: the one-dispatch decode on hardware adapters only; `always`: on the software adapter too. */
export type DecodeKernelChoice = 'auto' | 'always';

/** Which recording the stack's config asks for and this device and these sizes allow. */
export function decodeRecording(s: LstmStack, attention: boolean, kernel: DecodeKernelChoice = 'auto'): DecodeRecording {
  if (s.config.recurrence === 'steps') return { recording: 'steps' };
  const software = s.gpu.adapter.isFallbackAdapter;
  if (software && kernel === 'auto') return { recording: 'steps', fallback: 'the software adapter runs the one-dispatch decode slower than the per-step dispatches' };
  const fit = greedyDecodeFit(s.dims, s.gpu.device.limits, attention, software);
  return 'why' in fit ? { recording: 'steps', fallback: fit.why } : { recording: 'sequence' };
}
