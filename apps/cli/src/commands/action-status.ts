import type { Condition, ConditionState } from '@switchboard/condition-types';
import { compareNatural, expandRange } from '@switchboard/inventory/node-ranges';
import { ExitCode } from '../exit-codes';
import pMap from 'p-map';
import { requestedLabel, successLabel } from '../output/describe';
import { toJson } from '../output/json';
import { renderTable } from '../output/tables';
import { lastStatus } from '../server-results';
import type { Session } from '../session';
import { isSingleServer, resolveAgainst } from '../targets';

/**
 * The latest condition of one server: its state, `none` when it never had one, `unknown` when not
 * in the inventory.
 */
export interface LatestCondition {
  server: string;
  outcome: ConditionState | 'none' | 'unknown';
  conditionId?: string;
  action?: string;
  result?: Condition['result'];
  error?: string;
  updatedAt?: string;
  condition?: Condition;
}

/**
 * `mctl power --action-status`: reads GET /servers/{s}/status for each server and shows its
 * latest condition. Starts no work. Exit 0 only when every latest condition succeeded.
 */
export async function showActionStatus(session: Session, targets: string): Promise<number> {
  const client = session.client();
  let names: string[];
  let unknown: string[] = [];
  if (isSingleServer(targets)) {
    names = [targets];
  } else if (!targets.includes('@')) {
    names = expandRange(targets);
  } else {
    ({ names, unknown } = resolveAgainst(targets, await client.listServers()));
  }

  const found = await pMap(
    names,
    async (server): Promise<LatestCondition> => {
      const status = await client.serverStatus(server);
      if (status.found === 'unknown') return { server, outcome: 'unknown' };
      if (status.found === 'none') return { server, outcome: 'none' };
      return describeLatest(status.server, latestOf(status.conditions));
    },
    { concurrency: 8 },
  );
  const rows = [
    ...found,
    ...unknown.map((server): LatestCondition => ({ server, outcome: 'unknown' })),
  ].sort((a, b) => compareNatural(a.server, b.server));

  if (session.json) {
    // The whole condition is one GET /api/v1/conditions/{id} away.
    session.out(toJson(rows.map(({ condition: _condition, ...row }) => row)));
  } else {
    session.out(
      renderTable(
        ['SERVER', 'STATE', 'ACTION', 'RESULT', 'UPDATED', 'CONDITION'],
        rows.map((r) => [
          r.server,
          r.outcome,
          r.action ?? '',
          summary(r),
          r.updatedAt ?? '',
          r.conditionId ?? '',
        ]),
      ),
    );
  }
  return rows.length > 0 && rows.every((r) => r.outcome === 'succeeded')
    ? ExitCode.Ok
    : ExitCode.NotAllSucceeded;
}

export function latestOf(conditions: readonly Condition[]): Condition | undefined {
  return [...conditions].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}

export function describeLatest(server: string, condition: Condition | undefined): LatestCondition {
  if (!condition) return { server, outcome: 'none' };
  return {
    server,
    outcome: condition.state,
    conditionId: condition.id,
    action: requestedLabel(condition),
    result: condition.result,
    error: condition.error,
    updatedAt: condition.updatedAt,
    condition,
  };
}

function summary(r: LatestCondition): string {
  switch (r.outcome) {
    case 'unknown':
      return 'not in the inventory';
    case 'none':
      return 'no condition yet';
    case 'succeeded':
      return successLabel(r.condition);
    case 'failed':
      return r.error ?? 'failed';
    default:
      return (r.condition && lastStatus(r.condition)) ?? '';
  }
}
