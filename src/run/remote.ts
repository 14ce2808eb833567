// Node's handle on a training session living in a GPU runtime (src/page/api.ts), in headless
// Chrome or in this process on Dawn (src/runtime).
import type { GpuRuntime } from '../runtime/runtime.ts';
import type { Summary } from '../metrics/index.ts';
import type { OpenedSession } from '../page/api.ts';
import type { Progress, TrainChunkResult } from '../train/session.ts';
import type { AttentionMap } from '../train/decode.ts';

const API = '/src/page/api.ts';

/** Ids per upload call: 4 Mi int32s = 16 MiB, about 22 MB of base64. */
const UPLOAD_INTS = 1 << 22;

/** A file task's pairs for the page: its vocabulary and encodePackedSets([train, heldOut]). */
export interface FileDataUpload {
  vocab: string[];
  packed: Int32Array;
}

export class RemoteSession {
  private onProgress: ((p: Progress) => void) | null = null;

  private constructor(
    private readonly h: GpuRuntime,
    readonly info: OpenedSession,
  ) {}

  /** Opens a session from a config, or from checkpoint bytes (with config overrides); `data` for file tasks. */
  static async open(h: GpuRuntime, config: Record<string, unknown> | null, checkpoint?: Uint8Array, data?: FileDataUpload): Promise<RemoteSession> {
    const dataId = data ? await upload(h, data) : undefined;
    const base64 = checkpoint ? Buffer.from(checkpoint).toString('base64') : undefined;
    const info = await h.call<OpenedSession>(API, 'openSession', config, base64, dataId, { adapter: h.adapter });
    const session = new RemoteSession(h, info);
    await h.expose('__seq2seqProgress', (json: string) => session.onProgress?.(JSON.parse(json) as Progress));
    return session;
  }

  get id(): number {
    return this.info.id;
  }

  async train(steps: number, logEvery: number, onProgress: (p: Progress) => void): Promise<TrainChunkResult> {
    this.onProgress = onProgress;
    try {
      return await this.h.call<TrainChunkResult>(API, 'trainSteps', this.id, steps, logEvery);
    } finally {
      this.onProgress = null;
    }
  }

  requestStop(): Promise<void> {
    return this.h.call<void>(API, 'requestStop', this.id);
  }

  finishRound(): Promise<number> {
    return this.h.call<number>(API, 'finishRound', this.id);
  }

  /** File tasks add `bleu`. */
  evaluate(opts: { rounds?: number; samples?: number; seed?: number; maxLength?: number; beam?: number } = {}): Promise<Summary & { bleu?: number }> {
    return this.h.call<Summary>(API, 'evaluateSession', this.id, opts);
  }

  async checkpoint(): Promise<Uint8Array> {
    return new Uint8Array(Buffer.from(await this.h.call<string>(API, 'checkpointSession', this.id), 'base64'));
  }

  /** Greedy predictions with their attention weights (attn checkpoints). */
  attention(inputs: number[][]): Promise<AttentionMap[]> {
    return this.h.call<AttentionMap[]>(API, 'attentionSession', this.id, inputs);
  }

  /** `beam`: width (default the checkpoint's config.beam; 1 = greedy). */
  predict(inputs: number[][], beam?: number): Promise<number[][]> {
    return this.h.call<number[][]>(API, 'predictSession', this.id, inputs, beam);
  }
}

/** Sends packed ids to the page in chunks (one giant string would strain the DevTools protocol). */
async function upload(h: GpuRuntime, data: FileDataUpload): Promise<number> {
  const id = await h.call<number>(API, 'beginFileData', data.vocab, data.packed.length);
  for (let at = 0; at < data.packed.length; at += UPLOAD_INTS) {
    const chunk = data.packed.subarray(at, Math.min(data.packed.length, at + UPLOAD_INTS));
    await h.call<void>(API, 'appendFileData', id, Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64'));
  }
  return id;
}
