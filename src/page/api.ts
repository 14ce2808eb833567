// The functions Node calls in the page (through src/harness): open a training session,
// train a chunk of steps, evaluate, checkpoint, predict. Sessions live in this module's
// registry between calls; progress goes to Node through a function it exposes.
import { validateConfig, type Config } from '../config/index.ts';
import { decodeCheckpoint, encodeCheckpoint } from '../io/checkpoint.ts';
import type { Summary } from '../metrics/index.ts';
import { TrainingSession, type Progress, type TrainChunkResult } from '../train/session.ts';
import { fromBase64, toBase64 } from './base64.ts';
import type { AttentionMap } from '../train/decode.ts';

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

/** Opens a session from a config, or from a checkpoint (base64 safetensors) that carries its config. */
export async function openSession(config: Record<string, unknown> | null, checkpointBase64?: string): Promise<OpenedSession> {
  let session: TrainingSession;
  if (checkpointBase64) {
    const checkpoint = decodeCheckpoint(fromBase64(checkpointBase64));
    session = await TrainingSession.create(validateConfig({ ...checkpoint.config, ...(config ?? {}) }), checkpoint);
  } else {
    session = await TrainingSession.create(validateConfig(config ?? {}));
  }
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

export function finishRound(id: number): number {
  const s = get(id).session;
  s.round++;
  return s.round;
}

export function evaluateSession(id: number, opts: { rounds?: number; samples?: number; seed?: number; maxLength?: number } = {}): Promise<Summary> {
  return get(id).session.evaluate(opts);
}

export async function checkpointSession(id: number): Promise<string> {
  return toBase64(encodeCheckpoint(await get(id).session.checkpoint()));
}

export function predictSession(id: number, inputs: number[][], beam?: number): Promise<number[][]> {
  return get(id).session.predict(inputs, beam);
}

export function attentionSession(id: number, inputs: number[][]): Promise<AttentionMap[]> {
  return get(id).session.attention(inputs);
}

export function closeSession(id: number): void {
  const s = sessions.get(id);
  sessions.delete(id);
  s?.session.destroy();
}
