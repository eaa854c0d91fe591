import type { StatusRecord } from '@switchboard/condition-types';
import { lastCommand, resumeBmcReset, resumePowerCommand } from './redelivery-rule';

const r = (...msgs: string[]): StatusRecord[] =>
  msgs.map((msg) => ({ ts: new Date().toISOString(), msg }));

describe('the redelivery rule', () => {
  it('finds no command when none was sent (the action starts over)', () => {
    expect(
      lastCommand(r('queued by alice', 'picked up by controller a', 'powering on')),
    ).toBeUndefined();
  });

  it('sees a command that was sent but not acknowledged', () => {
    expect(lastCommand(r('picked up by controller a', 'sending power cycle'))).toEqual({
      command: 'power cycle',
      acknowledged: false,
    });
  });

  it('sees an acknowledged command', () => {
    expect(
      lastCommand(r('sending power reset', 'power reset acknowledged', 'verifying: on')),
    ).toEqual({
      command: 'power reset',
      acknowledged: true,
    });
  });

  it('does not take an acknowledgement of another command for this one', () => {
    expect(lastCommand(r('sending BMC reset', 'power cycle acknowledged'))).toEqual({
      command: 'BMC reset',
      acknowledged: false,
    });
  });

  it('keeps the state of the latest command across several hand-overs', () => {
    const records = r(
      'sending power cycle',
      'taken over by controller b',
      'the interrupted power cycle was not repeated: the server is off, powering on',
    );
    expect(lastCommand(records)).toEqual({ command: 'power cycle', acknowledged: false });
  });

  it.each([
    [true, 'on', 'verify'],
    [true, 'off', 'verify'],
    [false, 'on', 'fail'],
    [false, 'off', 'power-on'],
  ] as const)(
    'power cycle acknowledged=%s, server reads %s -> %s (never resend)',
    (acknowledged, power, kind) => {
      expect(resumePowerCommand({ command: 'power cycle', acknowledged }, power).kind).toBe(kind);
    },
  );

  it(
    'fails an unacknowledged cycle ' + 'of a server that reads on, saying exactly what is known',
    () => {
      expect(resumePowerCommand({ command: 'power cycle', acknowledged: false }, 'on')).toEqual({
        kind: 'fail',
        reason:
          'power cycle may not have happened: the controller stopped after sending it, before ' +
          "the BMC's answer was recorded; the server is on; it was not repeated: run it again " +
          'if needed',
      });
    },
  );

  it('takes a server that reads off after an unacknowledged cycle as evidence it happened', () => {
    expect(resumePowerCommand({ command: 'power reset', acknowledged: false }, 'off')).toEqual({
      kind: 'power-on',
      record:
        'the interrupted power reset was not repeated: the server is off (it was on before ' +
        'the send, so the command took effect), powering on',
    });
  });

  it.each([
    [false, true, 'fail'],
    [false, false, 'wait'],
    [true, true, 'succeed'],
    [true, false, 'wait'],
  ] as const)('BMC reset acknowledged=%s, answers=%s -> %s', (acknowledged, answers, kind) => {
    const decision = resumeBmcReset({ command: 'BMC reset', acknowledged }, answers);
    expect(decision.kind).toBe(kind);
    if (decision.kind === 'fail')
      expect(decision.reason).toBe(
        'BMC reset may not have happened: the controller stopped after sending it, before ' +
          "the BMC's answer was recorded; the BMC answers; it was not repeated: run it again " +
          'if needed',
      );
  });
});
