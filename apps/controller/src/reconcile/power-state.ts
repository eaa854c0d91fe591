import type { PowerState } from '@switchboard/condition-types';
import { need, ReconcileContext } from './context';

/** Reads the power state (with retries for timeouts); a failure ends the condition. */
export async function readPower(ctx: ReconcileContext, purpose?: string): Promise<PowerState> {
  const getter = need(ctx, 'powerGetter', purpose);
  return ctx.calls.run('read power state', (op) => getter.powerState(op));
}
