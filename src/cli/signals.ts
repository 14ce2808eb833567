// Stop requests for long commands: SIGINT (Ctrl-C), SIGTERM (`docker stop`, systemd, CI
// runners), SIGHUP (the terminal went away) and a closed stdout (`train | head`). The
// first asks the command to save and stop; a second signal means "stop now".
import { constants } from 'node:os';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number] | 'SIGPIPE';

/** The shell's convention: 128 + the signal's number (SIGINT 130, SIGTERM 143). */
export function exitCodeFor(signal: StopSignal): number {
  return 128 + (constants.signals[signal] ?? 1);
}

/** The StopSignals a closed stdout should trigger (at most one command runs per process). */
let active: StopSignals | null = null;

export class StopSignals {
  /** The first stop request, or null while none came. */
  signal: StopSignal | null = null;
  private readonly handler = (signal: NodeJS.Signals) => this.request(signal as StopSignal);

  /**
   * `first`: save and stop at the next safe point; `again`: a second request, stop now.
   * Handlers stay installed until dispose(), so the default (exit at once) never applies.
   */
  constructor(
    private readonly first: (signal: StopSignal) => void,
    private readonly again: (signal: StopSignal) => void,
  ) {
    for (const s of STOP_SIGNALS) process.on(s, this.handler);
    active = this;
  }

  get requested(): boolean {
    return this.signal !== null;
  }

  /** The exit code a stopped command returns. */
  get exitCode(): number {
    return this.signal ? exitCodeFor(this.signal) : 0;
  }

  request(signal: StopSignal): void {
    if (this.signal) {
      this.again(signal);
      return;
    }
    this.signal = signal;
    this.first(signal);
  }

  dispose(): void {
    for (const s of STOP_SIGNALS) process.off(s, this.handler);
    if (active === this) active = null;
  }
}

/**
 * A reader that goes away (`seq2seq data | head`) is not an error: a command that can
 * stop cleanly is asked to (as for a signal); any other exits 0 at once. Later errors of
 * the dead stream are ignored.
 */
export function installStdoutGuard(stream: NodeJS.WriteStream = process.stdout): void {
  let closed = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (closed) return;
    if (err.code !== 'EPIPE') throw err;
    closed = true;
    if (active) active.request('SIGPIPE');
    else process.exit(0);
  });
}
