import type { OperationContext } from './capabilities';

/** Why a run was stopped before it finished on its own. */
export type StopReason =
  /**
   * `afterMs`: the budget that ran out, ours (`timeoutMs`) or the caller's signal's, as measured.
   */
  { kind: 'expired'; afterMs: number } | { kind: 'cancelled'; reason: unknown };

export interface Deadline {
  /** Aborts at `ctx.timeoutMs` or when `ctx.signal` aborts, whichever comes first. */
  readonly signal: AbortSignal;
  /** Undefined while the run may go on. */
  stopReason(): StopReason | undefined;
  /** Clears the timer and the listener; call once the run is over. */
  dispose(): void;
}

/**
 * `AbortSignal.timeout()` aborts with a TimeoutError: a caller that passes one means "the
 * deadline", which is a timeout fault, not a cancellation to hand back untouched. Checked by
 * name: the DOMException may come from another realm (a test sandbox), where instanceof fails.
 */
function isTimeoutReason(reason: unknown): boolean {
  return (
    typeof reason === 'object' &&
    reason !== null &&
    (reason as { name?: unknown }).name === 'TimeoutError'
  );
}

// setTimeout fires at once for delays above 2^31-1 ms or NaN; a budget that large means "no limit
// of ours".
const LONGEST_TIMER_MS = 2 ** 31 - 1;

function timerDelay(timeoutMs: number): number {
  return Number.isFinite(timeoutMs)
    ? Math.min(Math.max(0, timeoutMs), LONGEST_TIMER_MS)
    : LONGEST_TIMER_MS;
}

/**
 * One signal for the whole run of a tool or script. Our own timer is kept even when the caller's
 * signal carries a deadline too, because `timeoutMs` is the per-call budget the controller asked
 * for.
 */
export function startDeadline(ctx: OperationContext): Deadline {
  const controller = new AbortController();
  const started = Date.now();
  let stop: StopReason | undefined;
  const halt = (reason: StopReason): void => {
    if (stop) return;
    stop = reason;
    controller.abort(reason.kind === 'cancelled' ? reason.reason : new Error('deadline expired'));
  };
  const onAbort = (): void => {
    const reason: unknown = ctx.signal.reason;
    halt(
      isTimeoutReason(reason)
        ? { kind: 'expired', afterMs: Date.now() - started }
        : { kind: 'cancelled', reason },
    );
  };

  const timer = setTimeout(
    () => halt({ kind: 'expired', afterMs: ctx.timeoutMs }),
    timerDelay(ctx.timeoutMs),
  );
  if (ctx.signal.aborted) onAbort();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });

  return {
    signal: controller.signal,
    stopReason: () => stop,
    dispose: () => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    },
  };
}
