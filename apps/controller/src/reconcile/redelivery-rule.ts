import type { PowerState, StatusRecord } from '@switchboard/condition-types';

/*
 * THE REDELIVERY RULE
 * ===================
 * A condition comes back to a controller (this replica after a restart, or another one)
 * when the replica that held it died or shut down mid-action. Idempotent steps - power on,
 * power off, soft off, setting the boot device, reading state - are simply run again.
 * Three commands are NOT idempotent: a power cycle, a power reset and a BMC reset. Sent
 * twice, the server reboots twice (or the BMC drops off the network twice).
 *
 * So before sending one of them the controller records `sending <command>` in the
 * condition, and `<command> acknowledged` once the BMC (or shell platform) said yes. A
 * replica that takes a condition over reads those records:
 *
 *  - `<command> acknowledged` is there: the command happened; only the verification that
 *    followed was interrupted, so it verifies (power on after a cycle or reset; the BMC
 *    answering after a BMC reset) and never sends the command again.
 *  - `sending <command>` without an acknowledgement: nobody knows whether the command
 *    reached the BMC. It is NOT repeated. The controller reads the BMC and decides:
 *      power cycle / power reset: the server reads `on` -> succeeded, with a record saying
 *        the interrupted command was not repeated and the server is on;
 *        it reads `off` -> powered on (idempotent) and verified.
 *      BMC reset: the BMC answers -> succeeded; it does not -> wait for it, as after a reset.
 *  - neither record: the previous holder never sent the command (it writes the record
 *    first), so the action runs from the start.
 *
 * A timeout of the non-idempotent command itself is treated the same way: never retried.
 * The price of the rule: a cycle that never reached the BMC is reported done when the server
 * is on anyway. The alternative - a possible double reboot of a production server - is worse,
 * and the record says plainly that the command was not repeated.
 */

export type NonIdempotentCommand = 'power cycle' | 'power reset' | 'BMC reset';

export const NON_IDEMPOTENT_COMMANDS: readonly NonIdempotentCommand[] = [
  'power cycle',
  'power reset',
  'BMC reset',
];

export const sendingRecord = (command: NonIdempotentCommand): string => `sending ${command}`;
export const acknowledgedRecord = (command: NonIdempotentCommand): string =>
  `${command} acknowledged`;

export interface CommandTrace {
  command: NonIdempotentCommand;
  acknowledged: boolean;
}

/** The last non-idempotent command the records say was being sent, and whether it was acknowledged. */
export function lastCommand(records: readonly StatusRecord[]): CommandTrace | undefined {
  let trace: CommandTrace | undefined;
  for (const { msg } of records) {
    for (const command of NON_IDEMPOTENT_COMMANDS) {
      if (msg === sendingRecord(command)) trace = { command, acknowledged: false };
      else if (msg === acknowledgedRecord(command) && trace?.command === command)
        trace.acknowledged = true;
    }
  }
  return trace;
}

export type PowerResume =
  /** The command was acknowledged: only verify that the server is on. */
  | { kind: 'verify' }
  /** Not acknowledged, server on: succeed without repeating it. */
  | { kind: 'succeed'; record: string }
  /** Not acknowledged, server off: power on (idempotent) and verify. */
  | { kind: 'power-on'; record: string };

/** What to do with an interrupted power cycle or reset, given the power state read now. */
export function resumePowerCommand(trace: CommandTrace, power: PowerState): PowerResume {
  if (trace.acknowledged) return { kind: 'verify' };
  if (power === 'on') {
    return {
      kind: 'succeed',
      record: `the interrupted ${trace.command} was not repeated: the server is on`,
    };
  }
  return {
    kind: 'power-on',
    record: `the interrupted ${trace.command} was not repeated: the server is off, powering on`,
  };
}

export type BmcResetResume = { kind: 'succeed'; record: string } | { kind: 'wait'; record: string };

/** What to do with an interrupted BMC reset, given whether the BMC answers now. */
export function resumeBmcReset(trace: CommandTrace, answers: boolean): BmcResetResume {
  const what = trace.acknowledged
    ? 'the BMC reset was acknowledged before the hand-over'
    : 'the interrupted BMC reset was not repeated';
  return answers
    ? { kind: 'succeed', record: `${what}: the BMC answers` }
    : { kind: 'wait', record: `${what}: the BMC does not answer yet, waiting for it` };
}
