import { allocateLoopbackAddresses } from '@switchboard/bmc-sim';
import { IpmiClient } from '@switchboard/ipmi';

import { capturingLogger, context, ipmiServer, shellPlatform, shellServer } from '../test/helpers';
import { createDriver } from './create-driver';

const platforms = new Map([['lab', shellPlatform('lab', { status: 'exit 111', powerOn: 'true' })]]);
const CAPABILITIES = [
  'powerGetter',
  'powerSetter',
  'bootDeviceSetter',
  'bootDeviceGetter',
  'bmcResetter',
] as const;

describe('choosing the driver from the inventory entry', () => {
  it.each([
    {
      driver: 'ipmi',
      server: ipmiServer('node01', {
        host: '127.64.0.1',
        port: 623,
        username: 'ADMIN',
        password: 'x',
      }),
      kind: 'ipmi',
      lockKey: 'ipmi:127.64.0.1:623',
      capabilities: CAPABILITIES,
    },
    {
      driver: 'shell',
      server: shellServer('node02', 'lab'),
      kind: 'shell:lab',
      lockKey: 'shell:node02',
      capabilities: ['powerGetter', 'powerSetter'],
    },
    {
      driver: 'none',
      server: { ...shellServer('node03', 'lab'), platform: undefined, driver: 'none' as const },
      kind: 'none',
      lockKey: 'none:node03',
      capabilities: [],
    },
  ])(
    '$driver: kind $kind, lock $lockKey, capabilities $capabilities',
    ({ server, kind, lockKey, capabilities }) => {
      const driver = createDriver(server, platforms);
      expect(driver).toMatchObject({ kind, lockKey, server: server.name });
      expect(CAPABILITIES.filter((c) => driver[c] !== undefined)).toEqual(capabilities);
    },
  );

  it("a shell server really runs its platform's script", async () => {
    await expect(
      createDriver(shellServer('node02', 'lab'), platforms).powerGetter!.powerState(context()),
    ).resolves.toBe('off');
  });

  it.each([
    [
      'an ipmi server without bmc settings',
      { ...ipmiServer('node04', { host: 'h', port: 623, username: 'u' }), bmc: undefined },
      'server node04: the ipmi driver needs bmc settings',
    ],
    [
      'a shell server whose platform is not defined',
      shellServer('node05', 'cloud'),
      'server node05: shell platform "cloud" is not defined (defined: lab)',
    ],
  ])('refuses %s', (_case, server, message) => {
    expect(() => createDriver(server, platforms)).toThrow(message);
  });
});

describe('the ipmi platform: native RMCP+ unless the inventory says ipmitool', () => {
  const client = new IpmiClient();
  afterAll(() => client.close());

  it.each([
    { ipmiDriver: undefined, runsIpmitool: false, says: /to Get Channel Authentication/ },
    { ipmiDriver: 'native' as const, runsIpmitool: false, says: /to Get Channel Authentication/ },
    { ipmiDriver: 'ipmitool' as const, runsIpmitool: true, says: /chassis power status/ },
  ])(
    'ipmiDriver $ipmiDriver: ipmitool run: $runsIpmitool',
    async ({ ipmiDriver, runsIpmitool, says }) => {
      // A loopback address where nothing answers: each driver fails in its own words.
      const [host] = await allocateLoopbackAddresses(1);
      const server = {
        ...ipmiServer('node06', { host, port: 623, username: 'ADMIN', password: 'x' }),
        ipmiDriver,
      };
      const driver = createDriver(server, platforms, { ipmiClient: client });
      const { logger, events } = capturingLogger();
      const error = await driver
        .powerGetter!.powerState(context(400, { logger }))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ fault: 'timeout', message: expect.stringMatching(says) });
      expect(events().some((e) => e.msg === 'ipmitool finished')).toBe(runsIpmitool);
    },
  );
});
