import { setTimeout as sleep } from 'node:timers/promises';
import { parseGoDuration } from '@switchboard/condition-types';
import { ConditionFailure } from './errors';
import type { Task } from './handler';
import type { Outcome } from './progress';

/**
 * rivets' Fault (condition/types.go), applied the way metal-toolbox/ctrl applies a handler's
 * panic (controller_nats.go): the queue, not the handler, so every kind has it. `panic` makes
 * the run fail as a handler crash does (the controller goes on with other work); `delayDuration`
 * waits before the handler runs; `failAt` fails the condition at `init` (before the handler) or
 * at `complete` (after it, before the outcome is written). Off unless the replica enables it.
 */
export async function runWithFault(
  task: Task,
  enabled: boolean,
  run: () => Promise<Outcome>,
): Promise<Outcome> {
  const { fault } = task.condition;
  if (!fault) return run();
  if (!enabled) {
    task.logger.warn({ event: 'condition.fault_ignored' }, 'fault injection is off; ignoring it');
    await task.progress.record('fault ignored: fault injection is off on this controller');
    return run();
  }
  const delayMs = fault.delayDuration ? (parseGoDuration(fault.delayDuration) ?? 0) : 0;
  if (delayMs > 0) {
    await task.progress.record(`fault: waiting ${fault.delayDuration} before running`);
    await sleep(delayMs, undefined, { signal: task.signal });
  }
  if (fault.failAt === 'init') throw new ConditionFailure('fault injected: failed at init');
  if (fault.panic) throw new FaultPanic();
  const outcome = await run();
  if (fault.failAt === 'complete')
    throw new ConditionFailure(`fault injected: failed at complete (the run had ${outcome.state})`);
  return outcome;
}

/** What a handler crash looks like to the queue: an error that is no ConditionFailure. */
export class FaultPanic extends Error {
  constructor() {
    super('fault injected: panic while running the condition');
    this.name = 'FaultPanic';
  }
}
