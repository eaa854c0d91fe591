import { randomUUID } from 'node:crypto';
import { Condition } from '@switchboard/condition-types';
import type {
  ActionCondition,
  ServerControlCondition,
  ServerControlParameters,
  ServerControlResult,
} from '@switchboard/condition-types';
import type { ServerResult } from '../server-results';

/** A valid serverControl condition (checked against the contract's schema). */
export function condition(overrides: Partial<ServerControlCondition> = {}): ServerControlCondition {
  const ts = '2026-01-01T00:00:00.000Z';
  const c: ServerControlCondition = {
    version: '1',
    id: randomUUID(),
    kind: 'serverControl',
    target: 'node01',
    parameters: { action: 'set_power_state', action_parameter: 'on' },
    state: 'succeeded',
    status: { records: [{ ts, msg: 'done' }] },
    createdAt: ts,
    updatedAt: ts,
    requestedBy: 'anonymous',
    ...overrides,
  };
  return Condition.parse(c) as ServerControlCondition;
}

export function succeeded(
  server: string,
  result: ServerControlResult,
  parameters?: ServerControlParameters,
): ServerResult {
  const c = condition({ target: server, result, ...(parameters ? { parameters } : {}) });
  return { server, outcome: 'succeeded', conditionId: c.id, state: 'succeeded', condition: c };
}

export function failed(server: string, error: string): ServerResult {
  const c = condition({ target: server, state: 'failed', error });
  return {
    server,
    outcome: 'failed',
    conditionId: c.id,
    state: 'failed',
    condition: c,
    reason: error,
  };
}

/** A valid action condition (checked against the contract's schema). */
export function actionCondition(overrides: Partial<ActionCondition> = {}): ActionCondition {
  const ts = '2026-01-01T00:00:00.000Z';
  const c: ActionCondition = {
    version: '1',
    id: randomUUID(),
    kind: 'action',
    target: 'node01',
    parameters: { command: 'hello', arguments: [] },
    state: 'succeeded',
    status: { records: [{ ts, msg: 'done' }] },
    result: { exit_code: 0 },
    createdAt: ts,
    updatedAt: ts,
    requestedBy: 'anonymous',
    ...overrides,
  };
  return Condition.parse(c) as ActionCondition;
}
