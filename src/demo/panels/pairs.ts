// The file task's choosers: a pairs file and an optional eval_data file, read in the page by the
// library (the command line's parser), with the counts, the held-out split and the first pairs.
import { previewPairs, readPairsFile, type PairsPreview } from '../../lib/index.ts';
import type { Demo } from '../demo.ts';
import { $, cell, fieldValue, say } from '../dom.ts';

const HELD_OUT_BY = {
  hash: '1 line in about 20, by hash',
  fallback: 'the hash chose none, so those with the smallest hashes',
  eval_data: '',
};

/** One line: pairs, held out (and by which rule), vocabulary, max_length. */
export function describePairs(name: string, evalName: string | undefined, tokenize: string, p: PairsPreview): string {
  const by = p.heldOutBy === 'eval_data' ? `from ${evalName}` : HELD_OUT_BY[p.heldOutBy];
  return `${name}: ${p.trainCount} training pairs, ${p.heldOutCount} held out (${by}), vocabulary ${p.vocabSize} tokens (tokenize=${tokenize}), max_length ${p.maxLength}.`;
}

export function wirePairsPanel(demo: Demo): void {
  const chosen = (id: string, take: (file: File) => void) =>
    $<HTMLInputElement>(id).addEventListener('change', (e) => {
      const input = e.target as HTMLInputElement;
      const file = input.files?.[0];
      input.value = '';
      if (file) take(file);
    });
  chosen('data-file', (file) => void choosePairs(demo, file));
  chosen('eval-file', (file) => chooseEvalPairs(demo, file));
  $('eval-clear').addEventListener('click', () => chooseEvalPairs(demo, null));
  demo.form.onChange(() => syncTask(demo));
}

/** Shows the file chooser for task=file, re-reads the chosen file when tokenize changes, and fits the predict box's hint. */
export function syncTask(demo: Demo): void {
  const { pairs } = demo.state;
  const file = fieldValue('task') === 'file';
  $('file-task').hidden = !file;
  $<HTMLInputElement>('predict-input').placeholder = file ? 'a line of text, as in your pairs' : 'e.g. 4 7 12 13 2';
  if (file && pairs.file && pairs.read?.tokenize !== fieldValue('tokenize')) void choosePairs(demo, pairs.file);
}

async function choosePairs(demo: Demo, file: File): Promise<void> {
  const choice = demo.state.pairs;
  choice.file = file;
  choice.read = null;
  const read = ++choice.reads;
  $('data-samples').hidden = true;
  say('data-info', `Reading ${file.name}…`);
  try {
    const tokenize = fieldValue('tokenize');
    const pairs = await readPairsFile(file);
    const evalPairs = choice.evalFile ? await readPairsFile(choice.evalFile) : undefined;
    const preview = previewPairs(pairs, { tokenize: tokenize as 'words' | 'chars', evalPairs });
    if (read !== choice.reads) return;
    choice.read = { pairs, evalPairs, tokenize, preview };
    say('data-info', describePairs(file.name, choice.evalFile?.name, tokenize, preview));
    showSamples(preview.first);
  } catch (err) {
    if (read === choice.reads) demo.report('data-info', err);
  }
}

function showSamples(first: [string, string][]): void {
  const body = $('data-samples').querySelector('tbody')!;
  body.replaceChildren();
  for (const [source, target] of first) {
    const tr = body.insertRow();
    cell(tr, source || '(empty)');
    cell(tr, target || '(empty)');
  }
  $('data-samples').hidden = false;
}

/** eval_data, as on the command line: the held-out pairs from their own file, or (null) by the hash rule. */
function chooseEvalPairs(demo: Demo, file: File | null): void {
  const choice = demo.state.pairs;
  choice.evalFile = file;
  $('eval-clear').hidden = !file;
  say('eval-info', file ? `Held-out pairs: every pair of ${file.name} (eval_data).` : 'Held-out pairs: about 1 line in 20 of the pairs file, by hash.');
  if (choice.file) void choosePairs(demo, choice.file);
}
