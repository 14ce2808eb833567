// One headless-Chrome harness per test file: opened before the file's tests, closed after.
import { afterAll, beforeAll } from 'vitest';
import { openHarness, type Harness, type HarnessOptions } from '../../src/runtimes/chrome/harness.ts';

export type FileHarness = Pick<Harness, 'call' | 'pageErrors'>;

/** Registers the file's beforeAll/afterAll; the harness answers once the tests run. */
export function useHarness(options?: HarnessOptions): FileHarness {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await openHarness(options);
  });
  afterAll(async () => {
    await h?.close();
  });
  const opened = (): Harness => {
    if (!h) throw new Error('The harness opens before the tests: call it from inside a test.');
    return h;
  };
  return {
    call: <T>(modulePath: string, fn: string, ...args: unknown[]) => opened().call<T>(modulePath, fn, ...args),
    get pageErrors() {
      return opened().pageErrors;
    },
  };
}
