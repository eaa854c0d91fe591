import type { PowerAction } from '@switchboard/condition-types';
import { SimulatedFleet, startSimulatedFleet } from '@switchboard/bmc-sim';
import { IpmiClient } from '@switchboard/ipmi';

import { capturingLogger, context, ipmiServer } from '../test/helpers';
import { Impairment, seededRandom, startUdpProxy } from '../test/udp-proxy';
import { DriverError } from './capabilities';
import { createNativeIpmiDriver } from './native-ipmi-driver';

/*
 * The native driver through a UDP proxy that loses, duplicates, delays and reorders datagrams,
 * in front of a real ipmi_sim. Every operation must end correctly, or fail clearly by its
 * deadline; and a chassis control must reach the machine at most once, exactly once when the
 * call succeeds. Seeds are fixed so a failure can be replayed (IPMI_LOSS_SEED overrides).
 */

const PASSWORD = 'Sw1tch-pw';
const SEED = Number(process.env.IPMI_LOSS_SEED ?? 20261129);
const DEADLINE_MS = 8000;

interface Scenario {
  name: string;
  toBmc: Impairment;
  toClient: Impairment;
  /** ipmi_sim carries out a replayed request again (it checks only the sequence window), so
   * duplicated requests are sent only where no chassis control is. */
  controls: boolean;
  /** Which proxy counter shows the impairment really happened. */
  evidence: (s: Awaited<ReturnType<typeof startUdpProxy>>['stats']) => number;
}

const SCENARIOS: Scenario[] = [
  {
    name: '15% lost each way',
    toBmc: { drop: 0.15 },
    toClient: { drop: 0.15 },
    controls: true,
    evidence: (s) => s.toBmc.dropped + s.toClient.dropped,
  },
  {
    name: 'answers duplicated (30%) and 10% lost',
    toBmc: { drop: 0.1 },
    toClient: { duplicate: 0.3, drop: 0.1 },
    controls: true,
    evidence: (s) => s.toClient.duplicated,
  },
  {
    name: 'delayed 0-250 ms each way, so reordered',
    toBmc: { delayMs: [0, 250] },
    toClient: { delayMs: [0, 250], duplicate: 0.1 },
    controls: true,
    evidence: (s) => s.toClient.seen,
  },
  {
    name: 'requests duplicated (30%), answers lost (15%)',
    toBmc: { duplicate: 0.3 },
    toClient: { drop: 0.15 },
    controls: false,
    evidence: (s) => s.toBmc.duplicated,
  },
];

const CONTROLS: { action: PowerAction; event: string }[] = [
  { action: 'on', event: 'power 1' },
  { action: 'off', event: 'power 0' },
  { action: 'on', event: 'power 1' },
  { action: 'reset', event: 'reset 1' },
  { action: 'off', event: 'power 0' },
];

let fleet: SimulatedFleet;

beforeAll(async () => {
  fleet = await startSimulatedFleet(
    SCENARIOS.map((_s, i) => ({ name: `lossy-${i}` })),
    { defaults: { username: 'ADMIN', password: PASSWORD } },
  );
}, 60_000);

afterAll(async () => {
  await fleet?.stop();
});

/** Runs `op`; a failure must be a DriverError of one of `faults`. */
async function settle<T>(op: () => Promise<T>, faults: string[]): Promise<T | DriverError> {
  try {
    return await op();
  } catch (error) {
    expect(error).toBeInstanceOf(DriverError);
    expect(faults).toContain((error as DriverError).fault);
    return error as DriverError;
  }
}

describe.each(SCENARIOS.map((s, i) => [s.name, s, i] as const))(
  'native driver through a proxy: %s',
  (_name, scenario, index) => {
    it('reads, sets and controls correctly, or fails clearly; no control twice', async () => {
      const bmc = fleet.get(`lossy-${index}`);
      const proxy = await startUdpProxy(
        bmc,
        { toBmc: scenario.toBmc, toClient: scenario.toClient },
        seededRandom(SEED + index),
      );
      const client = new IpmiClient();
      try {
        const driver = createNativeIpmiDriver(
          ipmiServer('lossy', {
            host: proxy.host,
            port: proxy.port,
            username: 'ADMIN',
            password: PASSWORD,
          }),
          { ipmiClient: client },
        );
        const ctx = () => context(DEADLINE_MS);

        let statusOk = 0;
        for (let i = 0; i < 10; i++) {
          const truth = i % 2 === 0 ? 'on' : 'off';
          bmc.setPower(truth);
          const got = await settle(() => driver.powerGetter!.powerState(ctx()), ['timeout']);
          if (got instanceof DriverError) continue;
          expect(got).toBe(truth);
          statusOk++;
        }
        expect(statusOk).toBeGreaterThanOrEqual(8);

        for (const device of ['pxe', 'cdrom', 'bios'] as const) {
          const set = await settle(
            () =>
              driver.bootDeviceSetter!.setBootDevice(
                device,
                { persistent: false, efi: false },
                ctx(),
              ),
            ['timeout'],
          );
          if (set instanceof DriverError) continue;
          expect(bmc.bootDevice()).toBe(device);
          const read = await settle(() => driver.bootDeviceGetter!.bootDevice(ctx()), ['timeout']);
          if (!(read instanceof DriverError)) expect(read.device).toBe(device);
        }

        if (scenario.controls) {
          let controlOk = 0;
          for (const { action, event } of CONTROLS) {
            const before = bmc.events().length;
            const result = await settle(
              () => driver.powerSetter!.setPower(action, ctx()),
              ['timeout', 'command'],
            );
            // Stragglers the proxy still holds would land now.
            await new Promise((resolve) => setTimeout(resolve, 600));
            const happened = bmc
              .events()
              .slice(before)
              .map((e) => `${e.action} ${e.value}`);
            if (result instanceof DriverError) {
              expect(happened.length).toBeLessThanOrEqual(1);
            } else {
              expect(happened).toEqual([event]);
              controlOk++;
            }
          }
          expect(controlOk).toBeGreaterThanOrEqual(3);
        }
        expect(scenario.evidence(proxy.stats)).toBeGreaterThan(0);
      } finally {
        await client.close();
        await proxy.close();
      }
    }, 240_000);
  },
);

/*
 * The rule itself, with one chosen datagram lost. After a status read on a fresh session (six
 * requests: capabilities, Open Session, RAKP 1, RAKP 3, privilege, status), a power-on on the
 * reused session sends a Get Device ID (7th) that proves the session alive, then the chassis
 * control (8th). Waits are long so that no retransmission shifts the count.
 */
describe('native driver: one lost datagram around a chassis control', () => {
  it.each([
    {
      lost: 'the answer',
      impair: { toBmc: {}, toClient: { dropNumbers: [8] } },
      note: "answer lost, the BMC's sequence shows it was carried out",
    },
    { lost: 'the command', impair: { toBmc: { dropNumbers: [8] }, toClient: {} }, note: undefined },
  ])(
    '$lost: the machine powers on exactly once and the call succeeds',
    async ({ impair, note }) => {
      const bmc = fleet.get('lossy-0');
      bmc.setPower('off');
      const proxy = await startUdpProxy(bmc, impair, seededRandom(SEED));
      const client = new IpmiClient({ firstAttemptMs: 3000, maxAttemptMs: 3000 });
      try {
        const driver = createNativeIpmiDriver(
          ipmiServer('exact', {
            host: proxy.host,
            port: proxy.port,
            username: 'ADMIN',
            password: PASSWORD,
          }),
          { ipmiClient: client },
        );
        expect(await driver.powerGetter!.powerState(context(20_000))).toBe('off');
        const before = bmc.events().length;
        const { logger, text } = capturingLogger();
        await driver.powerSetter!.setPower('on', context(30_000, { logger }));
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(
          bmc
            .events()
            .slice(before)
            .map((e) => `${e.action} ${e.value}`),
        ).toEqual(['power 1']);
        expect(proxy.stats.toBmc.dropped + proxy.stats.toClient.dropped).toBe(1);
        if (note) expect(text()).toContain(note);
        else expect(text()).not.toContain('answer lost');
      } finally {
        await client.close();
        await proxy.close();
      }
    },
    60_000,
  );
});
