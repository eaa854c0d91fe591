import type { StatusRecord } from '@switchboard/condition-types';

/*
 * THE REDELIVERY RULE FOR ACTIONS
 * ===============================
 * A command's script is not idempotent in general (it may reflash firmware, append to a
 * ticket, reboot a node), and a replica that died while it ran leaves no way to know how far
 * it got. So the record `running <command>/<script> on <node>` is written *before* the script
 * starts, and a replica taking the condition over reads it:
 *   - it is there: the script may have run, partly or wholly. It is NOT run again: the
 *     condition fails with INTERRUPTED_ERROR, and the operator decides.
 *   - it is not there: the previous holder never started the script (it was still looking
 *     the command up, or waiting for the server's previous action), so running it is safe.
 * A replica that is shut down while a script runs kills the script's process group and fails
 * the condition itself (see describe-run.ts): it knows the run was cut short.
 */

const RUNNING = 'running ';

/** Written just before the script starts; `node` absent for a command without context. */
export function runningRecord(script: string, node?: string): string {
  return node === undefined
    ? `${RUNNING}${script} (once, for no node: the command has no context)`
    : `${RUNNING}${script} on ${node}`;
}

// A controller's scripts die with it (libs/process's death pipe), so "stopped" means the
// script was killed too, at an unknown point.
export const INTERRUPTED_ERROR =
  'interrupted: the controller running it stopped and its script was killed with it; ' +
  'not re-run (outcome unknown)';

/** Whether the records say a script was (or may have been) started. */
export function scriptWasStarted(records: readonly StatusRecord[]): boolean {
  return records.some((r) => r.msg.startsWith(RUNNING));
}
