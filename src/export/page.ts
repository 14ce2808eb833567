// The page of an exported model (`seq2seq export`): loads model.safetensors beside it through the
// public API and predicts what is typed, greedy or beam, with the attention map where the model
// has one. Everything it needs is in its folder: nothing is fetched from elsewhere.
import { loadModel, Seq2SeqError, type Attention, type Trainer } from '../lib/index.ts';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** Examples for the text box: numbers for a built-in task, the first tokens of the vocabulary for pairs. */
function examples(model: Trainer): string {
  const { config, vocab } = model;
  if (vocab) return vocab.slice(2, Math.min(vocab.length - 1, 6)).join(config.tokenize === 'chars' ? '' : ' ');
  const top = config.vocab_size - 2;
  const n = Math.min(config.max_length, 5);
  return [Array.from({ length: n }, (_, i) => 1 + ((i * 7 + 3) % top)), Array.from({ length: Math.min(n, 3) }, (_, i) => top - i)].map((x) => x.join(' ')).join('\n');
}

function setStatus(text: string, state: 'busy' | 'done' | 'error'): void {
  const el = $('status');
  el.textContent = text;
  el.dataset.state = state;
}

/** The attention map as a table: one row per output token, one column per input token, shaded by weight. */
function attentionTable(input: string, map: Attention): HTMLTableElement {
  const table = document.createElement('table');
  const head = table.insertRow();
  head.insertCell().textContent = '';
  for (const token of input.split(/[\s,;]+/).filter(Boolean)) head.insertCell().textContent = token;
  map.weights.forEach((row, t) => {
    const tr = table.insertRow();
    tr.insertCell().textContent = t < map.prediction.length ? String(map.prediction[t]) : '<eos>';
    for (const w of row) {
      const cell = tr.insertCell();
      cell.textContent = w.toFixed(2);
      cell.style.background = `rgba(37, 99, 235, ${w.toFixed(3)})`;
      cell.style.color = w > 0.5 ? 'white' : 'black';
    }
  });
  return table;
}

async function predict(model: Trainer): Promise<void> {
  const lines = $<HTMLTextAreaElement>('inputs').value.split(/\r?\n/);
  const beam = Number($<HTMLInputElement>('beam').value);
  setStatus('Predicting…', 'busy');
  const list = $('predictions');
  const attention = $('attention');
  list.replaceChildren();
  attention.replaceChildren();
  const out = await model.predict(lines, { beam });
  for (const text of out) list.appendChild(document.createElement('li')).textContent = text;
  const first = lines.findIndex((l) => l.trim() !== '');
  if (model.config.model === 'attn' && !model.vocab && first >= 0) {
    const [map] = await model.attention([lines[first]]);
    attention.append(`Attention of the greedy decoding of input ${first + 1}:`, attentionTable(lines[first], map));
  }
  setStatus(`${out.length} prediction(s), beam ${beam}.`, 'done');
}

async function main(): Promise<void> {
  setStatus('Loading the model…', 'busy');
  const bytes = new Uint8Array(await (await fetch('model.safetensors')).arrayBuffer());
  const model = await loadModel(bytes);
  const { config } = model;
  $('about').textContent = `model ${config.model}, task ${config.task}, ${model.parameters} parameters, trained ${model.step} steps; on ${model.adapter.vendor || '?'}/${model.adapter.architecture || '?'}.`;
  $<HTMLTextAreaElement>('inputs').value = examples(model);
  $<HTMLInputElement>('beam').value = String(config.beam);
  $('predict').addEventListener('click', () => void predict(model).catch(fail));
  $<HTMLButtonElement>('predict').disabled = false;
  setStatus('Ready.', 'done');
}

function fail(err: unknown): void {
  setStatus(err instanceof Seq2SeqError ? err.message : `Unexpected error: ${String(err)}`, 'error');
}

void main().catch(fail);
