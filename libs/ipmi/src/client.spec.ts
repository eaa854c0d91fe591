import dgram from 'node:dgram';

import {
  runIpmitool,
  SimulatedBmc,
  SimulatedFleet,
  startSimulatedBmc,
  startSimulatedFleet,
} from '@switchboard/bmc-sim';

import { BmcTarget, IpmiClient, IpmiError, SendEvent } from './index';

// Real ipmi_sim BMCs on loopback, spoken to over RMCP+ (cipher suite 3): nothing is mocked.

const PASSWORD = 'Sw1tch-pw';
let fleet: SimulatedFleet;
let client: IpmiClient;

beforeAll(async () => {
  fleet = await startSimulatedFleet(
    [{ name: 'main' }, { name: 'control', initialPower: 'off' }, { name: 'reuse' }],
    { defaults: { username: 'ADMIN', password: PASSWORD } },
  );
}, 60_000);

beforeEach(() => {
  client = new IpmiClient();
});

afterEach(async () => {
  await client.close();
});

afterAll(async () => {
  await fleet?.stop();
});

function target(bmc: SimulatedBmc, extra: Partial<BmcTarget> = {}): BmcTarget {
  return {
    host: bmc.host,
    port: bmc.port,
    username: 'ADMIN',
    password: PASSWORD,
    cipherSuite: 3,
    ...extra,
  };
}

function counting(): { onSend: (e: SendEvent) => void; sent: SendEvent[] } {
  const sent: SendEvent[] = [];
  return { onSend: (e) => sent.push(e), sent };
}

describe('commands, cross-checked with ipmitool on the same BMC', () => {
  it('Get Device ID reads what `mc info` prints', async () => {
    const bmc = fleet.get('main');
    const id = await client.deviceId(target(bmc));
    const { stdout } = await runIpmitool(bmc, ['mc', 'info']);
    expect(stdout).toMatch(new RegExp(`Device ID\\s*:\\s*${id.deviceId}\\b`));
    expect(stdout).toMatch(
      new RegExp(`Firmware Revision\\s*:\\s*${id.firmwareRevision.replace('.', '\\.')}`),
    );
    expect(stdout).toMatch(
      new RegExp(`IPMI Version\\s*:\\s*${id.ipmiVersion.replace('.', '\\.')}`),
    );
    expect(stdout).toMatch(new RegExp(`Manufacturer ID\\s*:\\s*${id.manufacturerId}\\b`));
  });

  it.each(['on', 'off'] as const)(
    'Get Chassis Status says %s when ipmitool does',
    async (state) => {
      const bmc = fleet.get('main');
      bmc.setPower(state);
      const status = await client.chassisStatus(target(bmc));
      const { stdout } = await runIpmitool(bmc, ['chassis', 'power', 'status']);
      expect(status.powerOn).toBe(state === 'on');
      expect(stdout).toContain(`Chassis Power is ${state}`);
    },
  );

  it('Set System Boot Options: the BMC keeps the device, and ipmitool reads it back', async () => {
    const bmc = fleet.get('main');
    await client.setBootDevice(target(bmc), 'cdrom', { persistent: false, efi: false });
    expect(bmc.bootDevice()).toBe('cdrom');
    expect(await client.bootFlags(target(bmc))).toMatchObject({ device: 'cdrom', selector: 5 });
    const { stdout } = await runIpmitool(bmc, ['chassis', 'bootparam', 'get', '5']);
    expect(stdout).toContain('Boot Device Selector : Force Boot from CD/DVD');
  });

  it('Chassis Control: each action reaches the machine once', async () => {
    const bmc = fleet.get('control');
    const { onSend, sent } = counting();
    await client.chassisControl(target(bmc), 'on', { onSend });
    await client.chassisControl(target(bmc), 'reset', { onSend });
    await client.chassisControl(target(bmc), 'off', { onSend });
    expect(bmc.events().map((e) => `${e.action} ${e.value}`)).toEqual([
      'power 1',
      'reset 1',
      'power 0',
    ]);
    expect(sent.filter((e) => e.command.startsWith('Chassis Control'))).toHaveLength(3);
    expect(sent.filter((e) => e.retransmission)).toEqual([]);
  });

  it('Get SEL Entry on an empty SEL: the BMC says "not present" and the code is kept', async () => {
    const error = await client.selEntry(target(fleet.get('main')), 0).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'completion-code', status: 0xcb });
  });

  it('Cold Reset: sent once, answer as given (ipmi_sim: 0xC1), then a new session', async () => {
    const bmc = fleet.get('main');
    const { onSend, sent } = counting();
    // ipmi_sim does not implement Cold Reset; a real BMC answers 0 or restarts without answering.
    expect(await client.coldReset(target(bmc), { onSend })).toEqual({
      answered: true,
      completionCode: 0xc1,
    });
    expect(sent.filter((e) => e.command === 'Cold Reset')).toEqual([
      { target: `${bmc.host}:623`, command: 'Cold Reset', retransmission: false },
    ]);
    expect(client.openSessions()).toBe(0);
    await client.chassisStatus(target(bmc), { onSend });
    expect(sent.map((e) => e.command)).toContain('Set Session Privilege Level');
  });
});

describe('sessions', () => {
  it('one session serves many requests, one at a time, on one socket', async () => {
    const bmc = fleet.get('reuse');
    const { onSend, sent } = counting();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => client.chassisStatus(target(bmc), { onSend })),
    );
    expect(results).toHaveLength(10);
    expect(client.openSessions()).toBe(1);
    expect(sent.filter((e) => e.command === 'Open Session Request')).toHaveLength(1);
  });

  it('an idle session is closed, and the next request opens a new one', async () => {
    const quick = new IpmiClient({ idleTimeoutMs: 200 });
    try {
      const bmc = fleet.get('reuse');
      await quick.chassisStatus(target(bmc));
      expect(quick.openSessions()).toBe(1);
      const t0 = Date.now();
      while (quick.openSessions() > 0 && Date.now() - t0 < 5000) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(quick.openSessions()).toBe(0);
      expect(quick.knownSessions()).toBe(0);
      await expect(quick.chassisStatus(target(bmc))).resolves.toMatchObject({
        powerOn: expect.any(Boolean),
      });
    } finally {
      await quick.close();
    }
  });

  it('a BMC that restarted (its sessions gone) is re-established transparently', async () => {
    const first = await startSimulatedBmc({
      name: 'restart',
      username: 'ADMIN',
      password: PASSWORD,
    });
    const where = { host: first.host, port: first.port };
    await first.stop();
    const bmc = await startSimulatedBmc({
      name: 'restart',
      ...where,
      username: 'ADMIN',
      password: PASSWORD,
    });
    try {
      await client.chassisStatus(target(bmc));
      await bmc.stop();
      const again = await startSimulatedBmc({
        name: 'restart',
        ...where,
        username: 'ADMIN',
        password: PASSWORD,
      });
      try {
        const { onSend, sent } = counting();
        await expect(client.chassisStatus(target(again), { onSend })).resolves.toBeDefined();
        expect(sent.filter((e) => e.command === 'Open Session Request')).toHaveLength(1);
        // And a chassis control after a restart still happens exactly once.
        await bmc.stop();
        await client.chassisControl(target(again), 'on');
        expect(again.events().map((e) => `${e.action} ${e.value}`)).toEqual(['power 1']);
      } finally {
        await again.stop();
      }
    } finally {
      await bmc.stop();
    }
  }, 60_000);
});

describe('errors an operator can act on', () => {
  it.each([
    {
      case: 'wrong password',
      change: { password: 'not-the-password' },
      code: 'wrong-password',
      message: /RAKP 2 integrity check failed: the password for user "ADMIN" is wrong/,
    },
    {
      case: 'unknown user',
      change: { username: 'nobody' },
      code: 'unknown-user',
      message: /unauthorized name \(0x0d\): the BMC does not know this user name/,
    },
    {
      case: 'cipher suite 17 (ipmi_sim offers up to 3)',
      change: { cipherSuite: 17 },
      code: 'cipher-suite-unsupported',
      message: /Open Session Request \(cipher suite 17\) refused: invalid authentication algorithm/,
    },
    {
      case: 'a cipher suite this client does not speak',
      change: { cipherSuite: 1 },
      code: 'cipher-suite-unsupported',
      message: /cipher suite 1 is not supported \(this client speaks 3 and 17\)/,
    },
  ])('$case: $code', async ({ change, code, message }) => {
    const bmc = fleet.get('main');
    const error = await client.chassisStatus(target(bmc, change)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpmiError);
    expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
    expect((error as Error).message).toContain(`${bmc.host}:623`);
    expect((error as Error).message).not.toContain(PASSWORD);
  });

  it('no BMC there: a timeout that names address and port, at the deadline', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const port = silent.address().port;
    try {
      const t0 = Date.now();
      const error = await client
        .chassisStatus(
          { host: '127.0.0.1', port, username: 'ADMIN', password: 'x', cipherSuite: 3 },
          { timeoutMs: 1500 },
        )
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'timeout',
        message:
          `no answer from 127.0.0.1:${port} ` +
          'to Get Channel Authentication Capabilities within 1500 ms',
      });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
      expect(Date.now() - t0).toBeLessThan(4000);
    } finally {
      silent.close();
    }
  });

  it('a host name that does not resolve: unreachable', async () => {
    const error = await client
      .chassisStatus({
        host: 'no-such-bmc.invalid',
        port: 623,
        username: 'ADMIN',
        password: 'x',
        cipherSuite: 3,
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'unreachable',
      message: expect.stringContaining('no-such-bmc.invalid:623'),
    });
  });

  it('the caller cancels: rejected with its own reason', async () => {
    const bmc = fleet.get('main');
    const controller = new AbortController();
    const reason = new Error('cancelled by the operator');
    controller.abort(reason);
    await expect(client.chassisStatus(target(bmc), { signal: controller.signal })).rejects.toBe(
      reason,
    );
  });

  it('garbage sent to the client socket is dropped and the client keeps working', async () => {
    const bmc = fleet.get('main');
    await client.chassisStatus(target(bmc));
    const port = (
      client as unknown as { transport: { localPort(): number } }
    ).transport.localPort();
    const sender = dgram.createSocket('udp4');
    const junk = [
      Buffer.alloc(0),
      Buffer.from([0x06, 0x00, 0xff, 0x07]),
      Buffer.from([0x06, 0x00, 0xff, 0x07, 0x06, 0xc0, 1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff]),
      Buffer.from([0x06, 0x00, 0xff, 0x07, 0x06, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 2]),
      Buffer.alloc(2000, 0x06),
    ];
    for (const d of junk) await new Promise((r) => sender.send(d, port, '127.0.0.1', r));
    sender.close();
    await expect(client.chassisStatus(target(bmc))).resolves.toBeDefined();
    expect(client.droppedDatagrams).toBeGreaterThanOrEqual(junk.length - 1);
  });
});
