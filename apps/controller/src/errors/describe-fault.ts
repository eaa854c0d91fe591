import { DriverError, DriverFaultKind } from '@switchboard/drivers';
import { AttemptsExhausted } from '../retry';

/** Words an operator reads first in `condition.error`: what kind of trouble it was. */
const headline: Record<DriverFaultKind, string> = {
  timeout: 'timeout',
  unreachable: 'BMC unreachable',
  auth: 'authentication refused',
  unsupported: 'not supported',
  transitional: 'still changing state',
  command: 'command failed',
};

export interface FaultContext {
  /** What the controller was doing, e.g. "set power off". */
  what: string;
  /** Server name. */
  server: string;
  /** Driver kind ("ipmi", "shell:aws"): says through what the server was reached. */
  via: string;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

export { seconds as formatSeconds };

/**
 * One line saying what happened and where, for a condition's `error`:
 *   "authentication refused: set power on for node07 (ipmi): ipmi 10.0.0.7:623: authentication
 * refused (user admin): RAKP 2 HMAC is invalid"   "timeout: read power state for node03 (ipmi)
 * after 3 attempts: ipmi 10.0.0.3:623: chassis power status: no answer: Get Auth Capabilities
 * error" A shell platform is not a BMC, so its unreachable fault says "unreachable" only.
 */
export function describeFault(err: unknown, ctx: FaultContext): string {
  let attempts = 1;
  let cause = err;
  if (err instanceof AttemptsExhausted) {
    attempts = err.attempts;
    cause = err.cause;
  }
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  const where = `${ctx.what} for ${ctx.server} (${ctx.via})${tries}`;
  if (cause instanceof DriverError) {
    let head = headline[cause.fault];
    if (cause.fault === 'unreachable' && !ctx.via.startsWith('ipmi')) head = 'unreachable';
    // The tool's full output (cause.detail) goes to the log, not into the condition.
    return `${head}: ${where}: ${cause.message}`;
  }
  return `error: ${where}: ${(cause as Error)?.message ?? String(cause)}`;
}
