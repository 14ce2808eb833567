// The settings form: one field per config key (docs/contract.md §4a names), defaults prefilled, every
// value checked as it is typed with the validator's own sentences shown beside the field.
import { checkSettings, DEFAULT_CONFIG, defaultSettings, MODELS, settingProblems, SETTINGS, type Config, type SettingInfo, type SettingKey as ConfigKey } from '../lib/index.ts';

const RULES = Object.fromEntries(SETTINGS.map((s) => [s.key, s])) as Record<ConfigKey, SettingInfo>;

/** Shown up front; the rest sit under "More settings". */
const MAIN_KEYS: ConfigKey[] = [
  'task',
  'tokenize',
  'model',
  'vocab_size',
  'max_length',
  'min_length',
  'embedding_size',
  'hidden_size',
  'layers',
  'batch_size',
  'optimizer',
  'lr',
  'rounds',
  'steps',
  'evaluate_round',
  'eval_samples',
  'seed',
];

const HINTS: Partial<Record<ConfigKey, string>> = {
  model: MODELS.map((s) => `${s.name}: ${s.summary}`).join('; '),
  vocab_size: 'numbers 1..V-2, plus PAD and EOS',
  max_length: 'longest input',
  min_length: 'shortest input',
  embedding_size: 'E',
  hidden_size: 'H',
  layers: 'LSTM depth',
  batch_size: 'samples per step',
  lr: 'learning rate',
  rounds: 'evaluations during the run',
  steps: 'optimizer steps per round',
  evaluate_round: 'eval rounds per evaluation',
  eval_samples: 'samples per eval round',
  seed: 'every random stream derives from it',
  reverse_source: 'feed the source reversed (LSTM)',
  recurrence: 'LSTM time loops: sequence (one kernel per loop), steps (dispatches per step) or auto (by adapter)',
  clip_norm: '0 turns clipping off',
  heads: 'transformer: attention heads (divide hidden_size)',
  ff_size: 'transformer: feed-forward width',
  dropout: 'probability of zeroing an activation in training (0 = off)',
  label_smoothing: 'ε: the target keeps 1 − ε, every token gets ε / V',
  warmup_steps: 'updates of linear lr warm-up before the schedule',
  init: 'pytorch (PyTorch defaults, fast) or uniform (the paper)',
  init_scale: 'range of init=uniform',
  task: 'what to learn: primes, copy, reverse, sort, or file (your own pairs, chosen below)',
  tokenize: 'task=file: words (split on whitespace) or chars',
  stop_at: 'end after a round whose GeoMean reaches this (0 = off)',
  beam: 'beam width for decoding',
  decode_length: '0 means max_length + 1',
};

export interface SettingsForm {
  /** The validated config, or null when a value is wrong (the sentences are on screen). */
  read(): Config | null;
  /** Fills every field from a config (e.g. a loaded checkpoint's). */
  fill(c: Config): void;
  setDisabled(disabled: boolean): void;
  onChange(fn: () => void): void;
}

type Field = { key: ConfigKey; input: HTMLInputElement | HTMLSelectElement; error: HTMLElement };

function parseNumber(raw: string): number | string {
  const s = raw.trim();
  return s !== '' && Number.isFinite(Number(s)) ? Number(s) : raw;
}

export function buildSettingsForm(root: HTMLElement, formError: HTMLElement): SettingsForm {
  const fields: Field[] = [];
  const listeners: (() => void)[] = [];
  const [main, moreFields] = sections(root);
  const read = () => readFields(fields, formError);
  for (const { key } of SETTINGS) {
    // The page takes its pairs from the file chooser, not from paths.
    if (key === 'data' || key === 'eval_data') continue;
    const { wrap, field } = buildField(key);
    (MAIN_KEYS.includes(key) ? main : moreFields).append(wrap);
    fields.push(field);
    field.input.addEventListener('input', () => {
      if (key === 'model') applyModelDefaults(fields, field.input.value);
      read();
      for (const fn of listeners) fn();
    });
  }
  const fill = (c: Config) => {
    for (const f of fields) setField(f, c[f.key]);
    read();
  };
  fill({ ...DEFAULT_CONFIG });
  return {
    read,
    fill,
    setDisabled(disabled) {
      for (const f of fields) f.input.disabled = disabled;
    },
    onChange(fn) {
      listeners.push(fn);
    },
  };
}

/** The main fields' box and the one under "More settings", appended to `root`. */
function sections(root: HTMLElement): [HTMLElement, HTMLElement] {
  const main = document.createElement('div');
  main.className = 'fields';
  const more = document.createElement('details');
  more.innerHTML = '<summary>More settings</summary>';
  const moreFields = document.createElement('div');
  moreFields.className = 'fields';
  more.append(moreFields);
  root.append(main, more);
  return [main, moreFields];
}

/** A select for a choice, a checkbox for a boolean, a text box for a number. */
function inputFor(key: ConfigKey): HTMLInputElement | HTMLSelectElement {
  const rule = RULES[key];
  if (rule.kind === 'choice') {
    const select = document.createElement('select');
    for (const v of rule.values ?? []) select.append(new Option(v, v));
    return select;
  }
  const el = document.createElement('input');
  if (rule.kind === 'bool') el.type = 'checkbox';
  else {
    el.type = 'text';
    el.inputMode = rule.kind === 'int' ? 'numeric' : 'decimal';
    el.spellcheck = false;
    el.autocomplete = 'off';
  }
  return el;
}

/** One labelled field: its name (with the hint as a tooltip), input, hint and error line. */
function buildField(key: ConfigKey): { wrap: HTMLElement; field: Field } {
  const wrap = document.createElement('label');
  wrap.className = 'field';
  wrap.dataset.key = key;
  const name = document.createElement('span');
  name.className = 'name';
  name.textContent = key;
  name.title = HINTS[key] ?? '';
  const input = inputFor(key);
  input.name = key;
  const hint = document.createElement('span');
  hint.className = 'hint';
  hint.textContent = HINTS[key] ?? '';
  const error = document.createElement('span');
  error.className = 'field-error';
  error.setAttribute('role', 'alert');
  wrap.append(name, input, hint, error);
  return { wrap, field: { key, input, error } };
}

function valueOf(f: Field): unknown {
  const rule = RULES[f.key];
  if (rule.kind === 'bool') return (f.input as HTMLInputElement).checked;
  if (rule.kind === 'choice') return f.input.value;
  return parseNumber(f.input.value);
}

function setField(f: Field, v: Config[ConfigKey]): void {
  if (typeof v === 'boolean') (f.input as HTMLInputElement).checked = v;
  else f.input.value = String(v);
}

/** The validated config, each field's own mistakes beside it and those across fields in `formError`; null when any. */
function readFields(fields: readonly Field[], formError: HTMLElement): Config | null {
  const partial: Record<string, unknown> = {};
  let fieldProblems = 0;
  for (const f of fields) {
    const value = valueOf(f);
    partial[f.key] = value;
    const problems = settingProblems({ [f.key]: value });
    f.error.textContent = problems.join(' ');
    f.input.classList.toggle('invalid', problems.length > 0);
    fieldProblems += problems.length;
  }
  try {
    const config = checkSettings(partial);
    formError.textContent = '';
    return config;
  } catch (err) {
    // Mistakes of one field are already beside it; here go those across fields.
    formError.textContent = fieldProblems > 0 ? 'Please correct the settings marked in red.' : (err as Error).message;
    return null;
  }
}

/** A new model choice brings its own defaults (e.g. attn reads the source in order). */
function applyModelDefaults(fields: readonly Field[], model: string): void {
  const own = defaultSettings(model);
  const keys = new Set(MODELS.flatMap((s) => Object.keys(s.defaults)));
  for (const f of fields) if (keys.has(f.key)) setField(f, own[f.key]);
}
