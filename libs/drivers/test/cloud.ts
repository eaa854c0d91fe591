import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import type { ServerEntry } from '@switchboard/inventory';

// The SDK's default chain reads these; moto accepts any key. No test may reach the instance
// metadata service (169.254.169.254), which is off this machine.
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
// The pinned SDK runs on Node 20 and says once that releases after January 2027 will not.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const REGION = 'eu-west-2';
export const SUBSCRIPTION = '2f0e7c1a-0000-4000-8000-000000000001';

export function awsServer(name: string, instanceId: string, region = REGION): ServerEntry {
  return {
    name,
    platform: 'aws',
    driver: 'aws',
    ranks: ['default'],
    groups: [],
    attributes: { platform: 'aws', ec2_id: instanceId, region },
    cloud: { cloud: 'aws', instanceId, region },
    line: 1,
  };
}

export function azureServer(
  name: string,
  resourceGroup: string,
  offAction: 'deallocate' | 'power_off' = 'deallocate',
): ServerEntry {
  return {
    name,
    platform: 'azure',
    driver: 'azure',
    ranks: ['default'],
    groups: [],
    attributes: { platform: 'azure', resource_group: resourceGroup },
    cloud: { cloud: 'azure', subscriptionId: SUBSCRIPTION, resourceGroup, vmName: name, offAction },
    line: 1,
  };
}

/** Launches instances in moto (directly, not through the proxy) and returns their ids. */
export async function runInstances(
  endpoint: string,
  count: number,
  instanceType = 't3.medium',
  region = REGION,
): Promise<string[]> {
  const ec2 = new EC2Client({ region, endpoint });
  try {
    const out = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        MinCount: count,
        MaxCount: count,
        InstanceType: instanceType as never,
      }),
    );
    return (out.Instances ?? []).map((i) => i.InstanceId as string);
  } finally {
    ec2.destroy();
  }
}
