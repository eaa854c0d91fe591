import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Errors a JetStream request meets while a stream or KV bucket elects a new leader (its leader's
 * server died) or while the client moves to another server: the request may not have been
 * seen, or seen and its answer lost. Worth trying again; anything else is an answer.
 */
const TRANSIENT = new RegExp(
  [
    'timeout|timed out|no responders|jetstream is not enabled|temporarily unavailable',
    'leadership change|no leader|not current|disconnect|connection closed|\\b503\\b',
  ].join('|'),
  'i',
);

export function isTransient(err: unknown): boolean {
  const e = err as { message?: string; code?: unknown; cause?: unknown } | undefined;
  if (!e) return false;
  if (TRANSIENT.test(String(e.message)) || String(e.code) === '503') return true;
  return e.cause !== undefined && e.cause !== err && isTransient(e.cause);
}

/** How long a store operation keeps trying through a leader election (about 2-5 s here). */
export const TRANSIENT_RETRY_MS = 15_000;

/**
 * Runs `attempt` until it succeeds, fails with a non-transient error, or `withinMs` has passed
 * (then the last error is thrown). `attempt` is told whether an earlier try failed transiently:
 * a write that may have landed then must recognise its own earlier write (see ConditionStore).
 */
export async function retryTransient<T>(
  attempt: (retried: boolean) => Promise<T>,
  withinMs = TRANSIENT_RETRY_MS,
): Promise<T> {
  const deadline = Date.now() + withinMs;
  let delay = 100;
  for (let retried = false; ; retried = true) {
    try {
      return await attempt(retried);
    } catch (err) {
      if (!isTransient(err) || Date.now() + delay > deadline) throw err;
      await sleep(delay);
      delay = Math.min(delay * 2, 1000);
    }
  }
}
