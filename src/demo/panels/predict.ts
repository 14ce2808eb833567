// The predict panel: an input as numbers (built-in tasks) or text (pairs), greedy or beam
// decoding, the true target beside a built-in task's answer, and the attention heat map
// whenever the prediction carries attention weights.
import { trueTarget, type Trainer } from '../../lib/index.ts';
import type { Demo } from '../demo.ts';
import { $, say, text } from '../dom.ts';
import { renderAttention } from '../heatmap.ts';
import { parseBeam, parseSequence, parseText } from '../predict.ts';

export function wirePredictPanel(demo: Demo): void {
  $('predict-form').addEventListener('submit', () => void predict(demo));
}

/** The predict box as token ids: text for a model of pairs (tokenised as in training), numbers otherwise. */
function readPredictInput(t: Trainer): number[] {
  const raw = $<HTMLInputElement>('predict-input').value;
  return t.vocab ? parseText(raw, t.config, t.vocab) : parseSequence(raw, t.config);
}

async function predict(demo: Demo): Promise<void> {
  const t = demo.state.trainer;
  say('predict-error', '');
  if (!t) return demo.report('predict-error', new Error('Train or load a model first.'));
  let input: number[];
  let beam: number;
  try {
    input = readPredictInput(t);
    beam = parseBeam($<HTMLInputElement>('predict-beam').value);
  } catch (err) {
    $('predict-result').hidden = true;
    return demo.report('predict-error', err);
  }
  try {
    const [d] = await t.decode([input], { beam });
    const tokens = (ids: number[]) => (t.vocab ? ids.map((id) => t.vocab![id] ?? '?') : ids.map(String));
    showAttention(tokens(input), [...tokens(d.prediction), 'EOS'], d.attention);
    showAnswer(t, input, d.prediction, beam);
  } catch (err) {
    demo.report('predict-error', err);
  }
}

/** The input, the prediction and (built-in tasks) the true target, the prediction marked right or wrong. */
function showAnswer(t: Trainer, input: number[], out: number[], beam: number): void {
  const show = (ids: number[]) => t.textOf(ids) || '(none)';
  text('predict-in', show(input));
  text('predict-out', show(out));
  text('predict-decoding', beam === 1 ? 'greedy' : `beam search, width ${beam}`);
  // A built-in task knows the true target; a file task's text has none to compare with.
  const truth = trueTarget(t.config.task, input);
  $('predict-true-row').hidden = truth === null;
  const cell = $('predict-out');
  const ok = truth !== null && out.length === truth.length && out.every((x, i) => x === truth[i]);
  cell.classList.toggle('right', truth !== null && ok);
  cell.classList.toggle('wrong', truth !== null && !ok);
  cell.title = truth === null ? '' : ok ? 'exactly right' : 'differs from the true target';
  if (truth !== null) text('predict-true', show(truth));
  $('predict-result').hidden = false;
}

/** The heat map under the prediction (one row per output token and EOS), or nothing without weights. */
function showAttention(inputs: string[], outputs: string[], weights: number[][] | undefined): void {
  const box = $('predict-attention');
  box.hidden = !weights;
  if (!weights) return box.replaceChildren();
  renderAttention(box, inputs, outputs.slice(0, weights.length), weights);
}
