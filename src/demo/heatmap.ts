// The attention heat map under a prediction: one row per output token (the predicted tokens,
// then EOS), one column per input token, each cell shaded by its weight (0 white, 1 full).
// A table, so the numbers are also there for screen readers and on hover.

/** Renders `weights` (output step × input position) into `root`, replacing what was there. */
export function renderAttention(root: HTMLElement, input: string[], outputs: string[], weights: number[][]): void {
  if (weights.length !== outputs.length || weights.some((row) => row.length !== input.length)) {
    throw new Error(`The attention map has ${weights.length} rows for ${outputs.length} outputs and ${input.length} inputs.`);
  }
  const table = document.createElement('table');
  table.className = 'heatmap';
  const caption = table.createCaption();
  caption.textContent = 'attention: where each output token looked in the input (darker = more weight)';
  const head = table.createTHead().insertRow();
  head.append(cornerCell());
  for (const x of input) head.append(headerCell(x, 'col'));
  const body = table.createTBody();
  weights.forEach((row, t) => {
    const tr = body.insertRow();
    tr.append(headerCell(outputs[t], 'row'));
    row.forEach((w, s) => {
      const td = tr.insertCell();
      const a = Math.max(0, Math.min(1, w));
      td.style.background = `rgba(37, 99, 235, ${a.toFixed(3)})`;
      td.style.color = a > 0.55 ? '#fff' : 'inherit';
      td.textContent = w >= 0.005 ? w.toFixed(2).replace(/^0/, '') : '';
      td.title = `output ${outputs[t]} ← input ${input[s]} (position ${s + 1}): ${w.toFixed(4)}`;
    });
  });
  root.replaceChildren(table);
}

function headerCell(text: string, scope: 'row' | 'col'): HTMLTableCellElement {
  const th = document.createElement('th');
  th.scope = scope;
  th.textContent = text;
  return th;
}

function cornerCell(): HTMLTableCellElement {
  const th = document.createElement('th');
  th.textContent = 'out \\ in';
  return th;
}
