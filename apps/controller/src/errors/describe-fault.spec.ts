import { DriverError } from '@switchboard/drivers';
import { AttemptsExhausted } from '../retry';
import { describeFault } from './describe-fault';

const ctx = { what: 'set power on', server: 'node07', via: 'ipmi' };

describe('describeFault', () => {
  it("says what kind of fault, what was done, where, and the tool's words", () => {
    const err = new DriverError(
      'auth',
      'ipmi 10.0.0.7:623: authentication refused (user admin): RAKP 2 HMAC is invalid',
    );
    expect(describeFault(new AttemptsExhausted(err, 1), ctx)).toBe(
      'authentication refused: set power on for node07 (ipmi): ipmi 10.0.0.7:623: ' +
        'authentication refused (user admin): RAKP 2 HMAC is invalid',
    );
  });

  it('counts attempts when there were several', () => {
    const err = new DriverError('timeout', 'no answer within 2000 ms');
    expect(describeFault(new AttemptsExhausted(err, 3), ctx)).toBe(
      'timeout: set power on for node07 (ipmi) after 3 attempts: no answer within 2000 ms',
    );
  });

  it('does not call a shell platform a BMC', () => {
    const err = new DriverError('unreachable', 'host down');
    expect(describeFault(err, { ...ctx, via: 'shell:aws' })).toMatch(/^unreachable: /);
    expect(describeFault(err, ctx)).toMatch(/^BMC unreachable: /);
  });

  it('reports other errors as errors', () => {
    expect(describeFault(new Error('boom'), ctx)).toBe(
      'error: set power on for node07 (ipmi): boom',
    );
  });
});
