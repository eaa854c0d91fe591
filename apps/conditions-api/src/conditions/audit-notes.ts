import type {
  BatchConditionResponse,
  ApiCondition,
  ServerConditionsResponse,
} from '@switchboard/condition-types';
import { foldNames } from '@switchboard/inventory';
import { actionOf } from '../logging/action-of';
import type { RequestNote } from '../logging/request-log';
import { clip } from '../text/clip';

/** A condition on the audit line: which, where, what, and where it stands. */
export function conditionNote(condition: ApiCondition): RequestNote {
  return {
    conditionId: condition.id,
    servers: condition.server,
    kind: condition.kind,
    action: actionOf(condition.parameters),
    outcome: condition.state,
  };
}

/** The answer of a per-server route, as the audit line tells it. */
export function serverConditionsNote(answer: ServerConditionsResponse): RequestNote {
  const [condition] = answer.records.conditions;
  return condition ? conditionNote(condition) : {};
}

/** A batch: every server touched, folded, and how many of each outcome. */
export function batchNote(answer: BatchConditionResponse): RequestNote {
  const counts: Record<string, number> = {};
  for (const r of answer.results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  return {
    servers: clip(foldNames(answer.results.map((r) => r.server)), 300),
    outcome: 'batch',
    counts,
  };
}
