import type { ConditionKind, ParametersOf } from '@switchboard/condition-types';
import type { ApiClient } from './api-client';
import type { ServerResult } from './server-results';
import { isSingleServer } from './targets';
import type { PendingCondition } from './wait-for-outcome';

export interface Submission {
  /** Servers that already have their outcome: conflict, unknown, error. */
  settled: ServerResult[];
  /** Servers whose condition was accepted. */
  accepted: PendingCondition[];
}

/**
 * Creates conditions of one kind: a single name goes to POST /servers/{s}/condition/{kind},
 * a range, group or list goes to the batch endpoint POST /conditions.
 */
export async function submitConditions<K extends ConditionKind>(
  client: Pick<ApiClient, 'createCondition' | 'createBatch'>,
  kind: K,
  targets: string,
  parameters: ParametersOf<K>,
): Promise<Submission> {
  if (isSingleServer(targets)) {
    const answer = await client.createCondition(targets, kind, parameters);
    switch (answer.outcome) {
      case 'accepted':
        // The API names the server (the operator may have given its id).
        return {
          settled: [],
          accepted: [
            {
              server: answer.condition.server,
              conditionId: answer.condition.id,
              condition: answer.condition,
            },
          ],
        };
      case 'unknown':
        return {
          settled: [{ server: targets, outcome: 'unknown', reason: answer.message }],
          accepted: [],
        };
      case 'conflict':
        return {
          settled: [
            {
              server: targets,
              outcome: 'conflict',
              conflictingConditionId: answer.conditionId,
              reason: answer.message,
            },
          ],
          accepted: [],
        };
    }
  }

  const batch = await client.createBatch(kind, targets, parameters);
  const submission: Submission = { settled: [], accepted: [] };
  for (const r of batch.results) {
    switch (r.outcome) {
      case 'accepted':
        if (r.condition) {
          submission.accepted.push({
            server: r.server,
            conditionId: r.condition.id,
            condition: r.condition,
          });
        } else {
          submission.settled.push({
            server: r.server,
            outcome: 'error',
            reason: 'accepted without a condition in the answer',
          });
        }
        break;
      case 'conflict':
        submission.settled.push({
          server: r.server,
          outcome: 'conflict',
          conflictingConditionId: r.conflictingConditionId,
          reason: r.reason,
        });
        break;
      case 'unknown':
        submission.settled.push({ server: r.server, outcome: 'unknown', reason: r.reason });
        break;
      case 'error':
        submission.settled.push({
          server: r.server,
          outcome: 'error',
          reason: r.reason ?? 'error',
        });
        break;
    }
  }
  return submission;
}
