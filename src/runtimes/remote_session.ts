// Node's handle on a training session living in a GPU runtime (src/page_api/api.ts), in headless
// Chrome or in this process on Dawn (./node/).
import type { GpuRuntime } from './runtime.ts';
import type * as PageApi from '../page_api/api.ts';
import type { OpenedSession } from '../page_api/api.ts';
import type { Progress, TrainChunkResult, TrainHooks } from '../train/session.ts';
import type { AttentionMap } from '../train/decode.ts';
import type { DrivenSession, RoundSummary } from '../train/driver.ts';
import type { Config, RecurrenceName } from '../config/config.ts';
import type { FileDataUpload } from '../file_task/data.ts';

const API = '/src/page_api/api.ts';

type Api = typeof PageApi;
type ApiFunction = { [K in keyof Api]: Api[K] extends (...args: never[]) => unknown ? K : never }[keyof Api];
type ArgsOf<K extends ApiFunction> = Api[K] extends (...args: infer A) => unknown ? A : never;
type ResultOf<K extends ApiFunction> = Api[K] extends (...args: never[]) => infer R ? Awaited<R> : never;

/**
 * Calls one function of src/page_api/api.ts in the runtime, typed by that function's own
 * signature (arguments cross as JSON: undefined arrives as null).
 */
function callPage<K extends ApiFunction>(h: GpuRuntime, fn: K, ...args: ArgsOf<K>): Promise<ResultOf<K>> {
  return h.call<ResultOf<K>>(API, fn, ...args);
}

/** A fresh session's resolved config, or a checkpoint's bytes with the run's rounds. */
/** `recurrence`: how the session records greedy decoding, in place of the checkpoint's. */
type RemoteSource = { config: Config } | { checkpoint: Uint8Array; rounds?: number; recurrence?: RecurrenceName };

/** Ids per upload call: 4 Mi int32s = 16 MiB, about 22 MB of base64. */
const UPLOAD_INTS = 1 << 22;

/** A file task's pairs for the page: its vocabulary and encodePackedSets([train, heldOut]). */

export class RemoteSession implements DrivenSession {
  private onProgress: ((p: Progress) => void) | null = null;

  private constructor(
    private readonly h: GpuRuntime,
    readonly info: OpenedSession,
  ) {}

  /** Opens a session from a resolved config or from checkpoint bytes; `data` for file tasks. */
  static async open(h: GpuRuntime, source: RemoteSource, data?: FileDataUpload): Promise<RemoteSession> {
    const dataId = data ? await upload(h, data) : undefined;
    const from = 'checkpoint' in source ? { checkpoint: Buffer.from(source.checkpoint).toString('base64'), rounds: source.rounds, recurrence: source.recurrence } : source;
    const info = await callPage(h, 'openSession', from, dataId, { adapter: h.adapter });
    const session = new RemoteSession(h, info);
    await h.expose('__seq2seqProgress', (json: string) => session.onProgress?.(JSON.parse(json) as Progress));
    return session;
  }

  get id(): number {
    return this.info.id;
  }

  /** hooks.shouldStop does not cross to the runtime: stop a chunk with requestStop. */
  async train(steps: number, hooks: TrainHooks): Promise<TrainChunkResult> {
    this.onProgress = hooks.onProgress ?? null;
    try {
      return await callPage(this.h, 'trainSteps', this.id, steps, hooks.logEvery);
    } finally {
      this.onProgress = null;
    }
  }

  requestStop(): Promise<void> {
    return callPage(this.h, 'requestStop', this.id);
  }

  async finishRound(checkpoint: boolean): Promise<{ round: number; checkpoint: Uint8Array | null }> {
    const done = await callPage(this.h, 'finishRound', this.id, checkpoint);
    return { round: done.round, checkpoint: done.checkpoint === null ? null : new Uint8Array(Buffer.from(done.checkpoint, 'base64')) };
  }

  /** File tasks add `bleu`. */
  evaluate(opts: { rounds?: number; samples?: number; seed?: number; maxLength?: number; beam?: number } = {}): Promise<RoundSummary> {
    return callPage(this.h, 'evaluateSession', this.id, opts);
  }

  async checkpoint(): Promise<Uint8Array> {
    return new Uint8Array(Buffer.from(await callPage(this.h, 'checkpointSession', this.id), 'base64'));
  }

  /** Predictions with their attention weights (models with attention); `beam` > 1: the chosen beam's; `perHead`: each head's too (transformer). */
  attention(inputs: number[][], beam = 1, perHead = false): Promise<AttentionMap[]> {
    return callPage(this.h, 'attentionSession', this.id, inputs, beam, perHead);
  }

  /** `beam`: width (default the checkpoint's config.beam; 1 = greedy). */
  predict(inputs: number[][], beam?: number): Promise<number[][]> {
    return callPage(this.h, 'predictSession', this.id, inputs, beam);
  }
}

/** Sends packed ids to the page in chunks (one giant string would strain the DevTools protocol). */
async function upload(h: GpuRuntime, data: FileDataUpload): Promise<number> {
  const id = await callPage(h, 'beginFileData', data.vocab, data.packed.length);
  for (let at = 0; at < data.packed.length; at += UPLOAD_INTS) {
    const chunk = data.packed.subarray(at, Math.min(data.packed.length, at + UPLOAD_INTS));
    await callPage(h, 'appendFileData', id, Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64'));
  }
  return id;
}
