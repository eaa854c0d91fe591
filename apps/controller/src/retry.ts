import pRetry from 'p-retry';
import { DriverError } from '@switchboard/drivers';

export interface RetryPolicy {
  /** Total attempts, the first one included (1 = no retry). */
  attempts: number;
  /** Delay before the second attempt; doubled for each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Only faults that may go away by themselves are retried: a BMC that did not answer in time
 * (DriverError.transient). An authentication refusal, an unsupported operation, a command
 * that ran and failed, or an address where nothing answers are reported at once: repeating
 * them only delays the answer (and locks accounts on some BMCs).
 */
export function isRetryable(err: unknown): boolean {
  return err instanceof DriverError && err.transient;
}

/**
 * Exponential backoff: base, 2·base, 4·base ... capped at maxDelayMs. `attempt` is the one that
 * failed (1-based).
 */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

export interface RetryHooks {
  signal?: AbortSignal;
  /** Called before waiting for the next attempt. */
  onRetry?: (err: unknown, failedAttempt: number, delayMs: number) => void | Promise<void>;
}

/** The last error of a retried call, with how many attempts were made. */
export class AttemptsExhausted extends Error {
  constructor(
    override readonly cause: unknown,
    readonly attempts: number,
  ) {
    super((cause as Error)?.message ?? String(cause));
    this.name = 'AttemptsExhausted';
  }
}

/**
 * Runs `fn` (through p-retry) until it succeeds, fails with a fault that is not retryable, or
 * has used `policy.attempts` attempts. Always rejects with AttemptsExhausted (carrying the
 * attempt count and the last error as `cause`), except for an abort, which passes through
 * untouched.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks = {},
): Promise<T> {
  const { signal } = hooks;
  const attempts = Math.max(1, policy.attempts);
  // The thrown value itself (p-retry hands on Error instances only) and the attempt it ended.
  let last: { error: unknown; attempt: number } | undefined;
  // A failure of onRetry itself (recording the retry) passes through as itself.
  let hookFailed: { error: unknown } | undefined;
  const willRetry = (attempt: number) =>
    !signal?.aborted && isRetryable(last?.error) && attempt < attempts;
  try {
    return await pRetry(
      async (attempt) => {
        try {
          return await fn(attempt);
        } catch (error) {
          last = { error, attempt };
          throw error instanceof Error ? error : new Error(String(error));
        }
      },
      {
        retries: attempts - 1,
        factor: 2,
        minTimeout: policy.baseDelayMs,
        maxTimeout: policy.maxDelayMs,
        signal,
        shouldRetry: ({ attemptNumber }) => willRetry(attemptNumber),
        // Told of every failure; only one that will be retried is reported, before the wait.
        onFailedAttempt: async ({ attemptNumber }) => {
          if (!willRetry(attemptNumber)) return;
          try {
            await hooks.onRetry?.(last?.error, attemptNumber, backoffDelay(attemptNumber, policy));
          } catch (error) {
            hookFailed = { error };
            throw error;
          }
        },
      },
    );
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (hookFailed) throw hookFailed.error;
    if (!last) throw err;
    throw new AttemptsExhausted(last.error, last.attempt);
  }
}
