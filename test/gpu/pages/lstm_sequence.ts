// Page side of the sequence-kernel limit test: the largest H this device holds, and the
// sentence one more gets (the kernels' cases run from the check kit, pages/op_kit.ts).
import { Gpu } from '../../../src/gpu/context.ts';
import { view } from '../../../src/gpu/buffers.ts';
import { lstmSequenceForward, sequenceMaxHidden } from '../../../src/ops/lstm_sequence.ts';

/** The largest H the kernels accept here, and the sentence a larger one gets. */
export async function sequenceLimits() {
  const gpu = await Gpu.create();
  try {
    const max = sequenceMaxHidden(gpu.device.limits);
    const H = max + 1;
    const b = view(gpu.createBuffer('x', 4 * H * H + 4 * H + 4));
    let error = '';
    try {
      lstmSequenceForward(gpu, { B: 1, H, steps: 1, live: { ...b, length: 1 }, wHh: { ...b, length: 4 * H * H }, bHh: { ...b, length: 4 * H }, gates: { ...b, length: 4 * H }, h: { ...b, length: 2 * H }, c: { ...b, length: 2 * H } });
    } catch (e) {
      error = (e as Error).message;
    }
    return { max, error };
  } finally {
    gpu.destroy();
  }
}
