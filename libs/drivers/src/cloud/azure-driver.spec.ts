/**
 * The Azure driver through the real @azure/arm-compute client against the ARM fake
 * (@switchboard/cloud-sim, written from the Compute REST reference), over HTTPS.
 */
import { ArmFake, startArmFake } from '@switchboard/cloud-sim';

import { SUBSCRIPTION, azureServer } from '../../test/cloud';
import { context, rejection } from '../../test/helpers';
import { DriverError } from '../capabilities';
import { createAzureDriver } from './azure-driver';

let arm: ArmFake;

beforeAll(async () => {
  arm = await startArmFake({ transitionMs: 200 });
});
afterAll(() => arm?.stop());
afterEach(() => arm.throttle(0));

function credential(token = arm.token) {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
}

function driverFor(
  name: string,
  opts: { token?: string; offAction?: 'deallocate' | 'power_off' } = {},
) {
  return createAzureDriver(azureServer(name, 'hpc', opts.offAction), {
    azureEndpoint: arm.endpoint,
    azureTlsCa: arm.ca,
    azureCredential: credential(opts.token),
    azurePollIntervalMs: 20,
  });
}

function vm(name: string, power: 'running' | 'deallocated' = 'running') {
  return arm.addVm({
    subscriptionId: SUBSCRIPTION,
    resourceGroup: 'hpc',
    name,
    vmSize: 'Standard_B2s',
    power,
  });
}

async function until<T>(read: () => Promise<T>, want: T, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if ((await read()) === want) return;
    } catch (err) {
      if (!(err instanceof DriverError && err.fault === 'transitional')) throw err;
    }
    if (Date.now() > end) throw new Error(`never read ${String(want)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Azure driver against the ARM fake', () => {
  it('deallocates for off, starts for on, through the transitional states', async () => {
    vm('vm01');
    const driver = driverFor('vm01');
    expect(await driver.powerGetter!.powerState(context())).toBe('on');
    await driver.powerSetter!.setPower('off', context());
    const during = await rejection(driver.powerGetter!.powerState(context()));
    expect(during).toMatchObject({ fault: 'transitional', code: 'PowerState/deallocating' });
    await until(() => driver.powerGetter!.powerState(context()), 'off');
    expect(await driver.powerStatusGetter!.powerStatus(context())).toMatchObject({ status: 'OFF' });
    await driver.powerSetter!.setPower('on', context());
    await until(() => driver.powerGetter!.powerState(context()), 'on');
    expect(
      arm.requests.filter((r) => r.vm === 'vm01' && r.method === 'POST').map((r) => r.op),
    ).toEqual(['deallocate', 'start']);
  });

  it("only powers off with off_action power_off: OpenFlight's SLEEPING", async () => {
    vm('vm02');
    const driver = driverFor('vm02', { offAction: 'power_off' });
    await driver.powerSetter!.setPower('off', context());
    await until(() => driver.powerGetter!.powerState(context()), 'off');
    expect(await driver.powerStatusGetter!.powerStatus(context())).toMatchObject({
      status: 'SLEEPING',
      cloudState: 'PowerState/stopped',
    });
  });

  it('restarts for cycle', async () => {
    vm('vm03');
    await driverFor('vm03').powerSetter!.setPower('cycle', context());
    expect(
      arm.requests.some((r) => r.vm === 'vm03' && r.op === 'restart' && r.status === 202),
    ).toBe(true);
  });

  it('retries throttling (429 with Retry-After) and succeeds', async () => {
    vm('vm04');
    arm.throttle(2);
    expect(await driverFor('vm04').powerGetter!.powerState(context(20_000))).toBe('on');
    expect(arm.requests.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['refused credentials', 'vm05', 'not-the-token', 'auth', 'InvalidAuthenticationToken'],
    ['an unknown VM', 'nosuchvm', undefined, 'command', 'ResourceNotFound'],
  ])(
    'fails at once on %s, naming the node and the ARM code',
    async (_, name, token, fault, code) => {
      vm('vm05');
      const before = arm.requests.length;
      const err = await rejection(driverFor(name, { token }).powerGetter!.powerState(context()));
      expect(err).toMatchObject({ fault, code });
      expect(err.message).toContain(`(${name})`);
      expect(arm.requests.length - before).toBe(1);
    },
  );

  it('reports a VM stuck in a transitional state as transitional, every time', async () => {
    const stuck = vm('vm06');
    stuck.stuckIn = 'deallocating';
    const driver = driverFor('vm06');
    await driver.powerSetter!.setPower('off', context());
    await new Promise((r) => setTimeout(r, 400));
    const err = await rejection(driver.powerGetter!.powerState(context()));
    expect(err.fault).toBe('transitional');
  });

  it('reads and changes the VM size; refuses one the VM cannot take', async () => {
    vm('vm07', 'deallocated');
    const driver = driverFor('vm07');
    expect(await driver.machineTypeGetter!.machineType(context())).toBe('Standard_B2s');
    await driver.machineTypeSetter!.checkMachineType('Standard_F4s_v2', context());
    await driver.machineTypeSetter!.setMachineType('Standard_F4s_v2', context());
    expect(await driver.machineTypeGetter!.machineType(context())).toBe('Standard_F4s_v2');
    const err = await rejection(
      driver.machineTypeSetter!.checkMachineType('Standard_NC6s_v3', context()),
    );
    expect(err).toMatchObject({ fault: 'unsupported', code: 'wrong_family' });
  });
});
