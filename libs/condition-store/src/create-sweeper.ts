import { setTimeout as sleep } from 'node:timers/promises';
import type { ConditionStore } from './condition-store';

/** How long stop() waits for a sweep in progress. */
const STOP_WAIT_MS = 2000;

export interface CreateSweeperOptions {
  /** How often to look for cut-off creates (default 2000). */
  periodMs?: number;
  /** Told of the conditions failed "never queued" by one sweep. */
  onFailed(ids: string[]): void;
  /** Told when a sweep could not run (NATS down): the next one tries again. */
  onError(err: Error): void;
}

/**
 * Runs `sweepCutOffCreates` of the current store every `periodMs` in this process, so that
 * whichever API or controller is alive fails a create that another process was cut off in, within
 * seconds. Sweeps never overlap; several processes sweeping at once only race on compare-and-set.
 */
export function startCreateSweeper(
  store: () => ConditionStore | undefined,
  opts: CreateSweeperOptions,
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        const failed = (await store()?.sweepCutOffCreates()) ?? [];
        if (failed.length > 0) opts.onFailed(failed);
      } catch (err) {
        opts.onError(err as Error);
      }
    });
  }, opts.periodMs ?? 2000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      // A sweep in progress gets a moment to end; without NATS its requests would each take
      // their timeout, and they end anyway when the connection is closed.
      await Promise.race([running, sleep(STOP_WAIT_MS, undefined, { ref: false })]);
    },
  };
}
