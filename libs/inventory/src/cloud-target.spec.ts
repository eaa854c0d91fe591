import { parseInventory } from './index';

const SUB = '2f0e7c1a-0000-4000-8000-000000000001';

function load(yaml: string, env: NodeJS.ProcessEnv = {}) {
  return parseInventory(yaml, 'topology.yaml', env);
}

describe('native cloud nodes', () => {
  it("reads OpenFlight Power's AWS keys, with the platform's settings as defaults", () => {
    const inv = load(
      [
        'static_nodes:',
        '  aws01: { platform: aws, ec2_id: i-0abc12345678 }',
        '  aws02: { platform: aws, ec2_id: i-0abc12345679, aws_region: us-east-1, profile: lab }',
        'platforms:',
        '  aws: { region: eu-west-2, profile: ops }',
      ].join('\n'),
    );
    expect(inv.get('aws01')).toMatchObject({
      driver: 'aws',
      cloud: { cloud: 'aws', instanceId: 'i-0abc12345678', region: 'eu-west-2', profile: 'ops' },
    });
    expect(inv.get('aws02')?.cloud).toEqual({
      cloud: 'aws',
      instanceId: 'i-0abc12345679',
      region: 'us-east-1',
      profile: 'lab',
    });
  });

  it('reads Azure nodes: VM name defaults to the node name, subscription to the env', () => {
    const inv = load(
      [
        'static_nodes:',
        '  vm01: { platform: azure, resource_group: hpc }',
        '  vm02:',
        '    { platform: azure, azure_resource_group: hpc, vm_name: other, off_action: power_off }',
      ].join('\n'),
      { AZURE_SUBSCRIPTION_ID: SUB },
    );
    expect(inv.get('vm01')?.cloud).toEqual({
      cloud: 'azure',
      subscriptionId: SUB,
      resourceGroup: 'hpc',
      vmName: 'vm01',
      offAction: 'deallocate',
    });
    expect(inv.get('vm02')?.cloud).toMatchObject({ vmName: 'other', offAction: 'power_off' });
  });

  it('keeps a shell-defined aws platform a shell platform', () => {
    const inv = load(
      [
        'static_nodes:',
        '  n1: { platform: aws, ec2_id: i-1, aws_region: eu-west-2 }',
        'platforms:',
        '  aws:',
        '    variables: [ec2_id, aws_region]',
        '    power_on: aws ec2 start-instances --instance-ids "$ec2_id"',
      ].join('\n'),
    );
    expect(inv.get('n1')).toMatchObject({ driver: 'shell', platform: 'aws' });
    expect(inv.get('n1')?.cloud).toBeUndefined();
  });

  it.each([
    [
      'an unknown off action',
      'off_action: sleep',
      'off_action must be one of deallocate, power_off',
    ],
    ['no subscription anywhere', '', 'platform azure needs subscription_id'],
  ])('refuses an Azure node with %s', (_, extra, message) => {
    const fields = ['platform: azure', 'resource_group: hpc', ...(extra ? [extra] : [])];
    const yaml = `static_nodes:\n  vm01: { ${fields.join(', ')} }`;
    expect(() => load(yaml, extra ? { AZURE_SUBSCRIPTION_ID: SUB } : {})).toThrow(message);
  });
});
