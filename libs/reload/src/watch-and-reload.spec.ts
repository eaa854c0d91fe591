import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { capturingLogger } from '@switchboard/logging';

import { Reloading, watchAndReload } from './watch-and-reload';

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let dir: string;
let file: string;
let watch: Reloading<number> | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-reload-'));
  file = path.join(dir, 'value');
  fs.writeFileSync(file, '1');
});
afterEach(async () => {
  await watch?.close();
  watch = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A value that loads from `file`: a number, or a throw for anything else. */
function load(): number {
  const n = Number(fs.readFileSync(file, 'utf8'));
  if (!Number.isInteger(n)) throw new Error('not a number');
  return n;
}

function start(extra: { onReload?: (next: number, previous: number) => void } = {}) {
  const { logger, events } = capturingLogger();
  const reloads: Array<[number, number]> = [];
  const failures: string[] = [];
  watch = watchAndReload({
    load,
    dir,
    debounceMs: 50,
    logger,
    logFields: { file },
    onReload: extra.onReload ?? ((next, previous) => reloads.push([next, previous])),
    onFailure: (error) => failures.push(error.message),
  });
  return { watch, reloads, failures, events };
}

describe('watchAndReload', () => {
  it('loads at once, and throws what the first load throws', () => {
    expect(start().watch.current()).toBe(1);
    fs.writeFileSync(file, 'x');
    expect(() => start()).toThrow('not a number');
  });

  it(
    'reloads once a burst of changes ' + 'has settled, passing the new and previous value',
    async () => {
      const { watch, reloads } = start();
      await watch.ready;
      for (const n of [2, 3, 4]) fs.writeFileSync(file, String(n));
      await waitFor('a reload', () => reloads.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(reloads).toEqual([[4, 1]]);
      expect(watch.current()).toBe(4);
    },
  );

  it('keeps the last good value when a reload fails, and says why until one succeeds', async () => {
    const { watch, failures } = start();
    await watch.ready;
    fs.writeFileSync(file, 'broken');
    await waitFor('a failure', () => failures.length > 0);
    expect(watch.current()).toBe(1);
    expect(watch.lastError()?.message).toBe('not a number');

    fs.writeFileSync(file, '5');
    await waitFor('the fix', () => watch.current() === 5);
    expect(watch.lastError()).toBeUndefined();
  });

  it('logs a throwing reload handler and keeps the new value', async () => {
    const { watch, events } = start({
      onReload: () => {
        throw new Error('handler broke');
      },
    });
    await watch.ready;
    fs.writeFileSync(file, '7');
    await waitFor('the log line', () =>
      events().some((e) => e.msg === 'reload handler failed' && e.file === file),
    );
    expect(watch.current()).toBe(7);
  });

  it('reloads nothing once closed', async () => {
    const { watch, reloads } = start();
    await watch.ready;
    await watch.close();
    fs.writeFileSync(file, '9');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(reloads).toEqual([]);
    expect(watch.current()).toBe(1);
  });
});
