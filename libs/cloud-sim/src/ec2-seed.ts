import { EC2Client, RunInstancesCommand, _InstanceType } from '@aws-sdk/client-ec2';

export interface LaunchOptions {
  region: string;
  count: number;
  instanceType?: string;
}

/**
 * Launches instances in a moto server (tests, the sandbox) and returns their ids. moto takes
 * any key; the ones given here are moto's own test values, not credentials.
 */
export async function launchInstances(endpoint: string, options: LaunchOptions): Promise<string[]> {
  const ec2 = new EC2Client({
    region: options.region,
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  try {
    const out = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        MinCount: options.count,
        MaxCount: options.count,
        InstanceType: (options.instanceType ?? 't3.medium') as _InstanceType,
      }),
    );
    return (out.Instances ?? []).map((i) => i.InstanceId as string);
  } finally {
    ec2.destroy();
  }
}
