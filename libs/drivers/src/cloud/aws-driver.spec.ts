/**
 * The EC2 driver against a real moto server (EC2's wire protocol), through a proxy that adds
 * throttling, refused credentials, stuck states and EC2's stopped-only instance-type rule.
 */
import { Ec2Proxy, MotoServer, startEc2Proxy, startMotoServer } from '@switchboard/cloud-sim';

import { awsServer, runInstances } from '../../test/cloud';
import { context, rejection } from '../../test/helpers';
import { createAwsDriver } from './aws-driver';

let moto: MotoServer;
let proxy: Ec2Proxy;

beforeAll(async () => {
  moto = await startMotoServer();
  proxy = await startEc2Proxy(moto.endpoint);
});
afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});
afterEach(() => {
  proxy.throttle(0);
  proxy.refuseCredentials(false);
});

function driverFor(instanceId: string, region?: string) {
  return createAwsDriver(awsServer('aws01', instanceId, region), {
    awsClientConfig: { endpoint: proxy.endpoint },
  });
}

describe('AWS driver against moto', () => {
  it('powers an instance off and on, reading the state EC2 reports', async () => {
    const [id] = await runInstances(moto.endpoint, 1);
    const driver = driverFor(id);
    expect(await driver.powerGetter!.powerState(context())).toBe('on');
    await driver.powerSetter!.setPower('off', context());
    expect(await driver.powerGetter!.powerState(context())).toBe('off');
    expect(await driver.powerStatusGetter!.powerStatus(context())).toEqual({
      power: 'off',
      status: 'OFF',
      cloudState: 'stopped',
    });
    await driver.powerSetter!.setPower('on', context());
    expect(await driver.powerGetter!.powerState(context())).toBe('on');
    const stop = proxy.calls.find((c) => c.action === 'StopInstances' && c.instanceIds[0] === id);
    expect(stop?.params.Force).toBe('true');
  });

  it.each([
    ['soft', 'StopInstances', 'off'],
    ['cycle', 'RebootInstances', 'on'],
  ] as const)('power %s sends %s', async (action, call, after) => {
    const [id] = await runInstances(moto.endpoint, 1);
    await driverFor(id).powerSetter!.setPower(action, context());
    const sent = proxy.calls.filter((c) => c.instanceIds.includes(id)).map((c) => c.action);
    expect(sent).toContain(call);
    expect(await driverFor(id).powerGetter!.powerState(context())).toBe(after);
  });

  it('resets by a forced stop, waited out, then a start', async () => {
    const [id] = await runInstances(moto.endpoint, 1);
    await driverFor(id).powerSetter!.setPower('reset', context());
    const sent = proxy.calls.filter((c) => c.instanceIds.includes(id)).map((c) => c.action);
    expect(sent.filter((a) => a !== 'DescribeInstances')).toEqual([
      'StopInstances',
      'StartInstances',
    ]);
    expect(await driverFor(id).powerGetter!.powerState(context())).toBe('on');
  });

  it("reports a transitional state as such, with OpenFlight's word for it", async () => {
    const [id] = await runInstances(moto.endpoint, 1);
    proxy.stuck(id, 'stopping');
    try {
      const err = await rejection(driverFor(id).powerGetter!.powerState(context()));
      expect(err.fault).toBe('transitional');
      expect(err.message).toContain('is stopping (STOPPING)');
      expect((await driverFor(id).powerStatusGetter!.powerStatus(context())).status).toBe(
        'STOPPING',
      );
    } finally {
      proxy.stuck(id);
    }
  });

  it('retries throttling (RequestLimitExceeded) with backoff and succeeds', async () => {
    const [id] = await runInstances(moto.endpoint, 1);
    proxy.throttle(2);
    expect(await driverFor(id).powerGetter!.powerState(context(30_000))).toBe('on');
    const injected = proxy.calls.filter((c) => c.injected === 'RequestLimitExceeded');
    expect(injected.length).toBe(2);
  });

  it('gives up on endless throttling as a transient timeout fault', async () => {
    const [id] = await runInstances(moto.endpoint, 1);
    proxy.throttle(100);
    const driver = createAwsDriver(awsServer('aws01', id), {
      awsClientConfig: { endpoint: proxy.endpoint },
      awsMaxAttempts: 2,
    });
    const err = await rejection(driver.powerGetter!.powerState(context(30_000)));
    expect(err.fault).toBe('timeout');
    expect(err.code).toBe('RequestLimitExceeded');
  });

  it.each([
    [
      'refused credentials',
      () => proxy.refuseCredentials(),
      'i-0123456789abcdef0',
      'auth',
      'AuthFailure',
    ],
    [
      'an unknown instance',
      () => undefined,
      'i-0123456789abcdef0',
      'command',
      'InvalidInstanceID.NotFound',
    ],
  ])(
    'fails at once on %s, naming the node and the EC2 code',
    async (_, arrange, id, fault, code) => {
      arrange();
      const before = proxy.calls.length;
      const err = await rejection(driverFor(id).powerGetter!.powerState(context()));
      expect(err).toMatchObject({ fault, code });
      expect(err.message).toContain('(aws01)');
      expect(err.message).toContain(code);
      expect(proxy.calls.length - before).toBe(1); // not retried
    },
  );

  it('fails an instance looked up in the wrong region as unknown there', async () => {
    const [id] = await runInstances(moto.endpoint, 1);
    const err = await rejection(driverFor(id, 'us-east-1').powerGetter!.powerState(context()));
    expect(err.code).toBe('InvalidInstanceID.NotFound');
    expect(err.message).toContain('wrong region');
  });

  it('reads and changes the instance type, only on a stopped instance', async () => {
    const [id] = await runInstances(moto.endpoint, 1, 't3.medium');
    const driver = driverFor(id);
    expect(await driver.machineTypeGetter!.machineType(context())).toBe('t3.medium');
    await driver.machineTypeSetter!.checkMachineType('c5.2xlarge', context());
    const running = await rejection(
      driver.machineTypeSetter!.setMachineType('c5.2xlarge', context()),
    );
    expect(running.code).toBe('IncorrectInstanceState');
    await driver.powerSetter!.setPower('off', context());
    await driver.machineTypeSetter!.setMachineType('c5.2xlarge', context());
    expect(await driver.machineTypeGetter!.machineType(context())).toBe('c5.2xlarge');
  });

  it('refuses a type of another processor family before changing anything', async () => {
    const [id] = await runInstances(moto.endpoint, 1, 't3.medium');
    const err = await rejection(
      driverFor(id).machineTypeSetter!.checkMachineType('t4g.small', context()),
    );
    expect(err).toMatchObject({ fault: 'unsupported', code: 'wrong_family' });
  });
});
