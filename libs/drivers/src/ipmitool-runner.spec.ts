import { SimulatedBmc, allocateLoopbackAddresses, startSimulatedBmc } from '@switchboard/bmc-sim';
import type { BmcConfig } from '@switchboard/inventory';

import {
  capturingLogger,
  context,
  ipmiServer,
  runningProcessesWith,
  timedRejection,
  waitFor,
} from '../test/helpers';
import { DriverError } from './capabilities';
import { runIpmitool } from './ipmitool-runner';

// How ipmitool fails against real endpoints: a simulated BMC with other credentials, and a
// loopback address where nothing listens (leased from bmc-sim's scheme, so no test shares it).

const PASSWORD = 'Corr3ct-horse';
let bmc: SimulatedBmc;
let silentHost: string;

beforeAll(async () => {
  bmc = await startSimulatedBmc({ name: 'runner', username: 'ADMIN', password: PASSWORD });
  [silentHost] = await allocateLoopbackAddresses(1);
});

afterAll(async () => {
  await bmc?.stop();
});

function config(fields: { host?: string; username?: string; password?: string } = {}): BmcConfig {
  return ipmiServer('node', {
    host: bmc.host,
    port: bmc.port,
    username: 'ADMIN',
    password: PASSWORD,
    ...fields,
  }).bmc!;
}

const STATUS = ['chassis', 'power', 'status'];

describe('ipmitool against a BMC that answers', () => {
  it('resolves with stdout, and stderr without the chatter of -v', async () => {
    await expect(runIpmitool(config(), STATUS, context())).resolves.toEqual({
      stdout: 'Chassis Power is off',
      stderr: '',
    });
  });

  it.each([
    [
      'skips the IANA vendor table by default (the shipped one-entry table: vendors unnamed)',
      {},
      'Unknown (0x1291)',
    ],
    [
      'loads the full table when given a home without one of its own',
      { ipmitoolHome: '/nonexistent' },
      'MontaVista Software, Inc.',
    ],
  ])('%s', async (_case, options, manufacturer) => {
    const { stdout } = await runIpmitool(config(), ['mc', 'info'], context(), options);
    expect(stdout).toMatch(
      new RegExp(`^Manufacturer Name\\s+: ${manufacturer.replace(/[().]/g, '\\$&')}$`, 'm'),
    );
  });

  it.each([
    ['a wrong password', { password: 'Wr0ng-horse' }, 'ADMIN', 'RAKP 2 HMAC is invalid'],
    [
      'an unknown user',
      { username: 'nobody' },
      'nobody',
      'RAKP 2 message indicates an error : unauthorized name',
    ],
  ])(
    '%s: fails fast with an auth fault that names BMC and user, never the password',
    async (_case, fields, user, reason) => {
      const { logger, text } = capturingLogger();
      const { error, ms } = await timedRejection(() =>
        runIpmitool(config(fields), STATUS, context(10_000, { logger })),
      );

      expect(error).toBeInstanceOf(DriverError);
      expect(error).toMatchObject({
        fault: 'auth',
        transient: false,
        message: `ipmi ${bmc.host}:623: authentication refused (user ${user}): ${reason}`,
        detail: expect.stringContaining('Unable to establish IPMI v2 / RMCP+ session'),
        exitCode: 1,
      });
      expect(ms).toBeLessThan(1000); // the BMC refuses at once; the deadline is 10 s
      for (const secret of [PASSWORD, 'Wr0ng-horse']) {
        expect(
          JSON.stringify({
            ...(error as DriverError),
            message: (error as Error).message,
            stack: (error as Error).stack,
          }),
        ).not.toContain(secret);
        expect(text()).not.toContain(secret);
      }
    },
  );

  it.each([
    ['username', { username: '$(touch PWNED)' }],
    ['password', { password: '`touch PWNED`;x' }],
    ['host', { host: '127.0.0.1;touch PWNED' }],
  ])(
    'passes a %s with shell metacharacters to ipmitool as data: nothing is run',
    async (_field, fields) => {
      const { mkdtempSync, readdirSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const { join } = await import('node:path');
      const cwd = mkdtempSync(join(tmpdir(), 'sb-inject-'));
      const before = process.cwd();
      process.chdir(cwd);
      try {
        await expect(runIpmitool(config(fields), STATUS, context(3_000))).rejects.toBeInstanceOf(
          DriverError,
        );
        expect(readdirSync(cwd)).toEqual([]);
      } finally {
        process.chdir(before);
      }
    },
  );

  it('reports a command ipmitool rejects as a command fault with its words', async () => {
    await expect(
      runIpmitool(config(), ['chassis', 'bootdev', 'usbx'], context()),
    ).rejects.toMatchObject({
      fault: 'command',
      message: `ipmi ${bmc.host}:623: chassis bootdev usbx failed (exit 1): Invalid argument: usbx`,
      exitCode: 1,
    });
  });
});

describe('ipmitool against an address where nothing answers', () => {
  it(
    'with a 3 s deadline: ipmitool gives up by itself (one attempt, ~2 s), a transient ' +
      'timeout',
    async () => {
      const { error, ms } = await timedRejection(() =>
        runIpmitool(config({ host: silentHost }), STATUS, context(3000)),
      );
      expect(error).toMatchObject({
        fault: 'timeout',
        transient: true,
        message:
          `ipmi ${silentHost}:623: chassis power status: no answer: Get Auth Capabilities ` +
          `error`,
      });
      expect(ms).toBeGreaterThanOrEqual(1900);
      expect(ms).toBeLessThan(3000 + 300);
    },
  );

  it('with a deadline shorter than ipmitool can give up in: killed at the deadline', async () => {
    const { error, ms } = await timedRejection(() =>
      runIpmitool(config({ host: silentHost }), STATUS, context(1200)),
    );
    expect(error).toMatchObject({
      fault: 'timeout',
      message: `ipmi ${silentHost}:623: chassis power status: no answer within 1200 ms`,
    });
    expect(ms).toBeGreaterThanOrEqual(1200);
    expect(ms).toBeLessThan(1200 + 300);
    expect(runningProcessesWith('ipmitool', silentHost)).toEqual([]);
  });

  it('a host name that does not resolve is unreachable, at once', async () => {
    const { error, ms } = await timedRejection(() =>
      runIpmitool(config({ host: 'no-such-host.invalid' }), STATUS, context(3000)),
    );
    expect(error).toMatchObject({
      fault: 'unreachable',
      message:
        'ipmi no-such-host.invalid:623: chassis power status: unreachable: Address ' +
        'lookup for no-such-host.invalid failed',
    });
    expect(ms).toBeLessThan(1000);
  });
});

describe('cancelling through the signal', () => {
  it("kills ipmitool and rejects with the caller's own reason", async () => {
    const controller = new AbortController();
    const cancelled = new Error('condition cancelled by test');
    const run = timedRejection(() =>
      runIpmitool(
        config({ host: silentHost }),
        STATUS,
        context(20_000, { signal: controller.signal }),
      ),
    );
    await waitFor(() => runningProcessesWith('ipmitool', silentHost).length === 1, 2000);

    controller.abort(cancelled);

    const { error, ms } = await run;
    expect(error).toBe(cancelled);
    expect(ms).toBeLessThan(2000);
    expect(runningProcessesWith('ipmitool', silentHost)).toEqual([]);
  });

  it('a signal that aborts with a TimeoutError is a timeout fault', async () => {
    const { error, ms } = await timedRejection(() =>
      runIpmitool(
        config({ host: silentHost }),
        STATUS,
        context(20_000, { signal: AbortSignal.timeout(500) }),
      ),
    );
    expect(error).toMatchObject({
      fault: 'timeout',
      message: expect.stringMatching(/: no answer within (4\d\d|5\d\d) ms$/),
    });
    expect(ms).toBeLessThan(1000);
  });

  it('an already aborted signal rejects without starting ipmitool', async () => {
    const { logger, events } = capturingLogger();
    const reason = new Error('gone already');
    await expect(
      runIpmitool(config(), STATUS, context(5000, { signal: AbortSignal.abort(reason), logger })),
    ).rejects.toBe(reason);
    expect(events()).toEqual([]);
  });
});

describe('ipmitool itself missing', () => {
  it('is a command fault that says it could not run', async () => {
    await expect(
      runIpmitool(config(), STATUS, context(), { ipmitoolPath: '/nonexistent/ipmitool' }),
    ).rejects.toMatchObject({
      fault: 'command',
      message: `ipmi ${bmc.host}:623: chassis power status: ipmitool could not run (ENOENT)`,
    });
  });
});
