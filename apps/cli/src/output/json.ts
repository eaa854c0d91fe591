import { compareNatural } from '@switchboard/inventory/node-ranges';
import type { ServerResult } from '../server-results';

/**
 * `-o json`: one object per server, in natural order, for scripts:
 * `{server, outcome, conditionId?, state?, result?, error?, conflictingConditionId?}`.
 * The whole condition (progress records and all) is one `GET /api/v1/conditions/{id}` away.
 */
export function resultsToJson(results: readonly ServerResult[]): string {
  const rows = [...results]
    .sort((a, b) => compareNatural(a.server, b.server))
    .map((r) => ({
      server: r.server,
      outcome: r.outcome,
      conditionId: r.conditionId,
      state: r.state,
      result: r.condition?.result,
      error: r.outcome === 'succeeded' || r.outcome === 'queued' ? undefined : r.reason,
      conflictingConditionId: r.conflictingConditionId,
    }));
  return `${JSON.stringify(rows, null, 2)}\n`;
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
