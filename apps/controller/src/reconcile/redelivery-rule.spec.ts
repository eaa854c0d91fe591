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
    [false, 'on', 'succeed'],
    [false, 'off', 'power-on'],
  ] as const)(
    'power cycle acknowledged=%s, server reads %s -> %s (never resend)',
    (acknowledged, power, kind) => {
      const decision = resumePowerCommand({ command: 'power cycle', acknowledged }, power);
      expect(decision.kind).toBe(kind);
      if (decision.kind !== 'verify')
        expect(decision.record).toMatch(
          /^the interrupted power cycle was not repeated: the server is (on|off)/,
        );
    },
  );

  it.each([
    [false, true, 'succeed', 'the interrupted BMC reset was not repeated: the BMC answers'],
    [
      false,
      false,
      'wait',
      'the interrupted BMC reset was not repeated: the BMC does not answer yet, waiting for it',
    ],
    [true, true, 'succeed', 'the BMC reset was acknowledged before the hand-over: the BMC answers'],
  ] as const)(
    'BMC reset acknowledged=%s, answers=%s -> %s',
    (acknowledged, answers, kind, record) => {
      expect(resumeBmcReset({ command: 'BMC reset', acknowledged }, answers)).toEqual({
        kind,
        record,
      });
    },
  );
});
