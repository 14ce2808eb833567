// The demo page's one state object: everything the panels share and change lives here, so no
// module keeps mutable state of its own.
import { PauseSwitch, type Evaluation, type PairsPreview, type PairsText, type Trainer } from '../lib/index.ts';

export type Mode = 'idle' | 'starting' | 'training' | 'paused' | 'stopping' | 'ready' | 'busy';

/** task=file: the chosen pairs file and held-out file, read, with what training on them would see. */
export interface PairsChoice {
  /** The chosen pairs file (null until one is chosen). */
  file: File | null;
  /** The chosen eval_data file, or null for the hash rule. */
  evalFile: File | null;
  /** The chosen files read and previewed with `tokenize` (null while reading, or when they were bad). */
  read: { pairs: PairsText; evalPairs?: PairsText; tokenize: string; preview: PairsPreview } | null;
  /** Counts reads: only the latest may show its result (choices can come quickly). */
  reads: number;
}

export interface DemoState {
  mode: Mode;
  /** False once the page knows WebGPU is missing. */
  webgpu: boolean;
  /** The model being trained or used (null until one is trained or loaded). */
  trainer: Trainer | null;
  /** Pause asks the training loop to halt between steps. */
  pause: PauseSwitch;
  /** Aborts the current training run (Stop); null when none runs. */
  stop: AbortController | null;
  /** The last evaluation shown (kept with a saved checkpoint). */
  lastSummary: Evaluation | null;
  pairs: PairsChoice;
  benchRunning: boolean;
}

export function createDemoState(): DemoState {
  return {
    mode: 'idle',
    webgpu: true,
    trainer: null,
    pause: new PauseSwitch(),
    stop: null,
    lastSummary: null,
    pairs: { file: null, evalFile: null, read: null, reads: 0 },
    benchRunning: false,
  };
}

/** True while a run is being set up, trains, is paused or is stopping. */
export const isTraining = (s: DemoState): boolean => s.mode === 'training' || s.mode === 'paused' || s.mode === 'starting' || s.mode === 'stopping';
