// With dropout the masks are a function of the step: the same batch one step later must give
// another loss. Models without dropout have no setStep and give null.
import type { Gpu } from '../../../src/gpu/context.ts';
import type { View } from '../../../src/gpu/buffers.ts';

interface SteppedModel {
  setStep?: (step: number) => void;
  trainStep: Parameters<Gpu['run']>[0];
  loss: View;
}

/** The loss of trainStep at step + 1; the model is left at `step`. */
export async function lossAtNextStep(gpu: Gpu, model: SteppedModel, step: number): Promise<number | null> {
  if (!model.setStep) return null;
  model.setStep(step + 1);
  gpu.run(model.trainStep);
  const loss = (await gpu.read(model.loss))[0];
  model.setStep(step);
  return loss;
}
