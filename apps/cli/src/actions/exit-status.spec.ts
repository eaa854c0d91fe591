import type { ActionCondition } from '@switchboard/condition-types';
import type { ServerResult } from '../server-results';
import { actionCondition } from '../test-support/conditions';
import { runExitStatus, scriptExitCode, scriptExitLines } from './exit-status';

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

describe("a node's script exit status", () => {
  it.each([
    ['succeeded', ok('n1'), undefined],
    ['queued (--no-wait)', other('n1', 'queued'), undefined],
    ['script exited 3', exited('n1', 3), 3],
    ['script exited 255', exited('n1', 255), 255],
    ['killed at its timeout (no exit code)', timedOut('n1'), undefined],
    [
      'failed before it ran',
      finished('n1', null, { state: 'failed', error: 'cancelled' }),
      undefined,
    ],
    ['conflict', other('n1', 'conflict'), undefined],
    ['unknown node', other('n1', 'unknown'), undefined],
  ])('%s → %p', (_name, result, status) => {
    expect(scriptExitCode(result)).toBe(status);
  });
});

describe("mctl run's exit status is mctl's own: 0 or 1, never a script's", () => {
  it.each([
    ['all succeeded', [ok('n1'), ok('n2'), ok('n3')], 0],
    ['a script exits 3 (mctl\'s "API unreachable")', [ok('n1'), exited('n2', 3), ok('n3')], 1],
    ['a script exits 2 (mctl\'s "usage")', [exited('n1', 2)], 1],
    ['a script exits 130 (mctl\'s "interrupted")', [exited('n1', 130)], 1],
    ['failures without a status', [ok('n1'), timedOut('n2'), other('n3', 'conflict')], 1],
    ['nothing at all', [], 1],
  ])('%s → %i', (_name, results, status) => {
    expect(runExitStatus(results)).toBe(status);
  });
});

describe("the scripts' exit statuses, printed", () => {
  it('folds nodes by status, lowest status first, and leaves out nodes without one', () => {
    expect(
      scriptExitLines([
        exited('node03', 7),
        exited('node01', 3),
        ok('node02'),
        exited('node04', 3),
        timedOut('node05'),
        exited('node10', 3),
      ]),
    ).toEqual(['exit status 3: node[01,04,10]', 'exit status 7: node03']);
  });
});
