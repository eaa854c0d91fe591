import { setTimeout as timersSleep } from 'node:timers/promises';

/** Waits `ms`, or rejects with the signal's own reason (a HandBack, say) once it is aborted. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  await timersSleep(ms, undefined, { signal }).catch(() => {
    throw signal.reason;
  });
}

export interface PollTiming {
  /** How long to keep trying. */
  timeoutMs: number;
  /** First pause between two rounds; each pause is half as long again, up to `maxIntervalMs`. */
  intervalMs: number;
  maxIntervalMs: number;
}

/**
 * Calls `check` until it returns a value (not undefined), pausing between rounds, for at most
 * `timeoutMs` (every round waits at least `intervalMs`, so the loop is bounded). `check` throws
 * to stop at once (a fault that waiting cannot cure). Resolves with the value, or `timedOut`
 * and how long it tried.
 */
export async function pollUntil<T>(
  check: (round: number) => Promise<T | undefined>,
  timing: PollTiming,
  signal: AbortSignal,
): Promise<{ value: T } | { timedOut: true; elapsedMs: number }> {
  const started = Date.now();
  const deadline = started + timing.timeoutMs;
  let interval = timing.intervalMs;
  for (let round = 1; ; round++) {
    const value = await check(round);
    if (value !== undefined) return { value };
    const left = deadline - Date.now();
    if (left <= 0) return { timedOut: true, elapsedMs: Date.now() - started };
    await sleep(Math.min(interval, left), signal);
    interval = Math.min(timing.maxIntervalMs, Math.round(interval * 1.5));
  }
}
