import { Harness, HarnessOptions, startHarness } from './harness';

/**
 * The suite's harness, started before its first test and closed after its last. What it returns
 * stands for the harness beforeAll starts (a proxy), so a suite reads `h.token()`, `h.store` ...
 * as it would read a variable it assigned itself, without the beforeAll/afterAll pair each time.
 */
export function useHarness(options: HarnessOptions = {}): Harness {
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness(options);
  });
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as Harness, {
    get(_, key) {
      if (!started) throw new Error(`harness.${String(key)} used before the harness started`);
      return Reflect.get(started, key, started) as unknown;
    },
  });
}
