// The functions Node calls in the page (through a GPU runtime, src/runtimes/): open a training session,
// train a chunk of steps, finish a round, evaluate, checkpoint, predict. Sessions live in this module's
// registry between calls; progress goes to Node through a function it exposes.
import { DEFAULT_CONFIG, type Config } from '../config/index.ts';
import type { RecurrenceName } from '../config/config.ts';
import type { DeviceOptions } from '../gpu/device.ts';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../io/checkpoint.ts';
import type { Summary } from '../metrics/index.ts';
import { TrainingSession, type Progress, type TrainChunkResult } from '../train/session.ts';
import { fromBase64, toBase64 } from './base64.ts';
import type { AttentionMap } from '../train/decode.ts';
import { FileData } from '../file_task/data.ts';
import { finishLocalRound } from '../train/local_session.ts';

const sessions = new Map<number, { session: TrainingSession; stop: boolean }>();
let nextId = 1;

/** Set by the Node side with page.exposeFunction; absent on the demo page. */
type ProgressSink = (json: string) => Promise<void> | void;
const progressSink = (): ProgressSink | undefined => (globalThis as { __seq2seqProgress?: ProgressSink }).__seq2seqProgress;

function get(id: number) {
  const s = sessions.get(id);
  if (!s) throw new Error(`No training session ${id} in this page.`);
  return s;
}

export interface OpenedSession {
  id: number;
  config: Config;
  step: number;
  round: number;
  parameters: number;
  adapter: TrainingSession['gpu']['adapter'];
}

/** A file task's pairs on their way in: packed ids (src/data/packed.ts) arrive in base64 chunks. */
const uploads = new Map<number, { vocab: string[]; flat: Int32Array; filled: number }>();

/** Starts an upload of `ints` packed ids; returns its id for appendFileData and openSession. */
export function beginFileData(vocab: string[], ints: number): number {
  const id = nextId++;
  uploads.set(id, { vocab, flat: new Int32Array(ints), filled: 0 });
  return id;
}

/** Appends the next chunk (base64 of little-endian int32s). */
export function appendFileData(id: number, chunkBase64: string): void {
  const u = uploads.get(id);
  if (!u) throw new Error(`No file-data upload ${id} in this page.`);
  const bytes = fromBase64(chunkBase64);
  const ints = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  u.flat.set(ints, u.filled);
  u.filled += ints.length;
}

function takeFileData(id: number | null | undefined): FileData | undefined {
  if (id === undefined || id === null) return undefined; // puppeteer passes undefined as null
  const u = uploads.get(id);
  uploads.delete(id);
  if (!u || u.filled !== u.flat.length) throw new Error(`File-data upload ${id} is missing or incomplete.`);
  return FileData.fromPacked(u.vocab, u.flat);
}

/**
 * Where a session starts: a resolved config (validated by the caller, once), or a
 * checkpoint (base64 safetensors, whose config the caller validated) with the run's rounds.
 */
type SessionSource = { config: Config } | { checkpoint: string; rounds?: number; recurrence?: RecurrenceName };

/** Opens a session; `dataId`: a finished file-data upload (file tasks); `device`: the adapter asked for. */
export async function openSession(source: SessionSource, dataId?: number | null, device?: DeviceOptions): Promise<OpenedSession> {
  const data = takeFileData(dataId);
  let checkpoint: Checkpoint | undefined;
  let config: Config;
  if ('checkpoint' in source) {
    checkpoint = decodeCheckpoint(fromBase64(source.checkpoint));
    // (undefined may cross the boundary as null)
    config = typeof source.rounds === 'number' ? { ...checkpoint.config, rounds: source.rounds } : checkpoint.config;
    // How decoding is recorded changes no parameter: a checkpoint may be evaluated either way.
    if (source.recurrence === 'sequence' || source.recurrence === 'steps') config = { ...config, recurrence: source.recurrence };
  } else config = source.config;
  // The keys in DEFAULT_CONFIG's order, so the checkpoints' config metadata is the same bytes
  // whichever way the config came.
  const session = await TrainingSession.create({ ...DEFAULT_CONFIG, ...config }, checkpoint, undefined, data, device);
  const id = nextId++;
  sessions.set(id, { session, stop: false });
  return {
    id,
    config: session.config,
    step: session.step,
    round: session.round,
    parameters: session.model.layout.entries.reduce((a, e) => a + e.length, 0),
    adapter: session.gpu.adapter,
  };
}

export async function trainSteps(id: number, steps: number, logEvery = 10): Promise<TrainChunkResult> {
  const s = get(id);
  s.stop = false;
  const sink = progressSink();
  return s.session.train(steps, {
    logEvery,
    onProgress: (p: Progress) => void sink?.(JSON.stringify(p)),
    shouldStop: () => s.stop,
  });
}

/** Asks a running trainSteps to stop after its current step. */
export function requestStop(id: number): void {
  get(id).stop = true;
}

/** Counts one more round as complete; with `checkpoint`, returns that moment's checkpoint (base64). */
export async function finishRound(id: number, checkpoint: boolean): Promise<{ round: number; checkpoint: string | null }> {
  const done = await finishLocalRound(get(id).session, checkpoint);
  return { round: done.round, checkpoint: done.checkpoint ? toBase64(done.checkpoint) : null };
}

export function evaluateSession(id: number, opts: { rounds?: number; samples?: number; seed?: number; maxLength?: number; beam?: number } = {}): Promise<Summary & { bleu?: number }> {
  return get(id).session.evaluate(opts);
}

export async function checkpointSession(id: number): Promise<string> {
  return toBase64(encodeCheckpoint(await get(id).session.checkpoint()));
}

export function predictSession(id: number, inputs: number[][], beam?: number): Promise<number[][]> {
  return get(id).session.predict(inputs, beam);
}

export function attentionSession(id: number, inputs: number[][], beam?: number, perHead?: boolean): Promise<AttentionMap[]> {
  return get(id).session.attention(inputs, beam, perHead);
}
