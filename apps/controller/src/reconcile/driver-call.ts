import { DriverError, DriverFaultKind, OperationContext } from '@switchboard/drivers';
import type { Logger } from '@switchboard/logging';
import { describeFault, formatSeconds } from '../errors/describe-fault';
import { ConditionFailure } from '@switchboard/condition-queue';
import { AttemptsExhausted, RetryPolicy, withRetry } from '../retry';

/** One call to a driver, as the op log and the tests see it. */
export interface DriverCallEvent {
  controller: string;
  conditionId: string;
  server: string;
  lockKey: string;
  /** e.g. "set power cycle", "read power state". */
  call: string;
  attempt: number;
  /** Epoch milliseconds. */
  startedAt: number;
  endedAt: number;
  outcome: 'ok' | DriverFaultKind | 'aborted' | 'error';
}

/** A driver call that failed for good; `fault` says what kind of failure it was. */
export class CallFailed extends ConditionFailure {
  constructor(
    message: string,
    readonly fault: DriverFaultKind | undefined,
    /** The driver's own error, for its code (a cloud's error code, a transitional state). */
    readonly driverError?: DriverError,
  ) {
    super(message);
    this.name = 'CallFailed';
  }
}

export interface DriverCallsConfig {
  controller: string;
  conditionId: string;
  server: string;
  driverKind: string;
  lockKey: string;
  operationTimeoutMs: number;
  retry: RetryPolicy;
  /** The condition's signal: aborted when the work is handed back. */
  signal: AbortSignal;
  logger: Logger;
  onCall?: (event: DriverCallEvent) => void;
  /** Told before each retry (the condition records it). */
  onRetry?: (message: string) => Promise<void>;
}

/** Grace beyond the per-call deadline for a driver that does not honour its signal. */
const SETTLE_GRACE_MS = 2000;

/**
 * Every driver call of a condition goes through here: a deadline per call
 * (OPERATION_TIMEOUT_MS), retries with exponential backoff for transient faults only, an
 * entry in the op log per attempt, and a failure turned into one line saying what happened
 * and where.
 */
export class DriverCalls {
  constructor(private readonly cfg: DriverCallsConfig) {}

  /**
   * Runs the call (retrying timeouts when `retry`) and returns its value; a failure ends the
   * condition.
   */
  async run<T>(
    what: string,
    fn: (ctx: OperationContext) => Promise<T>,
    opts: { retry?: boolean } = {},
  ): Promise<T> {
    const policy = opts.retry === false ? { ...this.cfg.retry, attempts: 1 } : this.cfg.retry;
    try {
      return await withRetry((attempt) => this.once(what, attempt, fn), policy, {
        signal: this.cfg.signal,
        onRetry: async (err, attempt, delayMs) => {
          const reason = err instanceof Error ? err.message : String(err);
          await this.cfg.onRetry?.(
            `${what}: attempt ${attempt} of ${policy.attempts} failed (${reason}); ` +
              `retrying in ${formatSeconds(delayMs)}`,
          );
        },
      });
    } catch (err) {
      if (this.cfg.signal.aborted) throw this.cfg.signal.reason;
      // withRetry wraps every failure of the call in AttemptsExhausted; anything else came from
      // recording the retry (a lost condition, KV unavailable) and must pass through as itself.
      if (!(err instanceof AttemptsExhausted)) throw err;
      const cause = err.cause instanceof DriverError ? err.cause : undefined;
      throw new CallFailed(this.describe(err, what), cause?.fault, cause);
    }
  }

  /** One attempt whose failure is returned, not thrown (for polling); an abort still throws. */
  async probe<T>(
    what: string,
    fn: (ctx: OperationContext) => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
    try {
      return { ok: true, value: await this.once(what, 1, fn) };
    } catch (err) {
      if (this.cfg.signal.aborted) throw this.cfg.signal.reason;
      return { ok: false, error: err };
    }
  }

  describe(err: unknown, what: string): string {
    return describeFault(err, { what, server: this.cfg.server, via: this.cfg.driverKind });
  }

  private async once<T>(
    what: string,
    attempt: number,
    fn: (ctx: OperationContext) => Promise<T>,
  ): Promise<T> {
    const { operationTimeoutMs } = this.cfg;
    const signal = AbortSignal.any([this.cfg.signal, AbortSignal.timeout(operationTimeoutMs)]);
    const startedAt = Date.now();
    let outcome: DriverCallEvent['outcome'] = 'ok';
    let timer: NodeJS.Timeout | undefined;
    try {
      const overdue = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new DriverError(
                'timeout',
                `no answer within ${formatSeconds(operationTimeoutMs)} (the driver did ` +
                  `not stop in time)`,
              ),
            ),
          operationTimeoutMs + SETTLE_GRACE_MS,
        );
      });
      return await Promise.race([
        fn({ signal, timeoutMs: operationTimeoutMs, logger: this.cfg.logger }),
        overdue,
      ]);
    } catch (err) {
      if (this.cfg.signal.aborted) outcome = 'aborted';
      else if (err instanceof DriverError) outcome = err.fault;
      else outcome = 'error';
      throw err;
    } finally {
      clearTimeout(timer);
      const event: DriverCallEvent = {
        controller: this.cfg.controller,
        conditionId: this.cfg.conditionId,
        server: this.cfg.server,
        lockKey: this.cfg.lockKey,
        call: what,
        attempt,
        startedAt,
        endedAt: Date.now(),
        outcome,
      };
      this.cfg.logger.debug(
        {
          event: 'driver.call',
          call: what,
          attempt,
          lockKey: event.lockKey,
          outcome,
          ms: event.endedAt - startedAt,
        },
        `${what}: ${outcome}`,
      );
      this.cfg.onCall?.(event);
    }
  }
}
