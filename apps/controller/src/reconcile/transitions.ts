import { DriverError } from '@switchboard/drivers';
import type { ReconcileContext } from './context';
import { CallFailed } from './driver-call';

/** The driver's 'transitional' fault (a cloud node `stopping`), however it was wrapped. */
export function transitionOf(err: unknown): DriverError | undefined {
  const cause = err instanceof CallFailed ? err.driverError : err;
  return cause instanceof DriverError && cause.fault === 'transitional' ? cause : undefined;
}

/** Records "waiting: <node> is stopping" once for each transitional state it passes through. */
export async function noteTransition(
  ctx: ReconcileContext,
  err: unknown,
  seen: Set<string>,
): Promise<void> {
  const cause = transitionOf(err);
  if (!cause) return;
  const key = cause.code ?? cause.message;
  if (seen.has(key)) return;
  seen.add(key);
  await ctx.progress.record(`waiting: ${cause.message}`);
}
