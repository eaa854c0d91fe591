import { DriverError, OperationContext } from '../capabilities';
import { startDeadline } from '../deadline';

/** One request to a cloud's API under the operation's deadline, named `what` in any failure. */
export type CloudCall = <T>(
  ctx: OperationContext,
  what: string,
  fn: (signal: AbortSignal) => Promise<T>,
) => Promise<T>;

/**
 * The request wrapper every cloud driver shares, so the three ways a request ends badly read
 * the same on every cloud: the caller's cancellation is handed back untouched, our deadline is a
 * `timeout` naming the node, and anything else is the cloud's error through `failure` (which
 * knows that cloud's codes).
 */
export function cloudCaller(
  label: string,
  failure: (err: unknown, label: string) => DriverError,
): CloudCall {
  return async (ctx, what, fn) => {
    const deadline = startDeadline(ctx);
    try {
      return await fn(deadline.signal);
    } catch (err) {
      const stop = deadline.stopReason();
      if (stop?.kind === 'cancelled') throw stop.reason;
      if (stop?.kind === 'expired')
        throw new DriverError('timeout', `${label}: ${what}: no answer within ${stop.afterMs} ms`);
      throw failure(err, `${label}: ${what}`);
    } finally {
      deadline.dispose();
    }
  };
}

/** The error for an action outside PowerAction (a condition queued around the API's checks). */
export function unknownPowerAction(cloud: string, action: unknown): DriverError {
  return new DriverError('unsupported', `${cloud}: unknown power action ${String(action)}`);
}
