// Every op of the check kit, in one list: the GPU tests (test/gpu/op_kit.test.ts), the
// per-op section of `seq2seq bench` and the GPU check all run from it. A new kernel's
// cases go in a file of this folder and one line here.
import type { OpKitEntry } from '../case.ts';
import { activationCase } from './activation.ts';
import { copyRowsCase, maskedSoftmaxBackwardCase, maskedSoftmaxBackwardCopyRowsCase, maskedSoftmaxCase, maskedSoftmaxCopyRowsCase } from './attention.ts';
import { beamExpandCase, beamReorderCase } from './beam_state.ts';
import { beamStepCase, beamStepFirstCase, beamStepSharedCase } from './beam_step.ts';
import { crossEntropyCase } from './cross_entropy.ts';
import { embeddingGatherCase, embeddingScatterCase } from './embedding.ts';
import { lstmCellBackwardCase, lstmCellForwardCase, lstmStepBackwardCase, lstmStepForwardCase } from './lstm_cell.ts';
import { adamCase, gradNormCase, sgdCase } from './optimizer.ts';
import { columnSumAccumulateCase, columnSumCase, sumOfSquaresCase } from './reduce.ts';
import { dropoutCase } from './dropout.ts';
import { copyCase, fillCase } from './fill.ts';
import { layerNormCase } from './layer_norm.ts';
import { lstmSequenceBackwardCase, lstmSequenceForwardCase } from './lstm_sequence.ts';
import { matmulAttentionCase, matmulCase, matmulEpiloguesCase } from './matmul.ts';
import { positionsCase } from './positions.ts';
import { recurrentCase } from './recurrent.ts';
import { reverseSequencesCase } from './sequence.ts';

export const OP_KIT: readonly OpKitEntry[] = [
  { op: 'lstm_cell_forward', build: lstmCellForwardCase },
  { op: 'lstm_cell_backward', build: lstmCellBackwardCase },
  { op: 'lstm_step_forward', build: lstmStepForwardCase },
  { op: 'lstm_step_backward', build: lstmStepBackwardCase },
  { op: 'cross_entropy', build: crossEntropyCase },
  { op: 'adam', build: adamCase },
  { op: 'sgd', build: sgdCase },
  { op: 'embedding_gather', build: embeddingGatherCase },
  { op: 'embedding_scatter', build: embeddingScatterCase },
  { op: 'column_sum', build: columnSumCase },
  { op: 'grad_norm', build: gradNormCase },
  { op: 'activation', build: activationCase },
  { op: 'column_sum_accumulate', build: columnSumAccumulateCase },
  { op: 'sum_of_squares', build: sumOfSquaresCase },
  { op: 'lstm_sequence_forward', build: lstmSequenceForwardCase },
  { op: 'lstm_sequence_backward', build: lstmSequenceBackwardCase },
  { op: 'recurrent', build: recurrentCase },
  { op: 'reverse_sequences', build: reverseSequencesCase },
  { op: 'layer_norm', build: layerNormCase },
  { op: 'dropout', build: dropoutCase },
  { op: 'positions', build: positionsCase },
  { op: 'masked_softmax', build: maskedSoftmaxCase },
  { op: 'masked_softmax_backward', build: maskedSoftmaxBackwardCase },
  { op: 'masked_softmax_copy_rows', build: maskedSoftmaxCopyRowsCase },
  { op: 'masked_softmax_backward_copy_rows', build: maskedSoftmaxBackwardCopyRowsCase },
  { op: 'copy_rows', build: copyRowsCase },
  { op: 'matmul', build: matmulCase },
  { op: 'matmul_epilogues', build: matmulEpiloguesCase },
  { op: 'matmul_attention', build: matmulAttentionCase },
  { op: 'beam_step', build: beamStepCase },
  { op: 'beam_step_first', build: beamStepFirstCase },
  { op: 'beam_step_shared', build: beamStepSharedCase },
  { op: 'beam_expand', build: beamExpandCase },
  { op: 'beam_reorder', build: beamReorderCase },
  { op: 'fill', build: fillCase },
  { op: 'copy', build: copyCase },
];

export function kitEntry(op: string): OpKitEntry {
  const entry = OP_KIT.find((e) => e.op === op);
  if (!entry) throw new Error(`The check kit has no op "${op}"; it has ${OP_KIT.map((e) => e.op).join(', ')}.`);
  return entry;
}
