// Waiting on events (a file written, a line printed, a process gone), never on fixed sleeps:
// on a loaded machine every step of a run may take many times longer than on a quiet one,
// so each wait polls its condition until a bound generous enough for a machine at load 20.
export const POLL_MS = 50;

/** The default bound of a wait: long, because a wait that ends early only ever fails a test. */
export const WAIT_MS = 540_000;

/** Polls `ok` until it holds; after `timeoutMs` throws one sentence naming `what` and `detail()`. */
export async function until(what: string, ok: () => boolean, timeoutMs = WAIT_MS, detail: () => string = () => ''): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > timeoutMs) {
      const more = detail();
      throw new Error(`Timed out after ${Math.round((Date.now() - t0) / 1000)} s waiting for ${what}.${more ? `\n${more}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
