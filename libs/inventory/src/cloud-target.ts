import type { FieldReader } from './fields';
import type { AzureOffAction, CloudTarget, ServerEntry, ShellPlatform } from './types';

/** Platforms with a native driver through the cloud's own SDK. */
export const CLOUD_PLATFORMS = ['aws', 'azure'] as const;
export type CloudPlatform = (typeof CLOUD_PLATFORMS)[number];

export function isCloudPlatform(name: string | undefined): name is CloudPlatform {
  return (CLOUD_PLATFORMS as readonly string[]).includes(name ?? '');
}

const EC2_ID = /^i-[0-9a-f]{8,17}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const SUBSCRIPTION = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Azure resource names: letters, digits and a few punctuation marks; they go into URL paths.
const AZURE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._()-]{0,89}$/;
const OFF_ACTIONS: readonly AzureOffAction[] = ['deallocate', 'power_off'];

interface CloudContext {
  read: FieldReader;
  platform: ShellPlatform | undefined;
  /** Value of AZURE_SUBSCRIPTION_ID when the inventory was loaded. */
  env: NodeJS.ProcessEnv;
}

/**
 * The node's cloud target from its keys, with OpenFlight's spellings: Power's `ec2_id` and
 * `region`, Action's `aws_region`; `resource_group` (Action: `azure_resource_group`) and the VM
 * name (`vm_name`, Action's `azure_name`, else the node name). A key on the node wins over the
 * platform's setting. Problems are reported against the node; credentials are never read here.
 */
export function parseCloudTarget(
  server: ServerEntry,
  cloud: CloudPlatform,
  { read, platform, env }: CloudContext,
): CloudTarget | undefined {
  const attrs = server.attributes;
  const settings = platform?.settings ?? {};
  const pick = (...keys: string[]): string | undefined => {
    for (const key of keys) if (attrs[key]) return attrs[key];
    for (const key of keys) if (settings[key]) return settings[key];
    return undefined;
  };
  const problem = (field: string, message: string): undefined => {
    read.issues.add(server.line, message, { node: server.name, field });
    return undefined;
  };
  const checked = (field: string, value: string | undefined, test: RegExp, what: string) => {
    if (value === undefined) return problem(field, `platform ${cloud} needs ${field} (${what})`);
    if (!test.test(value)) return problem(field, `${field} must be ${what}, got "${value}"`);
    return value;
  };

  if (cloud === 'aws') {
    const instanceId = checked(
      'ec2_id',
      pick('ec2_id'),
      EC2_ID,
      'an EC2 instance id like i-0abc1234',
    );
    const region = checked(
      'region',
      pick('region', 'aws_region'),
      REGION,
      'a region like eu-west-2',
    );
    const profile = pick('profile', 'aws_profile');
    if (!instanceId || !region) return undefined;
    return { cloud, instanceId, region, ...(profile ? { profile } : {}) };
  }

  const subscriptionId = checked(
    'subscription_id',
    pick('subscription_id') ?? env.AZURE_SUBSCRIPTION_ID,
    SUBSCRIPTION,
    'a subscription UUID, on the node, the platform or in AZURE_SUBSCRIPTION_ID',
  );
  const resourceGroup = checked(
    'resource_group',
    pick('resource_group', 'azure_resource_group'),
    AZURE_NAME,
    'a resource group name',
  );
  const vmName = checked(
    'vm_name',
    pick('vm_name', 'azure_name') ?? server.name,
    AZURE_NAME,
    'a VM name',
  );
  const off = pick('off_action') ?? 'deallocate';
  if (!OFF_ACTIONS.includes(off as AzureOffAction)) {
    return problem(
      'off_action',
      `off_action must be one of ${OFF_ACTIONS.join(', ')}, got "${off}"`,
    );
  }
  if (!subscriptionId || !resourceGroup || !vmName) return undefined;
  const tenantId = pick('tenant_id');
  const clientId = pick('client_id');
  return {
    cloud,
    subscriptionId,
    resourceGroup,
    vmName,
    offAction: off as AzureOffAction,
    ...(tenantId ? { tenantId } : {}),
    ...(clientId ? { clientId } : {}),
  };
}
