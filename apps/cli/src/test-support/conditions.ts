import { randomUUID } from 'node:crypto';
import { ApiCondition } from '@switchboard/condition-types';
import { serverUuid } from '@switchboard/inventory';
import type {
  ActionCondition,
  ServerControlCondition,
  ServerControlParameters,
  ServerControlResult,
} from '@switchboard/condition-types';
import type { ServerResult } from '../server-results';

type Wire<C> = C & { server: string };

/** As the API answers it: `target` given as a server name becomes its UUID, `server` the name. */
function onTheWire<C extends { target: string }>(c: C): Wire<C> {
  return ApiCondition.parse({
    ...c,
    target: serverUuid({ name: c.target }),
    server: c.target,
  }) as unknown as Wire<C>;
}

/** The fields every condition has, as a finished one the API stored carries them. */
function commonFields(): Omit<ServerControlCondition, 'kind' | 'parameters' | 'result'> {
  const ts = '2026-01-01T00:00:00.000Z';
  return {
    version: '1.1',
    id: randomUUID(),
    target: 'node01',
    state: 'succeeded',
    status: { records: [{ ts, msg: 'done' }] },
    createdAt: ts,
    updatedAt: ts,
    requestedBy: 'anonymous',
    client: 'anonymous',
    traceID: '',
    spanID: '',
    failOnCheckpointError: false,
  };
}

/**
 * A valid serverControl condition as the API answers it (checked against the contract's
 * schema); `target` in the overrides is the server's name.
 */
export function condition(
  overrides: Partial<ServerControlCondition> = {},
): Wire<ServerControlCondition> {
  return onTheWire<ServerControlCondition>({
    ...commonFields(),
    kind: 'serverControl',
    parameters: { action: 'set_power_state', action_parameter: 'on' },
    ...overrides,
  });
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

/** A valid action condition as the API answers it; `target` in the overrides is a name. */
export function actionCondition(overrides: Partial<ActionCondition> = {}): Wire<ActionCondition> {
  return onTheWire<ActionCondition>({
    ...commonFields(),
    kind: 'action',
    parameters: { command: 'hello', arguments: [] },
    result: { exit_code: 0 },
    ...overrides,
  });
}
