import { ExitCode } from './exit-codes';
import { exitCodeFor, resultFromCondition } from './server-results';
import type { Outcome } from './server-results';
import { condition } from './test-support/conditions';

describe('exitCodeFor', () => {
  it.each<[Outcome[], number]>([
    [['succeeded'], ExitCode.Ok],
    [['succeeded', 'succeeded'], ExitCode.Ok],
    [['queued', 'queued'], ExitCode.Ok],
    [['succeeded', 'failed'], ExitCode.NotAllSucceeded],
    [['timeout'], ExitCode.OutcomeUnknown],
    [['succeeded', 'timeout'], ExitCode.OutcomeUnknown],
    [['failed', 'timeout'], ExitCode.NotAllSucceeded],
    [['succeeded', 'conflict'], ExitCode.NotAllSucceeded],
    [['unknown'], ExitCode.NotAllSucceeded],
    [['queued', 'error'], ExitCode.NotAllSucceeded],
    [[], ExitCode.NotAllSucceeded],
  ])('%j → %i', (outcomes, code) => {
    expect(exitCodeFor(outcomes.map((outcome, i) => ({ server: `n${i}`, outcome })))).toBe(code);
  });

  it('documents the codes scripts rely on', () => {
    expect(ExitCode).toEqual({ Ok: 0, NotAllSucceeded: 1, Usage: 2, Api: 3, OutcomeUnknown: 4 });
  });
});

describe('resultFromCondition', () => {
  it('reports the error of a failed condition, else its last progress message', () => {
    expect(
      resultFromCondition('node01', condition({ state: 'failed', error: 'BMC unreachable' }))
        .reason,
    ).toBe('BMC unreachable');
    expect(resultFromCondition('node01', condition({ state: 'failed' })).reason).toBe('done');
  });

  it('treats a condition that is not final as a timeout', () => {
    expect(resultFromCondition('node01', condition({ state: 'active' })).outcome).toBe('timeout');
  });
});
