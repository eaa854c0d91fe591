import type { Condition, ConditionState } from '@switchboard/condition-types';
import { ExitCode } from './exit-codes';

/**
 * What happened to one server:
 * succeeded / failed: its condition finished so;
 * timeout: it was still pending or active when mctl stopped waiting (the work goes on);
 * queued: accepted and not waited for (--no-wait);
 * conflict: another condition holds the server; unknown: not in the inventory;
 * error: the API could not create or follow its condition.
 */
export const outcomes = [
  'succeeded',
  'queued',
  'failed',
  'timeout',
  'conflict',
  'unknown',
  'error',
] as const;
export type Outcome = (typeof outcomes)[number];

export interface ServerResult {
  server: string;
  outcome: Outcome;
  conditionId?: string;
  state?: ConditionState;
  /** The condition as last seen; absent for unknown, conflict and error. */
  condition?: Condition;
  /** Why it did not succeed, in words. */
  reason?: string;
  conflictingConditionId?: string;
}

/**
 * 0 when every server succeeded (or was queued, with --no-wait); 1 when any did not (failed,
 * conflict, unknown, error); else 4: some are still running as far as mctl knows (timeout).
 */
export function exitCodeFor(results: readonly ServerResult[]): ExitCode {
  if (results.length === 0) return ExitCode.NotAllSucceeded;
  const settled = (r: ServerResult) =>
    r.outcome === 'succeeded' || r.outcome === 'queued' || r.outcome === 'timeout';
  if (!results.every(settled)) return ExitCode.NotAllSucceeded;
  return results.some((r) => r.outcome === 'timeout') ? ExitCode.OutcomeUnknown : ExitCode.Ok;
}

/** A finished (or last seen) condition as a result. */
export function resultFromCondition(server: string, condition: Condition): ServerResult {
  const base = { server, conditionId: condition.id, state: condition.state, condition };
  if (condition.state === 'succeeded') return { ...base, outcome: 'succeeded' };
  if (condition.state === 'failed')
    return {
      ...base,
      outcome: 'failed',
      reason: condition.error ?? lastStatus(condition) ?? 'failed',
    };
  return { ...base, outcome: 'timeout' };
}

export function lastStatus(condition: Condition): string | undefined {
  const records = condition.status.records;
  return records.length > 0 ? records[records.length - 1].msg : undefined;
}
