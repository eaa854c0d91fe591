import type { BmcConfig } from '@switchboard/inventory';

import { ipmitoolArgv, ipmitoolGiveUpMs, retriesFor } from './ipmitool-session';

function bmc(fields: Partial<BmcConfig> & { password?: string } = {}): BmcConfig {
  const { password, ...rest } = fields;
  const config: BmcConfig = {
    host: '127.64.0.1',
    port: 623,
    username: 'ADMIN',
    cipherSuite: 3,
    ...rest,
  };
  if (password !== undefined)
    Object.defineProperty(config, 'password', { value: password, enumerable: false });
  return config;
}

describe('how long ipmitool takes to give up on a silent BMC', () => {
  // Measured with ipmitool 1.8.19 against a loopback address where nothing listens.
  it.each([
    [1, 1, 2000],
    [1, 2, 4000],
    [1, 3, 6000],
    [2, 1, 6000],
    [2, 2, 10_000],
    [3, 1, 12_000],
    [4, 1, 20_000],
  ])('-R %i -N %i: %i ms', (retries, timeoutSeconds, ms) => {
    expect(ipmitoolGiveUpMs({ retries, timeoutSeconds })).toBe(ms);
  });
});

describe('ipmitool retries chosen from the deadline', () => {
  it.each([
    [500, 1],
    [2000, 1],
    [3000, 1],
    [6249, 1],
    [6250, 2],
    [12_250, 3],
    [20_250, 4],
    [120_000, 4],
  ])('a %i ms deadline gets -R %i -N 1', (timeoutMs, retries) => {
    expect(retriesFor(timeoutMs)).toEqual({ retries, timeoutSeconds: 1 });
  });

  it('lets ipmitool give up on its own before the deadline whenever its minimum (2 s) fits', () => {
    for (let timeoutMs = 2250; timeoutMs <= 30_000; timeoutMs += 250) {
      expect(ipmitoolGiveUpMs(retriesFor(timeoutMs))).toBeLessThan(timeoutMs);
    }
  });
});

describe('ipmitool argv', () => {
  const retries = { retries: 2, timeoutSeconds: 1 };

  it(
    'names interface, address, user, cipher suite and retries, then asks for the password ' +
      'from the environment',
    () => {
      expect(
        ipmitoolArgv(bmc({ password: 'hunter22' }), retries, ['chassis', 'power', 'status']),
      ).toEqual([
        '-I',
        'lanplus',
        '-H',
        '127.64.0.1',
        '-p',
        '623',
        '-U',
        'ADMIN',
        '-C',
        '3',
        '-R',
        '2',
        '-N',
        '1',
        '-E',
        '-v',
        'chassis',
        'power',
        'status',
      ]);
    },
  );

  it('never carries the password, and never -P', () => {
    const argv = ipmitoolArgv(bmc({ password: 'hunter22' }), retries, ['mc', 'reset', 'cold']);
    expect(argv.join(' ')).not.toContain('hunter22');
    expect(argv).not.toContain('-P');
  });

  it.each([
    ['no password: no -E (a null password)', bmc(), '-E', false],
    [
      'an empty user name: no -U (the null user)',
      bmc({ username: '', password: 'x' }),
      '-U',
      false,
    ],
    ['another cipher suite is passed as is', bmc({ cipherSuite: 17, password: 'x' }), '17', true],
    ['another port is passed as is', bmc({ port: 6230, password: 'x' }), '6230', true],
  ])('%s', (_case, config, word, present) => {
    expect(ipmitoolArgv(config, retries, ['chassis', 'power', 'status']).includes(word)).toBe(
      present,
    );
  });
});
