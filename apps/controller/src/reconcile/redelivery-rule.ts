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
 *    reached the BMC. It is NOT repeated, and the condition may succeed only on evidence
 *    that it took effect. The controller reads the BMC and decides:
 *      power cycle / power reset (sent only to a server that read `on`): the server reads
 *        `off` -> the command took effect (the evidence: off after the send); powered on
 *        (idempotent) and verified, then succeeded. It reads `on` -> no evidence either way
 *        (a reboot that is over looks like none at all): FAILED, with a reason that says
 *        exactly that, so the operator decides whether to run it again.
 *      BMC reset: the BMC does not answer -> the reset took effect; wait for it to come back,
 *        then succeeded. It answers -> no evidence: FAILED, saying so.
 *  - neither record: the previous holder never sent the command (it writes the record
 *    first), so the action runs from the start.
 *
 * A timeout of the non-idempotent command itself is treated the same way: never retried.
 * The price of the rule: a cycle that did happen, but whose acknowledgement was lost with
 * the controller, is reported failed ("may not have happened") although the server did
 * reboot. The alternatives - a possible double reboot, or `succeeded` for a command that
 * never reached the BMC - are worse: an operator can always run it again knowingly.
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

/**
 * The last non-idempotent command the records say was being sent, and whether it was acknowledged.
 */
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
  /** Not acknowledged, server on: no evidence it happened; fail with `reason`, never resend. */
  | { kind: 'fail'; reason: string }
  /** Not acknowledged, server off: it took effect; power on (idempotent) and verify. */
  | { kind: 'power-on'; record: string };

/** The failure of an interrupted command that left no evidence; `state` is what was read. */
export function unknownOutcome(command: NonIdempotentCommand, state: string): string {
  return (
    `${command} may not have happened: the controller stopped after sending it, before the ` +
    `BMC's answer was recorded; ${state}; it was not repeated: run it again if needed`
  );
}

/** What to do with an interrupted power cycle or reset, given the power state read now. */
export function resumePowerCommand(trace: CommandTrace, power: PowerState): PowerResume {
  if (trace.acknowledged) return { kind: 'verify' };
  if (power === 'on') {
    return { kind: 'fail', reason: unknownOutcome(trace.command, 'the server is on') };
  }
  return {
    kind: 'power-on',
    record:
      `the interrupted ${trace.command} was not repeated: the server is off (it was on before ` +
      'the send, so the command took effect), powering on',
  };
}

export type BmcResetResume =
  | { kind: 'succeed'; record: string }
  | { kind: 'wait'; record: string }
  | { kind: 'fail'; reason: string };

/** What to do with an interrupted BMC reset, given whether the BMC answers now. */
export function resumeBmcReset(trace: CommandTrace, answers: boolean): BmcResetResume {
  if (trace.acknowledged) {
    const what = 'the BMC reset was acknowledged before the hand-over';
    return answers
      ? { kind: 'succeed', record: `${what}: the BMC answers` }
      : { kind: 'wait', record: `${what}: the BMC does not answer yet, waiting for it` };
  }
  if (answers) return { kind: 'fail', reason: unknownOutcome('BMC reset', 'the BMC answers') };
  return {
    kind: 'wait',
    record:
      'the interrupted BMC reset was not repeated: the BMC does not answer (the reset took ' +
      'effect), waiting for it',
  };
}
