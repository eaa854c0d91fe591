import {
  DescribeInstanceTypesCommand,
  DescribeInstancesCommand,
  EC2Client,
  EC2ClientConfig,
  ModifyInstanceAttributeCommand,
  RebootInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  _InstanceType,
} from '@aws-sdk/client-ec2';
import type { PowerAction } from '@switchboard/condition-types';
import type { AwsTarget, ServerEntry } from '@switchboard/inventory';
import { setTimeout as sleep } from 'node:timers/promises';

import { Driver, DriverError, OperationContext } from '../capabilities';
import { awsFailure } from './aws-errors';
import { cloudCaller, unknownPowerAction } from './cloud-call';
import { CloudPowerReading, cloudPowerReaders } from './power-reading';

export interface AwsDriverOptions {
  /**
   * Extra EC2 client settings (tests: `endpoint` of a moto server). Credentials are not set
   * here in production: the SDK's default chain finds them (environment, the node's `profile`,
   * SSO, instance or container role).
   */
  awsClientConfig?: Partial<EC2ClientConfig>;
  /** Attempts of the SDK's own retry for throttling and 5xx answers (default 5). */
  awsMaxAttempts?: number;
}

/** EC2's instance states, as OpenFlight's power-status reports them. */
const EC2_STATES: Record<string, Pick<CloudPowerReading, 'power' | 'status'>> = {
  pending: { power: undefined, status: 'PENDING' },
  running: { power: 'on', status: 'ON' },
  stopping: { power: undefined, status: 'STOPPING' },
  stopped: { power: 'off', status: 'OFF' },
};

// One client per region, profile and endpoint: each resolves its credentials once and keeps
// its connections, while a driver is built for every condition.
const clients = new Map<string, EC2Client>();

function clientFor(target: AwsTarget, options: AwsDriverOptions): EC2Client {
  const config: EC2ClientConfig = {
    region: target.region,
    maxAttempts: options.awsMaxAttempts ?? 5,
    ...(target.profile ? { profile: target.profile } : {}),
    ...options.awsClientConfig,
  };
  const key = JSON.stringify([target.region, target.profile, options.awsClientConfig?.endpoint]);
  let client = clients.get(key);
  if (!client || options.awsClientConfig?.credentials) {
    client = new EC2Client(config);
    if (!options.awsClientConfig?.credentials) clients.set(key, client);
  }
  return client;
}

interface Ec2Instance {
  state: string;
  instanceType: string;
}

/**
 * The driver of an EC2 instance through @aws-sdk/client-ec2. on = StartInstances,
 * off = StopInstances with Force, soft = StopInstances without (the OS shuts down),
 * cycle = RebootInstances, reset = a forced stop, waited out within the call's deadline, then
 * StartInstances (EC2 has no reset; a reboot would be graceful). It sends and reads; the
 * controller verifies, waiting out `pending` and `stopping`.
 */
export function createAwsDriver(server: ServerEntry, options: AwsDriverOptions = {}): Driver {
  const target = server.cloud;
  if (target?.cloud !== 'aws') throw new Error(`server ${server.name} is not an AWS node`);
  const client = clientFor(target, options);
  const id = target.instanceId;
  const label = `aws ${target.region} ${id} (${server.name})`;

  const call = cloudCaller(label, awsFailure);

  const describe = (ctx: OperationContext): Promise<Ec2Instance> =>
    call(ctx, 'DescribeInstances', async (abortSignal) => {
      const out = await client.send(new DescribeInstancesCommand({ InstanceIds: [id] }), {
        abortSignal,
      });
      const instance = out.Reservations?.[0]?.Instances?.[0];
      if (!instance) {
        throw new DriverError(
          'command',
          `${label}: no such instance in ${target.region}`,
          undefined,
          {
            code: 'InvalidInstanceID.NotFound',
          },
        );
      }
      return {
        state: instance.State?.Name ?? 'unknown',
        instanceType: instance.InstanceType ?? '',
      };
    });

  const reading = async (ctx: OperationContext): Promise<CloudPowerReading> => {
    const { state } = await describe(ctx);
    const known = EC2_STATES[state];
    if (!known) {
      // shutting-down, terminated: nothing will bring it back.
      throw new DriverError('command', `${label}: instance is ${state}`, undefined, {
        code: state,
      });
    }
    return { ...known, cloudState: state };
  };

  const start = (ctx: OperationContext) =>
    call(ctx, 'StartInstances', (abortSignal) =>
      client.send(new StartInstancesCommand({ InstanceIds: [id] }), { abortSignal }),
    );
  const stop = (ctx: OperationContext, force: boolean) =>
    call(ctx, 'StopInstances', (abortSignal) =>
      client.send(new StopInstancesCommand({ InstanceIds: [id], Force: force }), { abortSignal }),
    );

  /** Polls until stopped, within the call's own deadline (used by reset only). */
  const waitStopped = async (ctx: OperationContext): Promise<void> => {
    const until = Date.now() + ctx.timeoutMs;
    for (let pause = 250; ; pause = Math.min(pause * 2, 2000)) {
      const { state } = await describe(ctx);
      if (state === 'stopped') return;
      if (Date.now() + pause > until) {
        throw new DriverError('timeout', `${label}: reset: still ${state} after the forced stop`);
      }
      await sleep(pause, undefined, { signal: ctx.signal });
    }
  };

  const instanceTypeInfo = (ctx: OperationContext, types: string[]) =>
    call(ctx, 'DescribeInstanceTypes', async (abortSignal) => {
      const out = await client
        .send(new DescribeInstanceTypesCommand({ InstanceTypes: types as _InstanceType[] }), {
          abortSignal,
        })
        .catch((err: unknown) => {
          if ((err as { name?: string }).name !== 'InvalidInstanceType') throw err;
          // OpenFlight's "unknown type" (101), not a fault of the node.
          throw new DriverError(
            'command',
            `${label}: EC2 does not offer ${types.join(' or ')}: ${(err as Error).message}`,
            undefined,
            { code: 'unknown_type' },
          );
        });
      return new Map(
        (out.InstanceTypes ?? []).map((t) => [
          String(t.InstanceType),
          t.ProcessorInfo?.SupportedArchitectures ?? [],
        ]),
      );
    });

  return {
    kind: 'aws',
    server: server.name,
    lockKey: `aws:${target.region}:${id}`,
    ...cloudPowerReaders(label, reading),
    powerSetter: {
      async setPower(action: PowerAction, ctx) {
        switch (action) {
          case 'on':
            await start(ctx);
            return;
          case 'off':
            await stop(ctx, true);
            return;
          case 'soft':
            await stop(ctx, false);
            return;
          case 'cycle':
            await call(ctx, 'RebootInstances', (abortSignal) =>
              client.send(new RebootInstancesCommand({ InstanceIds: [id] }), { abortSignal }),
            );
            return;
          case 'reset':
            await stop(ctx, true);
            await waitStopped(ctx);
            await start(ctx);
            return;
          default:
            throw unknownPowerAction('aws', action);
        }
      },
    },
    machineTypeGetter: {
      catalog: 'aws',
      async machineType(ctx) {
        return (await describe(ctx)).instanceType;
      },
    },
    machineTypeSetter: {
      async checkMachineType(type, ctx) {
        const current = (await describe(ctx)).instanceType;
        const info = await instanceTypeInfo(ctx, [...new Set([current, type])]);
        const wanted = info.get(type);
        if (!wanted) {
          throw new DriverError(
            'command',
            `${label}: EC2 does not offer instance type ${type}`,
            undefined,
            {
              code: 'unknown_type',
            },
          );
        }
        const now = info.get(current) ?? [];
        if (now.length > 0 && !wanted.some((arch) => now.includes(arch))) {
          throw new DriverError(
            'unsupported',
            `${label}: ${type} (${wanted.join(', ')}) is of another family than ` +
              `${current} (${now.join(', ')}): EC2 cannot change an instance's architecture`,
            undefined,
            { code: 'wrong_family' },
          );
        }
      },
      async setMachineType(type, ctx) {
        await call(ctx, 'ModifyInstanceAttribute', (abortSignal) =>
          client.send(
            new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: type } }),
            { abortSignal },
          ),
        );
      },
    },
  };
}
