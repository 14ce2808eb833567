// Node's handle on a training session living in headless Chrome (src/page/api.ts).
import type { Harness } from '../harness/harness.ts';
import type { Summary } from '../metrics/index.ts';
import type { OpenedSession } from '../page/api.ts';
import type { Progress, TrainChunkResult } from '../train/session.ts';
import type { AttentionMap } from '../train/decode.ts';

const API = '/src/page/api.ts';

export class RemoteSession {
  private onProgress: ((p: Progress) => void) | null = null;

  private constructor(
    private readonly h: Harness,
    readonly info: OpenedSession,
  ) {}

  /** Opens a session from a config, or from checkpoint bytes (with config overrides). */
  static async open(h: Harness, config: Record<string, unknown> | null, checkpoint?: Uint8Array): Promise<RemoteSession> {
    const info = await h.call<OpenedSession>(API, 'openSession', config, checkpoint ? Buffer.from(checkpoint).toString('base64') : undefined);
    const session = new RemoteSession(h, info);
    await h.page.exposeFunction('__seq2seqProgress', (json: string) => session.onProgress?.(JSON.parse(json) as Progress));
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

  evaluate(opts: { rounds?: number; samples?: number; seed?: number; maxLength?: number } = {}): Promise<Summary> {
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
