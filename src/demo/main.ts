// The demo page: settings, training with live charts, prediction, checkpoints (download,
// load, kept in IndexedDB) and the kernel benchmark, all on WebGPU in this tab.
import './style.css';
import type { Config } from '../config/index.ts';
import { validateConfig } from '../config/index.ts';
import { WEBGPU_HELP, WebGpuUnavailableError } from '../gpu/device.ts';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../io/checkpoint.ts';
import type { Summary } from '../metrics/index.ts';
import { targetFor } from '../task/index.ts';
import type { FileData } from '../data/file_data.ts';
import { idsToText, textToIds } from '../data/text.ts';
import type { Tokenize } from '../data/tokenize.ts';
import { Vocab } from '../data/vocab.ts';
import { describePairs, fileDataOf, readPairsFile, samplePairs, type PagePairs } from './data.ts';
import { TrainingSession } from '../train/session.ts';
import { driveRounds, type DriverControl, type DriverEvents, type StopReason } from '../train/driver.ts';
import { localSession } from '../train/local_session.ts';
import type { BenchMode } from '../bench/plan.ts';
import type { PageBenchReport } from '../bench/run.ts';
import { BENCH_MODES, fillOpsTable, runBenchmark } from './bench.ts';
import { LossChart, ScoreChart } from './charts.ts';
import { buildSettingsForm } from './form.ts';
import { MAX_PREDICT_BEAM, parseBeam, parseSequence } from './predict.ts';
import { renderAttention } from './heatmap.ts';
import type { AttentionMap } from '../train/decode.ts';
import { loadSaved, removeSaved, saveCheckpoint, type SavedCheckpoint } from './store.ts';

/** Optimizer steps per call to train(): small enough that the page stays responsive. */
const CHUNK = 10;

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`The page has no #${id}.`);
  return el as T;
};
const text = (id: string, value: string) => {
  $(id).textContent = value;
};

// ---------------------------------------------------------------------------- state

type Mode = 'idle' | 'starting' | 'training' | 'paused' | 'stopping' | 'ready' | 'busy';
let mode: Mode = 'idle';
let session: TrainingSession | null = null;
let webgpu = true;
let pauseRequested = false;
let stopRequested = false;
let resume: (() => void) | null = null;
let lastSummary: Summary | null = null;
/** task=file: the chosen pairs file, parsed (null until one is chosen, or when it was bad). */
let pairs: PagePairs | null = null;
let chosenFile: File | null = null;
/** task=file: the chosen eval_data file (held-out pairs), or null for the hash rule. */
let chosenEvalFile: File | null = null;
let benchRunning = false;

/** Settings only the page's training loop reads: changing them needs no new session. */
const LOOP_KEYS = ['rounds', 'steps', 'evaluate_round', 'eval_samples'] as const;
type LoopSettings = Pick<Config, (typeof LOOP_KEYS)[number]>;
let loopSettings: LoopSettings | null = null;

const loopPart = (c: Config): LoopSettings => ({ rounds: c.rounds, steps: c.steps, evaluate_round: c.evaluate_round, eval_samples: c.eval_samples });
const sessionPart = (c: Config): string => JSON.stringify({ ...c, ...Object.fromEntries(LOOP_KEYS.map((k) => [k, 0])) });

/** One GPU job at a time: training chunks, evaluation, prediction, checkpoints, benchmark. */
let queue: Promise<unknown> = Promise.resolve();
function exclusive<T>(job: () => Promise<T>): Promise<T> {
  const run = queue.then(job, job);
  queue = run.catch(() => undefined);
  return run;
}

const form = buildSettingsForm($('settings'), $('form-error'));
const lossChart = new LossChart($('loss-chart'));
const scoreChart = new ScoreChart($('score-chart'));

// ---------------------------------------------------------------------------- messages

function showNoWebGpu(message: string): void {
  webgpu = false;
  text('no-webgpu-text', message);
  $('no-webgpu').hidden = false;
  text('adapter', 'none');
  render();
}

/** Shows any error in the page (never console-only); WebGPU problems get the banner. */
function report(where: string, err: unknown): void {
  if (err instanceof WebGpuUnavailableError) {
    showNoWebGpu(err.message);
    return;
  }
  text(where, err instanceof Error ? err.message : String(err));
  $(where).classList.add('error-text');
}

function say(where: string, message: string): void {
  text(where, message);
  $(where).classList.remove('error-text');
}

window.addEventListener('error', (e) => showPageError(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => showPageError(e.reason));
function showPageError(err: unknown): void {
  if (err instanceof WebGpuUnavailableError) return showNoWebGpu(err.message);
  // A benign browser notice (layout changed while observers ran), not a failure.
  if (String(err instanceof Error ? err.message : err).startsWith('ResizeObserver loop')) return;
  const el = $('page-error');
  el.textContent = `Something went wrong: ${err instanceof Error ? err.message : String(err)}`;
  el.hidden = false;
}

// ---------------------------------------------------------------------------- rendering

function render(): void {
  const training = mode === 'training' || mode === 'paused' || mode === 'starting' || mode === 'stopping';
  const busy = training || mode === 'busy';
  ($('start') as HTMLButtonElement).disabled = !webgpu || busy;
  ($('continue') as HTMLButtonElement).disabled = !webgpu || busy || !session;
  const pause = $<HTMLButtonElement>('pause');
  pause.disabled = !(mode === 'training' || mode === 'paused');
  pause.textContent = mode === 'paused' ? 'Resume' : 'Pause';
  $<HTMLButtonElement>('stop').disabled = !(mode === 'training' || mode === 'paused');
  $<HTMLButtonElement>('predict').disabled = !session || mode === 'starting';
  $<HTMLButtonElement>('download').disabled = !session || mode === 'starting';
  $<HTMLButtonElement>('keep').disabled = !session || busy;
  $<HTMLInputElement>('load').disabled = !webgpu || busy;
  $('load-label').classList.toggle('disabled', !webgpu || busy);
  $<HTMLButtonElement>('saved-load').disabled = !webgpu || busy;
  $<HTMLButtonElement>('bench').disabled = !webgpu || benchRunning || training;
  $<HTMLSelectElement>('bench-mode').disabled = benchRunning;
  form.setDisabled(busy);
  text('state', mode);
  document.body.dataset.state = mode;
}

const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

function showAdapter(a: { vendor: string; architecture: string; description: string; isFallbackAdapter: boolean }): void {
  const parts = [a.vendor, a.architecture, a.description].filter((s) => s && s.length > 0);
  text('adapter', `${parts.join(' · ') || 'unnamed adapter'}${a.isFallbackAdapter ? ' (software fallback)' : ''}`);
}

function showPosition(c: Config): void {
  if (!session) return;
  text('step', `${session.step} / ${c.rounds * c.steps}`);
  text('round', `${session.round} / ${c.rounds}`);
}

function showScores(round: number, s: Summary & { bleu?: number }): void {
  lastSummary = s;
  text('score-bleu', s.bleu !== undefined ? fmt(s.bleu, 2) : '–');
  text('score-round', `(round ${round}, ${s.count} samples)`);
  for (const key of ['psa', 'lcsr', 'geomean', 'exact_match', 'length_accuracy'] as const) {
    const std = s[`${key}_std`];
    text(`score-${key}`, s.rounds > 1 ? `${fmt(s[key])} ± ${fmt(std)}` : fmt(s[key]));
  }
}

function clearRun(): void {
  lossChart.clear();
  scoreChart.clear();
  lastSummary = null;
  for (const id of ['step', 'round', 'loss', 'rate', 'eta', 'score-psa', 'score-lcsr', 'score-geomean', 'score-exact_match', 'score-length_accuracy', 'score-bleu']) text(id, '–');
  text('score-round', '');
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 1) return '< 1 s';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${sec} s` : `${sec} s`;
}

// ---------------------------------------------------------------------------- sessions

async function replaceSession(next: TrainingSession): Promise<void> {
  const old = session;
  session = next;
  loopSettings = null;
  $<HTMLInputElement>('predict-beam').value = String(Math.min(next.config.beam, MAX_PREDICT_BEAM));
  showAdapter(next.gpu.adapter);
  if (old) await exclusive(async () => old.destroy());
}

/** Opens a session from a checkpoint (file, IndexedDB) so it can predict and continue. */
async function openCheckpoint(bytes: Uint8Array, source: string): Promise<void> {
  mode = 'busy';
  render();
  say('checkpoint-message', `Loading ${source}…`);
  try {
    const cp = decodeCheckpoint(bytes, source);
    const config = validateConfig({ ...cp.config });
    const next = await exclusive(() => TrainingSession.create(config, cp));
    await replaceSession(next);
    form.fill(config);
    syncTask();
    clearRun();
    showPosition(config);
    say('checkpoint-message', `Loaded ${source}: model ${config.model}, step ${cp.step}, round ${cp.round}; evaluating it…`);
    say('train-message', '');
    // The scores panel shows the loaded model's own evaluation, not blanks.
    const summary = await exclusive(() => next.evaluate());
    showScores(cp.round, summary);
    say('checkpoint-message', `Loaded ${source}: model ${config.model}, step ${cp.step}, round ${cp.round}, GeoMean ${fmt(summary.geomean)}. Predict with it, or press Continue to train it further.`);
  } catch (err) {
    report('checkpoint-message', err);
  } finally {
    mode = session ? 'ready' : 'idle';
    render();
  }
}

async function currentCheckpointBytes(): Promise<{ bytes: Uint8Array; cp: Checkpoint }> {
  const s = session;
  if (!s) throw new Error('Train or load a model first.');
  const cp = await exclusive(() => s.checkpoint());
  // The run's own rounds/steps/evaluation settings, which may differ from the session's.
  if (loopSettings) cp.config = { ...cp.config, ...loopSettings };
  return { bytes: encodeCheckpoint(cp), cp };
}


const fileName = (c: Checkpoint) => `seq2seq-${c.config.model}-step${c.step}.safetensors`;

async function keepInBrowser(): Promise<void> {
  const { bytes, cp } = await currentCheckpointBytes();
  await saveCheckpoint({
    bytes,
    name: fileName(cp),
    model: cp.config.model,
    step: cp.step,
    round: cp.round,
    geomean: lastSummary?.geomean,
    savedAt: Date.now(),
  });
  await showSaved();
}

async function showSaved(): Promise<SavedCheckpoint | null> {
  let saved: SavedCheckpoint | null = null;
  try {
    saved = await loadSaved();
  } catch (err) {
    report('checkpoint-message', err);
  }
  $('saved').hidden = !saved;
  if (saved) {
    const score = saved.geomean === undefined ? '' : `, GeoMean ${fmt(saved.geomean)}`;
    text('saved-text', `${saved.model}, step ${saved.step}, round ${saved.round}${score} (${new Date(saved.savedAt).toLocaleString()}, ${(saved.bytes.byteLength / 1024).toFixed(0)} KiB)`);
  }
  return saved;
}

// ---------------------------------------------------------------------------- training

function waitForResume(): Promise<void> {
  return new Promise((r) => {
    resume = r;
  });
}

/** A file task's config (vocab_size and max_length from the chosen pairs) and its data; built-in tasks as they are. */
function withPairs(config: Config): { config: Config; data?: FileData } {
  if (config.task !== 'file') return { config };
  if (!pairs) throw new Error('Choose a pairs file first (task=file), or pick a built-in task.');
  if (pairs.tokenize !== config.tokenize) throw new Error(`The pairs file is still being read with tokenize=${config.tokenize}; try again in a moment.`);
  const derived = { ...config, vocab_size: pairs.corpus.vocab.length, max_length: pairs.corpus.maxLength, data: pairs.name, eval_data: pairs.evalName ?? '' };
  return { config: derived, data: fileDataOf(pairs) };
}

async function train(fresh: boolean): Promise<void> {
  const formConfig = form.read();
  if (!formConfig) {
    say('train-message', 'Fix the settings first.');
    return;
  }
  let config: Config;
  let data: FileData | undefined;
  try {
    ({ config, data } = withPairs(formConfig));
  } catch (err) {
    report('train-message', err);
    return;
  }
  mode = 'starting';
  pauseRequested = stopRequested = false;
  render();
  say('train-message', fresh ? 'Setting up the model…' : 'Continuing…');
  const s = await sessionFor(fresh, config, data);
  if (!s) return;
  loopSettings = loopPart(config);
  if (s.round >= config.rounds) {
    say('train-message', `This model has already done ${s.round} round(s); raise rounds to train it further.`);
    mode = 'ready';
    render();
    return;
  }
  mode = 'training';
  render();
  say('train-message', '');
  showPosition(config);
  try {
    const result = await driveRounds(localSession(s, exclusive), { config, start: { step: s.step, round: s.round, loss: NaN }, chunkSteps: CHUNK }, trainingView(s, config), pauseControl);
    // A Stop pressed during the last evaluation still reads as a stop.
    await finishTraining(s, config, stopRequested ? 'stopped' : result.reason);
  } catch (err) {
    report('train-message', err);
  } finally {
    resume = null;
    mode = 'ready';
    render();
  }
}

/** The session to train: a new one (Start), the current one, or its state carried into new settings. */
async function sessionFor(fresh: boolean, config: Config, data: FileData | undefined): Promise<TrainingSession | null> {
  try {
    if (fresh || !session) {
      const next = await exclusive(() => TrainingSession.create(config, undefined, undefined, data));
      await replaceSession(next);
      clearRun();
    } else if (sessionPart(session.config) !== sessionPart(config)) {
      // New settings for the same weights: carry parameters, moments, step and round over.
      const { cp } = await currentCheckpointBytes();
      const next = await exclusive(() => TrainingSession.create(config, cp, undefined, data ?? session?.data ?? undefined));
      await replaceSession(next);
    }
    return session;
  } catch (err) {
    report('train-message', err);
    mode = session ? 'ready' : 'idle';
    render();
    return null;
  }
}

/** Pause and Stop, as the training driver asks for them. */
const pauseControl: DriverControl = {
  stopRequested: () => stopRequested,
  interrupt: () => pauseRequested,
  beforeChunk: async () => {
    if (!pauseRequested) return;
    mode = 'paused';
    render();
    text('eta', 'paused');
    await waitForResume();
    mode = stopRequested ? 'stopping' : 'training';
    render();
  },
};

/** The charts, counters and messages that follow a run in this page. */
function trainingView(s: TrainingSession, config: Config): DriverEvents {
  const total = config.rounds * config.steps;
  let rate = NaN;
  let evalSeconds = 0;
  let evalStart = 0;
  const eta = () => {
    const left = Math.max(0, total - s.step);
    const evalsLeft = config.rounds - s.round;
    text('eta', formatDuration(left / rate + evalsLeft * evalSeconds));
  };
  return {
    progress: (p) => {
      lossChart.add(p.step, p.loss);
      text('loss', fmt(p.loss, 4));
    },
    chunk: (r) => {
      if (r.done > 0 && r.steps_per_s > 0) rate = Number.isFinite(rate) ? 0.7 * rate + 0.3 * r.steps_per_s : r.steps_per_s;
      text('rate', fmt(rate, 1));
      showPosition(config);
      eta();
    },
    roundTrained: (at) => {
      showPosition(config);
      const what = s.data ? `every one of the ${s.data.heldOutCount} held-out pairs` : `${config.evaluate_round} × ${config.eval_samples} samples`;
      say('train-message', `Evaluating round ${at.round} (${what})…`);
      evalStart = performance.now();
    },
    roundEvaluated: ({ round, summary }) => {
      evalSeconds = (performance.now() - evalStart) / 1000;
      showScores(round, summary);
      scoreChart.add(round, summary);
      say('train-message', '');
      eta();
    },
  };
}

/** The run's last message; a finished run's checkpoint is kept in this browser. */
async function finishTraining(s: TrainingSession, config: Config, reason: StopReason): Promise<void> {
  if (reason === 'stopped') {
    say('train-message', `Stopped at step ${s.step}. Predict with the model, download it, or Continue.`);
    text('eta', '–');
    return;
  }
  text('eta', 'done');
  const why = reason === 'target' ? ` GeoMean reached stop_at ${config.stop_at}; raise it (or set 0) and Continue to go on.` : '';
  say('train-message', `Finished ${s.round} round(s), ${s.step} steps.${why}`);
  try {
    await keepInBrowser();
    say('checkpoint-message', 'The finished checkpoint is kept in this browser (see below) until you remove it.');
  } catch (err) {
    report('checkpoint-message', err);
  }
}

$('start').addEventListener('click', () => void train(true));
$('continue').addEventListener('click', () => void train(false));
$('pause').addEventListener('click', () => {
  if (mode === 'paused') {
    pauseRequested = false;
    resume?.();
  } else if (mode === 'training') {
    pauseRequested = true;
    text('eta', 'pausing…');
  }
});
$('stop').addEventListener('click', () => {
  stopRequested = true;
  pauseRequested = false;
  if (mode === 'paused') resume?.();
  mode = 'stopping';
  render();
});

// ---------------------------------------------------------------------------- predict

$('predict-form').addEventListener('submit', () => void predict());

/** The predict box as token ids: text for a file task (tokenised as in training), numbers otherwise. */
function readPredictInput(s: TrainingSession): number[] {
  const raw = $<HTMLInputElement>('predict-input').value;
  if (!s.vocab) return parseSequence(raw, s.config);
  const ids = textToIds(raw, new Vocab(s.vocab), s.config.tokenize);
  if (ids.length === 0) throw new Error('Type some text to predict its target.');
  if (ids.length > s.config.max_length) {
    throw new Error(`The text has ${ids.length} tokens (tokenize=${s.config.tokenize}), but this model takes at most max_length = ${s.config.max_length}.`);
  }
  return ids;
}

async function predict(): Promise<void> {
  const s = session;
  say('predict-error', '');
  if (!s) return report('predict-error', new Error('Train or load a model first.'));
  let input: number[];
  let beam: number;
  try {
    input = readPredictInput(s);
    beam = parseBeam($<HTMLInputElement>('predict-beam').value);
  } catch (err) {
    $('predict-result').hidden = true;
    return report('predict-error', err);
  }
  try {
    // attn: the prediction with its attention weights (with a beam, the chosen beam's), drawn under it.
    const maps = s.model.attention ? await exclusive(() => s.attention([input], beam)) : null;
    const [out] = maps ? [maps[0].prediction] : await exclusive(() => s.predict([input], beam));
    const tokens = (ids: number[]) => (s.vocab ? ids.map((id) => s.vocab![id] ?? '?') : ids.map(String));
    showAttention(tokens(input), maps?.[0] ? { ...maps[0], outputs: [...tokens(maps[0].prediction), 'EOS'] } : null);
    const show = (ids: number[]) => (s.vocab ? idsToText(ids, new Vocab(s.vocab), s.config.tokenize) : ids.join(' ')) || '(none)';
    text('predict-in', show(input));
    text('predict-out', show(out));
    text('predict-decoding', beam === 1 ? 'greedy' : `beam search, width ${beam}`);
    // A built-in task knows the true target; a file task's text has none to compare with.
    const truth = s.config.task === 'file' ? null : targetFor(s.config.task, input);
    $('predict-true-row').hidden = truth === null;
    const cell = $('predict-out');
    const ok = truth !== null && out.length === truth.length && out.every((x, i) => x === truth[i]);
    cell.classList.toggle('right', truth !== null && ok);
    cell.classList.toggle('wrong', truth !== null && !ok);
    cell.title = truth === null ? '' : ok ? 'exactly right' : 'differs from the true target';
    if (truth !== null) text('predict-true', show(truth));
    $('predict-result').hidden = false;
  } catch (err) {
    report('predict-error', err);
  }
}

/** The heat map under the prediction (attn, greedy), or nothing. */
function showAttention(inputs: string[], map: (AttentionMap & { outputs: string[] }) | null): void {
  const box = $('predict-attention');
  box.hidden = !map;
  if (!map) return box.replaceChildren();
  renderAttention(box, inputs, map.outputs.slice(0, map.weights.length), map.weights);
}

// ---------------------------------------------------------------------------- your own pairs

const fieldValue = (key: string) => (document.querySelector(`[name="${key}"]`) as HTMLSelectElement | null)?.value ?? '';

/** Shows the file chooser for task=file, re-reads the chosen file when tokenize changes, and fits the predict box's hint. */
function syncTask(): void {
  const file = fieldValue('task') === 'file';
  $('file-task').hidden = !file;
  $<HTMLInputElement>('predict-input').placeholder = file ? 'a line of text, as in your pairs' : 'e.g. 4 7 12 13 2';
  if (file && chosenFile && pairs?.tokenize !== fieldValue('tokenize')) void choosePairs(chosenFile);
}
form.onChange(syncTask);

/** Counts reads of the pairs: only the latest one may show its result (choices can come quickly). */
let pairsReads = 0;

async function choosePairs(file: File): Promise<void> {
  chosenFile = file;
  pairs = null;
  const read = ++pairsReads;
  $('data-samples').hidden = true;
  say('data-info', `Reading ${file.name}…`);
  try {
    const got = await readPairsFile(file, fieldValue('tokenize') as Tokenize, chosenEvalFile ?? undefined);
    if (read !== pairsReads) return;
    pairs = got;
    say('data-info', describePairs(pairs));
    const body = $('data-samples').querySelector('tbody')!;
    body.replaceChildren();
    for (const [source, target] of samplePairs(pairs)) {
      const tr = body.insertRow();
      cell(tr, source || '(empty)');
      cell(tr, target || '(empty)');
    }
    $('data-samples').hidden = false;
  } catch (err) {
    if (read === pairsReads) report('data-info', err);
  }
}

$<HTMLInputElement>('data-file').addEventListener('change', (e) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0];
  input.value = '';
  if (file) void choosePairs(file);
});

/** eval_data, as on the command line: the held-out pairs from their own file, or (null) by the hash rule. */
function chooseEvalPairs(file: File | null): void {
  chosenEvalFile = file;
  $('eval-clear').hidden = !file;
  say('eval-info', file ? `Held-out pairs: every pair of ${file.name} (eval_data).` : 'Held-out pairs: about 1 line in 20 of the pairs file, by hash.');
  if (chosenFile) void choosePairs(chosenFile);
}

$<HTMLInputElement>('eval-file').addEventListener('change', (e) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0];
  input.value = '';
  if (file) chooseEvalPairs(file);
});
$('eval-clear').addEventListener('click', () => chooseEvalPairs(null));

// ---------------------------------------------------------------------------- checkpoints

$('download').addEventListener('click', async () => {
  try {
    const { bytes, cp } = await currentCheckpointBytes();
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName(cp);
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    say('checkpoint-message', `Downloaded ${a.download} (${(bytes.byteLength / 1024).toFixed(0)} KiB).`);
  } catch (err) {
    report('checkpoint-message', err);
  }
});

$<HTMLInputElement>('load').addEventListener('change', async (e) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0];
  input.value = '';
  if (!file) return;
  await openCheckpoint(new Uint8Array(await file.arrayBuffer()), file.name);
});

$('keep').addEventListener('click', async () => {
  try {
    await keepInBrowser();
    say('checkpoint-message', 'Kept in this browser until you remove it.');
  } catch (err) {
    report('checkpoint-message', err);
  }
});

$('saved-load').addEventListener('click', async () => {
  const saved = await showSaved();
  if (saved) await openCheckpoint(saved.bytes, saved.name);
});

$('saved-remove').addEventListener('click', async () => {
  try {
    await removeSaved();
    await showSaved();
    say('checkpoint-message', 'Removed the saved checkpoint.');
  } catch (err) {
    report('checkpoint-message', err);
  }
});

// ---------------------------------------------------------------------------- benchmark

function cell(tr: HTMLTableRowElement, value: string, cls = ''): void {
  const td = document.createElement('td');
  td.textContent = value;
  if (cls) td.className = cls;
  tr.append(td);
}

const us = (x: number) => (x < 100 ? x.toFixed(1) : x.toFixed(0));

function showBench(report: PageBenchReport): void {
  const body = $('bench-table').querySelector('tbody')!;
  body.replaceChildren(
    ...(report.matmul?.results ?? []).map((r) => {
      const tr = document.createElement('tr');
      cell(tr, `matmul ${r.kernel}`);
      cell(tr, r.shape);
      cell(tr, r.gflops.toFixed(2), 'num');
      cell(tr, us(r.ms * 1000), 'num');
      cell(tr, r.method === 'timestamp' ? 'GPU timestamps' : 'submit → done');
      return tr;
    }),
  );
  $('bench-table').hidden = !report.matmul;
  $('bench-ops').hidden = !fillOpsTable($('bench-ops').querySelector('tbody')!, report);
  const models = $('bench-models');
  models.replaceChildren();
  Object.entries(report.models).forEach(([name, m], i) => {
    const box = document.createElement('details');
    box.className = 'bench-model';
    box.open = i === 0;
    const t = m.train_step;
    const summary = document.createElement('summary');
    summary.textContent =
      `${name === 'settings' ? 'Your settings' : name}: ${m.config.model}, hidden ${m.config.hidden_size}, batch ${m.config.batch_size}, max_length ${m.config.max_length} — ` +
      `training step ${t.ms_per_step.toFixed(2)} ms (${t.steps_per_s.toFixed(1)} steps/s, ${t.dispatches} dispatches), decode ${m.decode_step.ms_per_call.toFixed(2)} ms`;
    box.append(summary);
    if (t.profile) {
      const table = document.createElement('table');
      table.className = 'bench';
      table.innerHTML = '<thead><tr><th>kernel (training step)</th><th class="num">calls/step</th><th class="num">µs per call</th><th class="num">ms per step</th></tr></thead>';
      const tb = document.createElement('tbody');
      for (const k of t.profile.by_pipeline) {
        const tr = document.createElement('tr');
        cell(tr, k.kernel);
        cell(tr, String(k.calls_per_step), 'num');
        cell(tr, us(k.median_us_per_call), 'num');
        cell(tr, k.total_ms_per_step.toFixed(3), 'num');
        tb.append(tr);
      }
      table.append(tb);
      box.append(table);
    } else {
      const p = document.createElement('p');
      p.className = 'note';
      p.textContent = 'Per-kernel GPU times need the timestamp-query feature, which this device does not offer.';
      box.append(p);
    }
    models.append(box);
  });
}

const benchMode = $<HTMLSelectElement>('bench-mode');
for (const m of BENCH_MODES) benchMode.append(new Option(m.label, m.mode));
benchMode.value = 'quick';

$('bench').addEventListener('click', async () => {
  benchRunning = true;
  render();
  const mode = benchMode.value as BenchMode;
  const config = form.read();
  if (!config) {
    say('bench-message', 'Fix the settings first: the benchmark times their model.');
    benchRunning = false;
    render();
    return;
  }
  say('bench-message', `Running the ${mode} benchmark…`);
  const t0 = performance.now();
  try {
    const report = await exclusive(() => runBenchmark(mode, config, (p) => say('bench-message', `Running the ${mode} benchmark: ${p}…`)));
    showBench(report);
    say('bench-message', `Done in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${report.adapter.vendor || 'this adapter'}${report.adapter.is_fallback ? ' (software fallback)' : ''}.`);
  } catch (err) {
    report('bench-message', err);
  } finally {
    benchRunning = false;
    render();
  }
});

// ---------------------------------------------------------------------------- start-up

async function init(): Promise<void> {
  render();
  syncTask();
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) {
    showNoWebGpu(WEBGPU_HELP);
  } else {
    try {
      const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter) showNoWebGpu(`No WebGPU adapter was found. ${WEBGPU_HELP}`);
      else {
        const info = adapter.info;
        showAdapter({
          vendor: info.vendor,
          architecture: info.architecture,
          description: info.description,
          isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter),
        });
      }
    } catch (err) {
      showNoWebGpu(`${err instanceof Error ? err.message : String(err)} ${WEBGPU_HELP}`);
    }
  }
  await showSaved();
  document.body.dataset.ready = 'true';
}
void init();
