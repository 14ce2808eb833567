// The one model the page holds: replacing it frees the old one's GPU memory.
import type { Trainer } from '../lib/index.ts';
import { showAdapter, type Demo } from './demo.ts';
import { $ } from './dom.ts';
import { MAX_PREDICT_BEAM } from './predict.ts';

/** Makes `next` the page's model (the predict box takes its beam) and destroys the one before. */
export async function replaceTrainer(demo: Demo, next: Trainer): Promise<void> {
  const old = demo.state.trainer;
  demo.state.trainer = next;
  $<HTMLInputElement>('predict-beam').value = String(Math.min(next.config.beam, MAX_PREDICT_BEAM));
  showAdapter(next.adapter);
  if (old && old !== next) await old.destroy();
}

/** The checkpoint file name of the model as it stands. */
export const checkpointName = (t: Trainer): string => `seq2seq-${t.config.model}-step${t.step}.safetensors`;
