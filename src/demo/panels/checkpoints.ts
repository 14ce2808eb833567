// The checkpoints panel: download the model, load a checkpoint file, keep one in this browser
// (IndexedDB) across reloads, load it back or remove it.
import { loadModel } from '../../lib/index.ts';
import type { Demo } from '../demo.ts';
import { $, fmt, say, text } from '../dom.ts';
import { checkpointName, replaceTrainer } from '../model.ts';
import { loadSaved, removeSaved, saveCheckpoint, type SavedCheckpoint } from '../store.ts';
import { syncTask } from './pairs.ts';
import { clearRun, showPosition, showScores } from './scores.ts';

/** Wires the panel; returns "keep the current model in this browser" for the training panel. */
export function wireCheckpointsPanel(demo: Demo): () => Promise<void> {
  const keep = () => keepInBrowser(demo);
  const attempt = (job: () => Promise<void>) => async () => {
    try {
      await job();
    } catch (err) {
      demo.report('checkpoint-message', err);
    }
  };
  $('download').addEventListener('click', attempt(() => download(demo)));
  $<HTMLInputElement>('load').addEventListener('change', async (e) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) await openCheckpoint(demo, new Uint8Array(await file.arrayBuffer()), file.name);
  });
  $('keep').addEventListener('click', attempt(async () => {
    await keep();
    say('checkpoint-message', 'Kept in this browser until you remove it.');
  }));
  $('saved-load').addEventListener('click', async () => {
    const saved = await showSaved(demo);
    if (saved) await openCheckpoint(demo, saved.bytes, saved.name);
  });
  $('saved-remove').addEventListener('click', attempt(async () => {
    await removeSaved();
    await showSaved(demo);
    say('checkpoint-message', 'Removed the saved checkpoint.');
  }));
  return keep;
}

async function download(demo: Demo): Promise<void> {
  const t = demo.state.trainer;
  if (!t) throw new Error('Train or load a model first.');
  const name = checkpointName(t);
  const bytes = await t.checkpoint();
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  say('checkpoint-message', `Downloaded ${name} (${(bytes.byteLength / 1024).toFixed(0)} KiB).`);
}

/** Opens a model from checkpoint bytes (a file, IndexedDB) so it can predict and continue, and shows its own evaluation. */
async function openCheckpoint(demo: Demo, bytes: Uint8Array, source: string): Promise<void> {
  const { state } = demo;
  state.mode = 'busy';
  demo.render();
  say('checkpoint-message', `Loading ${source}…`);
  try {
    const t = await loadModel(bytes, { name: source });
    await replaceTrainer(demo, t);
    demo.form.fill({ ...t.config });
    syncTask(demo);
    clearRun(demo);
    showPosition(t, t.config);
    const where = `${source}: model ${t.config.model}, step ${t.step}, round ${t.round}`;
    say('checkpoint-message', `Loaded ${where}; evaluating it…`);
    say('train-message', '');
    const summary = await t.evaluate();
    showScores(demo, t.round, summary);
    say('checkpoint-message', `Loaded ${where}, GeoMean ${fmt(summary.geomean)}. Predict with it, or press Continue to train it further.`);
  } catch (err) {
    demo.report('checkpoint-message', err);
  } finally {
    state.mode = state.trainer ? 'ready' : 'idle';
    demo.render();
  }
}

async function keepInBrowser(demo: Demo): Promise<void> {
  const t = demo.state.trainer;
  if (!t) throw new Error('Train or load a model first.');
  const [name, step, round] = [checkpointName(t), t.step, t.round];
  const bytes = await t.checkpoint();
  await saveCheckpoint({ bytes, name, model: t.config.model, step, round, geomean: demo.state.lastSummary?.geomean, savedAt: Date.now() });
  await showSaved(demo);
}

/** Shows the checkpoint kept in this browser (if any) and returns it. */
export async function showSaved(demo: Demo): Promise<SavedCheckpoint | null> {
  let saved: SavedCheckpoint | null = null;
  try {
    saved = await loadSaved();
  } catch (err) {
    demo.report('checkpoint-message', err);
  }
  $('saved').hidden = !saved;
  if (saved) {
    const score = saved.geomean === undefined ? '' : `, GeoMean ${fmt(saved.geomean)}`;
    text('saved-text', `${saved.model}, step ${saved.step}, round ${saved.round}${score} (${new Date(saved.savedAt).toLocaleString()}, ${(saved.bytes.byteLength / 1024).toFixed(0)} KiB)`);
  }
  return saved;
}
