// The training driver's round loop (src/train/driver.ts) over a scripted session: chunking,
// round ends and their checkpoints, evaluation, stop_at, a stop request, a pending evaluation
// on resume, and the demo's pause. The GPU side is covered end to end by the CLI and demo tests.
import { describe, expect, it } from 'vitest';
import { driveRounds, reachedTarget, type DrivenSession, type DriverEvents, type RoundSummary } from '../src/train/driver.ts';
import type { TrainChunkResult, TrainHooks } from '../src/train/session.ts';

const CONFIG = { rounds: 3, steps: 25, stop_at: 0, evaluate_round: 2, eval_samples: 40 };

/** A session whose loss after step n is 1/n and whose round r scores `scores[r - 1]`; it logs every call. */
class ScriptedSession implements DrivenSession {
  step: number;
  round: number;
  calls: string[] = [];
  /** Stops a chunk after this step when set (as a stop request would). */
  stopAfter: number | null = null;

  constructor(
    start: { step: number; round: number },
    private readonly scores: number[],
  ) {
    this.step = start.step;
    this.round = start.round;
  }

  async train(steps: number, hooks: TrainHooks): Promise<TrainChunkResult> {
    this.calls.push(`train ${steps} log ${hooks.logEvery}`);
    let done = 0;
    let stopped = false;
    while (done < steps) {
      if (hooks.shouldStop?.() || this.stopAfter === this.step) {
        stopped = true;
        break;
      }
      this.step++;
      done++;
      if (done % (hooks.logEvery ?? 10) === 0 || done === steps) hooks.onProgress?.(this.progress());
    }
    return { ...this.progress(), done, stopped };
  }

  async finishRound(checkpoint: boolean) {
    this.round++;
    this.calls.push(`finish ${this.round}${checkpoint ? ' +checkpoint' : ''}`);
    return { round: this.round, checkpoint: checkpoint ? Uint8Array.of(this.round, this.step) : null };
  }

  async evaluate(opts: { rounds: number; samples: number }): Promise<RoundSummary> {
    this.calls.push(`evaluate ${opts.rounds}x${opts.samples} round ${this.round}`);
    return { geomean: this.scores[this.round - 1] } as RoundSummary;
  }

  private progress() {
    return { step: this.step, loss: this.step > 0 ? 1 / this.step : NaN, grad_norm: 1, steps_per_s: 1, live_buffers: 0, js_heap_mb: null };
  }
}

/** Every event as a line. */
function recorder(): { lines: string[]; events: DriverEvents } {
  const lines: string[] = [];
  return {
    lines,
    events: {
      started: (at) => void lines.push(`started ${at.step}/${at.round}`),
      progress: (p) => void lines.push(`progress ${p.step}`),
      chunk: (r, at) => void lines.push(`chunk ${r.done} at ${at.step}`),
      roundTrained: (at, cp) => void lines.push(`trained ${at.round} at ${at.step} cp ${cp ? [...cp].join(',') : 'none'}`),
      roundEvaluated: (r) => void lines.push(`evaluated ${r.round} at ${r.step} loss ${r.loss.toFixed(4)} geomean ${r.summary.geomean}${r.reachedTarget ? ' target' : ''}`),
    },
  };
}

describe('driveRounds', () => {
  it('trains each round in one chunk by default, hands over its checkpoint, evaluates it, and ends after the last round', async () => {
    const s = new ScriptedSession({ step: 0, round: 0 }, [0.5, 0.6, 0.7]);
    const { lines, events } = recorder();
    const result = await driveRounds(s, { config: CONFIG, start: { step: 0, round: 0, loss: NaN }, logEvery: 10, checkpointEachRound: true }, events);
    expect(result).toEqual({ step: 75, round: 3, loss: 1 / 75, reason: 'rounds' });
    expect(s.calls).toEqual([
      'train 25 log 10', 'finish 1 +checkpoint', 'evaluate 2x40 round 1',
      'train 25 log 10', 'finish 2 +checkpoint', 'evaluate 2x40 round 2',
      'train 25 log 10', 'finish 3 +checkpoint', 'evaluate 2x40 round 3',
    ]);
    expect(lines.slice(0, 7)).toEqual([
      'started 0/0', 'progress 10', 'progress 20', 'progress 25', 'chunk 25 at 25',
      'trained 1 at 25 cp 1,25', `evaluated 1 at 25 loss ${(1 / 25).toFixed(4)} geomean 0.5`,
    ]);
  });

  it('cuts rounds into chunks (the demo), reading the loss once per chunk, and stops at stop_at', async () => {
    const s = new ScriptedSession({ step: 0, round: 0 }, [0.5, 0.95, 0.99]);
    const { lines, events } = recorder();
    const result = await driveRounds(s, { config: { ...CONFIG, stop_at: 0.9 }, start: { step: 0, round: 0, loss: NaN }, chunkSteps: 10 }, events);
    expect(result.reason).toBe('target');
    expect([result.step, result.round]).toEqual([50, 2]);
    expect(s.calls.filter((c) => c.startsWith('train'))).toEqual(['train 10 log 10', 'train 10 log 10', 'train 5 log 5', 'train 10 log 10', 'train 10 log 10', 'train 5 log 5']);
    expect(s.calls).toContain('finish 1');
    expect(lines.at(-1)).toBe(`evaluated 2 at 50 loss ${(1 / 50).toFixed(4)} geomean 0.95 target`);
  });

  it('stops when asked: before a chunk, and after a chunk the session cut short, without counting the round', async () => {
    const s = new ScriptedSession({ step: 0, round: 0 }, [0.5, 0.5, 0.5]);
    let stop = false;
    s.stopAfter = 37;
    const control = { stopRequested: () => stop || s.step === 37 };
    const result = await driveRounds(s, { config: CONFIG, start: { step: 0, round: 0, loss: NaN } }, {}, control);
    expect(result).toEqual({ step: 37, round: 1, loss: 1 / 37, reason: 'stopped' });
    expect(s.calls.at(-1)).toBe('train 25 log 25');

    stop = true;
    const again = new ScriptedSession({ step: 37, round: 1 }, []);
    expect(await driveRounds(again, { config: CONFIG, start: { step: 37, round: 1, loss: 0.3 } }, {}, control)).toEqual({ step: 37, round: 1, loss: 0.3, reason: 'stopped' });
    expect(again.calls).toEqual([]);
  });

  it('a resumed run: evaluates a round counted but never evaluated first, finishes a round whose steps are all done, and trains nothing once stop_at was reached', async () => {
    const pending = new ScriptedSession({ step: 25, round: 1 }, [0.5, 0.6, 0.7]);
    const { lines, events } = recorder();
    await driveRounds(pending, { config: CONFIG, start: { step: 25, round: 1, loss: 0.04 }, evaluateFirst: true }, events);
    expect(lines.slice(0, 2)).toEqual(['evaluated 1 at 25 loss 0.0400 geomean 0.5', 'started 25/1']);
    expect(pending.calls.slice(0, 2)).toEqual(['evaluate 2x40 round 1', 'train 25 log 25']);

    // Saved at the very end of round 2's steps, before the round was counted.
    const atEnd = new ScriptedSession({ step: 50, round: 1 }, [0.5, 0.6, 0.7]);
    await driveRounds(atEnd, { config: CONFIG, start: { step: 50, round: 1, loss: 0.02 } });
    expect(atEnd.calls.slice(0, 3)).toEqual(['finish 2', 'evaluate 2x40 round 2', 'train 25 log 25']);

    const done = new ScriptedSession({ step: 25, round: 1 }, []);
    expect(await driveRounds(done, { config: { ...CONFIG, stop_at: 0.4 }, start: { step: 25, round: 1, loss: 0.04 }, reachedTarget: true })).toEqual({ step: 25, round: 1, loss: 0.04, reason: 'target' });
    expect(done.calls).toEqual([]);
  });

  it('waits in beforeChunk (the demo pause) and lets interrupt cut a chunk without ending the run', async () => {
    const s = new ScriptedSession({ step: 0, round: 0 }, [0.1, 0.2, 0.3]);
    let paused = false;
    let waits = 0;
    const control = {
      stopRequested: () => false,
      // Pause is pressed mid-chunk (after step 10): the chunk ends there, the wait releases it.
      interrupt: () => paused,
      beforeChunk: async () => {
        if (paused) {
          waits++;
          paused = false;
        }
      },
    };
    const events: DriverEvents = { progress: (p) => void (p.step === 10 && (paused = true)) };
    const result = await driveRounds(s, { config: { ...CONFIG, rounds: 1, steps: 30 }, start: { step: 0, round: 0, loss: NaN }, chunkSteps: 20, logEvery: 5 }, events, control);
    expect(result).toEqual({ step: 30, round: 1, loss: 1 / 30, reason: 'rounds' });
    expect(waits).toBe(1);
    expect(s.calls.filter((c) => c.startsWith('train'))).toEqual(['train 20 log 5', 'train 20 log 5']);
  });

  it('reachedTarget needs stop_at > 0', () => {
    expect(reachedTarget({ stop_at: 0 }, 1)).toBe(false);
    expect(reachedTarget({ stop_at: 0.9 }, 0.9)).toBe(true);
    expect(reachedTarget({ stop_at: 0.9 }, 0.89)).toBe(false);
  });
});
