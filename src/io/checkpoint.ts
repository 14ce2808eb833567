// Checkpoints (docs/contract.md §5): one safetensors file holding the model tensors under their
// docs/contract.md §3 names, the optimizer state under `optimizer.` (e.g. `optimizer.m.<name>`), and
// string metadata: `format`, `config` (the resolved Config as JSON), `step`, `round`
// and `resume` (a JSON object with whatever exact resume needs). Pure, like safetensors.ts.
import { DEFAULT_CONFIG, type Config } from '../config/config.ts';
import { adapterJson, type AdapterSummary } from './adapter_summary.ts';
import { CheckpointError, decodeSafetensors, encodeSafetensors, formatShape, showName, showValue, type Tensor } from './safetensors.ts';

/** Where a named tensor sits in a flat arena (src/gpu/buffers.ts ArenaEntry has this shape). */
interface ArenaEntry {
  name: string;
  shape: readonly number[];
  offset: number;
  length: number;
}

/** Bumped whenever the meaning of the tensors or metadata changes. */
export const CHECKPOINT_FORMAT = '1';
export const OPTIMIZER_PREFIX = 'optimizer.';

export interface Checkpoint {
  config: Config;
  /** Optimizer updates done so far. */
  step: number;
  /** Rounds completed so far. */
  round: number;
  /** Model tensors, docs/contract.md §3 names. */
  tensors: Map<string, Tensor>;
  /** Optimizer state, names without the `optimizer.` prefix (e.g. `m.output.weight`). */
  optimizer: Map<string, Tensor>;
  /** The trainer's own JSON (data stream position, RNG states, ...). */
  resume: Record<string, unknown>;
  /** The WebGPU adapter that computed the tensors (metadata `adapter`; absent in older files). */
  adapter?: AdapterSummary;
  /** A file task's vocabulary (index = id, docs/contract.md §1b); metadata `vocab` and `tokenize`. */
  vocab?: string[];
}

export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const all = new Map<string, Tensor>();
  for (const [name, t] of c.tensors) {
    if (name.startsWith(OPTIMIZER_PREFIX)) throw new Error(`Model tensor ${name} uses the reserved prefix ${OPTIMIZER_PREFIX}.`);
    all.set(name, t);
  }
  for (const [name, t] of c.optimizer) all.set(OPTIMIZER_PREFIX + name, t);
  for (const [key, v] of [['step', c.step], ['round', c.round]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`Checkpoint ${key} must be a non-negative integer, not ${v}.`);
  }
  return encodeSafetensors(all, {
    format: CHECKPOINT_FORMAT,
    config: JSON.stringify(c.config),
    step: String(c.step),
    round: String(c.round),
    resume: JSON.stringify(c.resume),
    ...(c.adapter ? { adapter: JSON.stringify(adapterJson(c.adapter)) } : {}),
    ...vocabMetadata(c),
  });
}

function vocabMetadata(c: Checkpoint): Record<string, string> {
  if (!c.vocab) return {};
  if (c.vocab.length !== c.config.vocab_size) throw new Error(`Checkpoint vocab has ${c.vocab.length} tokens but vocab_size is ${c.config.vocab_size}.`);
  return { vocab: JSON.stringify(c.vocab), tokenize: c.config.tokenize };
}

function parseVocab(text: string, vocabSize: number, fail: (msg: string) => never): string[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    fail('has vocab metadata that is not valid JSON');
  }
  if (!Array.isArray(raw) || raw.some((t) => typeof t !== 'string')) fail('has vocab metadata that is not an array of strings');
  const vocab = raw as string[];
  if (vocab.length !== vocabSize) fail(`has a vocab of ${vocab.length} tokens, but its config says vocab_size ${vocabSize}`);
  return vocab;
}

/**
 * Reads a checkpoint written by encodeCheckpoint. The config is checked for shape (every
 * Config key, with the right JSON type, and no others), not for sense: run the config
 * validator on it before building a model. Throws CheckpointError with one sentence.
 */
export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): Checkpoint {
  const fail = (msg: string): never => {
    throw new CheckpointError(`${source} ${msg}.`);
  };
  const file = decodeSafetensors(bytes, { source });
  const meta = file.metadata;
  if (!Object.hasOwn(meta, 'format')) fail('has no format in its metadata, so it was not written by seq2seq');
  if (meta.format !== CHECKPOINT_FORMAT) {
    fail(`has format ${showValue(meta.format)}, but this version reads format ${CHECKPOINT_FORMAT}`);
  }
  for (const key of ['config', 'step', 'round', 'resume']) {
    if (!Object.hasOwn(meta, key)) fail(`has no ${key} in its metadata`);
  }
  const config = parseConfig(meta.config, fail);
  const step = parseCount('step', meta.step, fail);
  const round = parseCount('round', meta.round, fail);
  let resume: unknown;
  try {
    resume = JSON.parse(meta.resume);
  } catch {
    fail('has resume metadata that is not valid JSON');
  }
  if (typeof resume !== 'object' || resume === null || Array.isArray(resume)) fail('has resume metadata that is not a JSON object');

  const tensors = new Map<string, Tensor>();
  const optimizer = new Map<string, Tensor>();
  for (const [name, t] of file.tensors) {
    // A model of NaNs would evaluate to 0 and predict PAD with exit 0: refuse it here.
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) fail(`holds a non-finite value (${t.data[bad]}) in tensor ${showName(name)} at index ${bad}, so it cannot be used; train again or take an earlier checkpoint`);
    if (name.startsWith(OPTIMIZER_PREFIX)) optimizer.set(name.slice(OPTIMIZER_PREFIX.length), t);
    else tensors.set(name, t);
  }
  const vocab = Object.hasOwn(meta, 'vocab') ? parseVocab(meta.vocab, config.vocab_size, fail) : undefined;
  return { config, step, round, tensors, optimizer, resume: resume as Record<string, unknown>, ...(vocab ? { vocab } : {}) };
}

function parseCount(key: string, text: string, fail: (msg: string) => never): number {
  const n = Number(text);
  if (!/^(0|[1-9][0-9]*)$/.test(text) || !Number.isSafeInteger(n)) {
    fail(`has ${key} ${showValue(text)} in its metadata, which is not a non-negative integer`);
  }
  return n;
}

function parseConfig(text: string, fail: (msg: string) => never): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    fail('has config metadata that is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('has config metadata that is not a JSON object');
  const obj = raw as Record<string, unknown>;
  const known: Readonly<Record<string, unknown>> = { ...DEFAULT_CONFIG };
  // Keys absent from checkpoints written before them: file tasks (docs/contract.md §1b), dropout,
  // label smoothing, warm-up and the transformer's sizes, whose defaults reproduce what those runs did.
  for (const key of ['data', 'eval_data', 'tokenize', 'dropout', 'label_smoothing', 'warmup_steps', 'heads', 'ff_size']) if (!Object.hasOwn(obj, key)) obj[key] = known[key];
  // How the recurrence is recorded (no effect on the tensors), absent from checkpoints written before it.
  if (!Object.hasOwn(obj, 'recurrence')) obj.recurrence = known.recurrence;
  for (const key of Object.keys(known)) {
    if (!Object.hasOwn(obj, key)) fail(`has a config without ${key}`);
    if (typeof obj[key] !== typeof known[key]) {
      fail(`has a config whose ${key} is ${showValue(obj[key])}, not a ${typeof known[key]}`);
    }
  }
  const unknown = Object.keys(obj).filter((k) => !Object.hasOwn(known, k));
  if (unknown.length > 0) fail(`has a config with unknown key${unknown.length > 1 ? 's' : ''} ${someNames(unknown.map(showName))}`);
  return obj as unknown as Config;
}

/** Lists at most three names, then "and N more". */
function someNames(names: string[]): string {
  const head = names.slice(0, 3).join(', ');
  return names.length > 3 ? `${head} and ${names.length - 3} more` : head;
}

/**
 * Checks that `tensors` holds exactly the expected names with exactly the expected
 * shapes; otherwise one CheckpointError sentence names what is missing, unexpected or
 * mismatched. `expected` may be an ArenaLayout's entries.
 */
export function expectTensors(
  tensors: ReadonlyMap<string, { shape: readonly number[] }>,
  expected: readonly { name: string; shape: readonly number[] }[],
  source = 'checkpoint',
): void {
  const missing: string[] = [];
  const mismatched: string[] = [];
  const wanted = new Set<string>();
  for (const { name, shape } of expected) {
    wanted.add(name);
    const t = tensors.get(name);
    if (!t) missing.push(name);
    else if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      mismatched.push(`tensor ${name} has shape ${formatShape(t.shape)}, but the config needs ${formatShape(shape)}`);
    }
  }
  const unexpected = [...tensors.keys()].filter((n) => !wanted.has(n)).map(showName);
  const problems = [...mismatched];
  if (missing.length > 0) problems.push(`it lacks ${missing.length > 1 ? 'tensors' : 'tensor'} ${someNames(missing)}`);
  if (unexpected.length > 0) {
    problems.push(`it has ${unexpected.length > 1 ? 'tensors' : 'tensor'} ${someNames(unexpected)}, which the config does not use`);
  }
  if (problems.length === 0) return;
  if (problems.length === 1 && mismatched.length === 1) throw new CheckpointError(`${source} ${mismatched[0]}.`);
  const shown = problems.length > 4 ? [...problems.slice(0, 3), `${problems.length - 3} more problems`] : problems;
  throw new CheckpointError(`${source} does not match the config: ${shown.join('; ')}.`);
}

/** Copies each entry of an arena read back from the GPU into its own tensor. */
export function tensorsFromArena(entries: readonly ArenaEntry[], arena: Float32Array): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const e of entries) out.set(e.name, { shape: [...e.shape], data: arena.slice(e.offset, e.offset + e.length) });
  return out;
}

/** Writes tensors into an arena at their entries' offsets; call expectTensors first. */
export function tensorsIntoArena(tensors: ReadonlyMap<string, Tensor>, entries: readonly ArenaEntry[], arena: Float32Array): void {
  for (const e of entries) {
    const t = tensors.get(e.name);
    if (!t || t.data.length !== e.length) throw new Error(`Tensor ${e.name} is missing or has the wrong size for the arena.`);
    arena.set(t.data, e.offset);
  }
}
