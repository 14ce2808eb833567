// The training panel: Start (a new model), Continue (the same weights, new settings carried over
// through a checkpoint), Pause/Resume and Stop between steps, the loss and score charts.
import { createTrainer, type Config, type Pairs, type StopReason, type Trainer, type TrainRoundsOptions } from '../../lib/index.ts';
import type { Demo } from '../demo.ts';
import { $, fmt, say, text } from '../dom.ts';
import { replaceTrainer } from '../model.ts';
import { clearRun, formatDuration, showPosition, showScores } from './scores.ts';

/** Optimizer steps per GPU job: small enough that the page stays responsive. */
const CHUNK = 10;

/** What a run trains with: the form's settings and, for task=file, the chosen pairs. */
interface RunSettings {
  config: Config;
  settings: Partial<Config>;
  pairs?: Pairs;
  evalPairs?: Pairs;
}

/** Keys a file task takes from its pairs (and file names), not from the form. */
const FROM_PAIRS = ['vocab_size', 'max_length', 'data', 'eval_data'] as const;

export function wireTrainPanel(demo: Demo, keep: () => Promise<void>): void {
  const { state } = demo;
  $('start').addEventListener('click', () => void train(demo, true, keep));
  $('continue').addEventListener('click', () => void train(demo, false, keep));
  $('pause').addEventListener('click', () => {
    if (state.mode === 'paused') state.pause.resume();
    else if (state.mode === 'training') {
      state.pause.pause();
      text('eta', 'pausing…');
    }
  });
  $('stop').addEventListener('click', () => {
    state.stop?.abort();
    state.pause.resume();
    state.mode = 'stopping';
    demo.render();
  });
}

/** The run's settings, or null (with the reason on the page). */
function runSettings(demo: Demo): RunSettings | null {
  const config = demo.form.read();
  if (!config) {
    say('train-message', 'Fix the settings first.');
    return null;
  }
  if (config.task !== 'file') return { config, settings: config };
  const read = demo.state.pairs.read;
  if (!read) return failed(demo, 'Choose a pairs file first (task=file), or pick a built-in task.');
  if (read.tokenize !== config.tokenize) return failed(demo, `The pairs file is still being read with tokenize=${config.tokenize}; try again in a moment.`);
  const settings: Partial<Config> = { ...config, data: read.pairs.name ?? '', eval_data: read.evalPairs?.name ?? '' };
  for (const key of FROM_PAIRS.slice(0, 2)) delete settings[key];
  return { config: { ...config, vocab_size: read.preview.vocabSize, max_length: read.preview.maxLength }, settings, pairs: read.pairs, evalPairs: read.evalPairs };
}

function failed(demo: Demo, message: string): null {
  demo.report('train-message', new Error(message));
  return null;
}

async function train(demo: Demo, fresh: boolean, keep: () => Promise<void>): Promise<void> {
  const { state } = demo;
  const run = runSettings(demo);
  if (!run) return;
  state.mode = 'starting';
  state.pause.resume();
  demo.render();
  say('train-message', fresh ? 'Setting up the model…' : 'Continuing…');
  const trainer = await trainerFor(demo, fresh, run);
  if (!trainer) return;
  const { config } = run;
  if (trainer.round >= config.rounds) {
    say('train-message', `This model has already done ${trainer.round} round(s); raise rounds to train it further.`);
    state.mode = 'ready';
    return demo.render();
  }
  state.mode = 'training';
  demo.render();
  say('train-message', '');
  showPosition(trainer, config);
  const stop = (state.stop = new AbortController());
  try {
    const onPause = (paused: boolean) => {
      state.mode = paused ? 'paused' : stop.signal.aborted ? 'stopping' : 'training';
      demo.render();
      if (paused) text('eta', 'paused');
    };
    const result = await trainer.trainRounds({ ...runEvents(demo, trainer, config), rounds: config.rounds, chunk: CHUNK, logEvery: CHUNK, signal: stop.signal, pause: state.pause, onPause });
    // A Stop pressed during the last evaluation still reads as a stop.
    await finishTraining(demo, trainer, config, stop.signal.aborted ? 'stopped' : result.reason, keep);
  } catch (err) {
    demo.report('train-message', err);
  } finally {
    state.stop = null;
    state.mode = 'ready';
    demo.render();
  }
}

/** The model to train: a new one (Start), the current one, or its state carried into new settings. */
async function trainerFor(demo: Demo, fresh: boolean, run: RunSettings): Promise<Trainer | null> {
  const { state } = demo;
  try {
    const { settings, pairs, evalPairs } = run;
    if (fresh || !state.trainer) {
      await replaceTrainer(demo, await createTrainer({ settings, pairs, evalPairs }));
      clearRun(demo);
    } else if (!sameSettings(state.trainer.config, run.config)) {
      // New settings for the same weights: parameters, moments, step and round carry over.
      const checkpoint = await state.trainer.checkpoint();
      await replaceTrainer(demo, await createTrainer({ settings, pairs, evalPairs, checkpoint }));
    }
    return state.trainer;
  } catch (err) {
    demo.report('train-message', err);
    state.mode = state.trainer ? 'ready' : 'idle';
    demo.render();
    return null;
  }
}

/** True when the model's settings are the form's (a file task's vocabulary and length come from its pairs). */
function sameSettings(a: Readonly<Config>, b: Config): boolean {
  const skip = new Set<string>(a.task === 'file' ? FROM_PAIRS : FROM_PAIRS.slice(2));
  return (Object.keys(b) as (keyof Config)[]).every((k) => skip.has(k) || a[k] === b[k]);
}

/** The charts, counters and messages that follow a run. */
function runEvents(demo: Demo, trainer: Trainer, config: Config): Pick<TrainRoundsOptions, 'onProgress' | 'onChunk' | 'onRoundTrained' | 'onRound'> {
  const total = config.rounds * config.steps;
  const clock = { rate: NaN, evalSeconds: 0, evalStart: 0 };
  const eta = () => text('eta', formatDuration(Math.max(0, total - trainer.step) / clock.rate + (config.rounds - trainer.round) * clock.evalSeconds));
  const heldOut = demo.state.pairs.read?.preview.heldOutCount;
  return {
    onProgress: (p) => {
      demo.lossChart.add(p.step, p.loss);
      text('loss', fmt(p.loss, 4));
    },
    onChunk: (r) => {
      if (r.done > 0 && r.steps_per_s > 0) clock.rate = Number.isFinite(clock.rate) ? 0.7 * clock.rate + 0.3 * r.steps_per_s : r.steps_per_s;
      text('rate', fmt(clock.rate, 1));
      showPosition(trainer, config);
      eta();
    },
    onRoundTrained: (at) => {
      showPosition(trainer, config);
      const what = trainer.vocab ? `every one of the ${heldOut} held-out pairs` : `${config.evaluate_round} × ${config.eval_samples} samples`;
      say('train-message', `Evaluating round ${at.round} (${what})…`);
      clock.evalStart = performance.now();
    },
    onRound: ({ round, summary }) => {
      clock.evalSeconds = (performance.now() - clock.evalStart) / 1000;
      showScores(demo, round, summary);
      demo.scoreChart.add(round, summary);
      say('train-message', '');
      eta();
    },
  };
}

/** The run's last message; a finished run's checkpoint is kept in this browser. */
async function finishTraining(demo: Demo, trainer: Trainer, config: Config, reason: StopReason, keep: () => Promise<void>): Promise<void> {
  if (reason === 'stopped') {
    say('train-message', `Stopped at step ${trainer.step}. Predict with the model, download it, or Continue.`);
    text('eta', '–');
    return;
  }
  text('eta', 'done');
  const why = reason === 'target' ? ` GeoMean reached stop_at ${config.stop_at}; raise it (or set 0) and Continue to go on.` : '';
  say('train-message', `Finished ${trainer.round} round(s), ${trainer.step} steps.${why}`);
  try {
    await keep();
    say('checkpoint-message', 'The finished checkpoint is kept in this browser (see below) until you remove it.');
  } catch (err) {
    demo.report('checkpoint-message', err);
  }
}
