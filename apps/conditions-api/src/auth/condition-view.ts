import type { Condition } from '@switchboard/condition-types';
import { grants } from '@switchboard/auth';
import type { Principal } from './principal';

/** What stands for each argument the caller may not read. */
export const REDACTED_ARGUMENT = '[redacted]';

/**
 * A condition as `principal` may see it in an answer to a write (cancelling): whole for a
 * token that may read conditions anyway, or for the condition's own requester; otherwise
 * an action's arguments replaced one for one by `[redacted]`. A write-only token cancels
 * by id, and must not learn another subject's arguments (`--db-password=...`) from the answer.
 */
export function conditionForCaller(principal: Principal, condition: Condition): Condition {
  if (condition.kind !== 'action') return condition;
  if (grants(principal.scopes, 'read') || condition.requestedBy === principal.subject)
    return condition;
  return {
    ...condition,
    parameters: {
      ...condition.parameters,
      arguments: condition.parameters.arguments.map(() => REDACTED_ARGUMENT),
    },
  };
}
