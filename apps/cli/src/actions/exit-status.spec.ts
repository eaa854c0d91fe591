import type { ActionCondition } from '@switchboard/condition-types';
import type { ServerResult } from '../server-results';
import { actionCondition } from '../test-support/conditions';
import { nodeExitStatus, worstExitStatus } from './exit-status';

function finished(
  server: string,
  exit_code: number | null,
  extra: Partial<ActionCondition> = {},
): ServerResult {
  const state = exit_code === 0 ? 'succeeded' : 'failed';
  const condition = actionCondition({ target: server, state, result: { exit_code }, ...extra });
  return { server, outcome: state, conditionId: condition.id, state, condition };
}

const ok = (s: string) => finished(s, 0);
const exited = (s: string, code: number) =>
  finished(s, code, { error: `exited with status ${code}` });
const timedOut = (s: string) =>
  finished(s, null, {
    error: 'timed out after 30 s',
    result: { exit_code: null, signal: 'SIGTERM' },
  });
const other = (s: string, outcome: ServerResult['outcome']): ServerResult => ({
  server: s,
  outcome,
});

describe("one node's exit status", () => {
  it.each([
    ['succeeded', ok('n1'), 0],
    ['queued (--no-wait)', other('n1', 'queued'), 0],
    ['script exited 3', exited('n1', 3), 3],
    ['script exited 255', exited('n1', 255), 255],
    ['killed at its timeout (no exit code)', timedOut('n1'), 1],
    [
      'failed with exit code 0 (refused before it ran)',
      finished('n1', null, { state: 'failed', error: 'cancelled' }),
      1,
    ],
    ['still running when mctl stopped waiting', other('n1', 'timeout'), 1],
    ['conflict', other('n1', 'conflict'), 1],
    ['unknown node', other('n1', 'unknown'), 1],
    ['API error', other('n1', 'error'), 1],
  ])('%s → %i', (_name, result, status) => {
    expect(nodeExitStatus(result)).toBe(status);
  });
});

describe("mctl run's exit status is the worst of its nodes", () => {
  it.each([
    ['all succeeded', [ok('n1'), ok('n2'), ok('n3')], 0],
    ['one node exits 3', [ok('n1'), exited('n2', 3), ok('n3')], 3],
    ['the highest script status wins', [exited('n1', 2), exited('n2', 7), exited('n3', 3)], 7],
    [
      'a script status beats a failure without one',
      [other('n1', 'unknown'), exited('n2', 4), timedOut('n3')],
      4,
    ],
    ['failures without a status are 1', [ok('n1'), timedOut('n2'), other('n3', 'conflict')], 1],
    ['nothing at all is 1', [], 1],
  ])('%s → %i', (_name, results, status) => {
    expect(worstExitStatus(results)).toBe(status);
  });
});
