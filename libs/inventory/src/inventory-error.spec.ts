import { join } from 'node:path';
import { inventoryError, lines } from '../test/helpers';
import { InventoryError, InventoryIssue, loadInventory } from './index';

const AWS_PLATFORM = [
  'platforms:',
  '  aws:',
  '    variables: [ec2_id, aws_region]',
  "    power_on: 'aws ec2 start-instances'",
];

interface Case {
  rows: string[];
  line: number;
  node?: string;
  field?: string;
  message: string;
}

const cases: Record<string, Case> = {
  'a YAML syntax error': {
    rows: ['static_nodes:', '  node01: { platform: aws', '  node02: {}'],
    line: 3,
    message:
      'YAML syntax error: Flow map in block collection must be sufficiently indented and ' +
      'end with a }',
  },
  'a duplicate node': {
    rows: ['node01:', '  ip: 10.0.0.1', 'node01:', '  ip: 10.0.0.2'],
    line: 3,
    message: 'YAML syntax error: Map keys must be unique',
  },
  'tabs as indentation': {
    rows: ['node01:', '\tip: 10.0.0.1'],
    line: 2,
    message: 'YAML syntax error: Tabs are not allowed as indentation',
  },
  'several YAML documents': {
    rows: ['node01: {}', '---', 'node02: {}'],
    line: 2,
    message:
      'YAML syntax error: the file holds more than one YAML document (---); an inventory ' +
      'is a single document',
  },
  'an empty file': {
    rows: ['# nothing yet'],
    line: 1,
    message: 'the inventory is empty: expected nodes, or static_nodes, platforms and groups',
  },
  'a list at the top level': {
    rows: ['# nodes', '- node01', '- node02'],
    line: 2,
    message: 'expected a map at the top level, got a list',
  },
  'a node that is a string': {
    rows: ['node01:', '  ranks: [aws]', 'node02: aws'],
    line: 3,
    node: 'node02',
    message: 'expected a map of node settings, got "aws"',
  },
  'a node that is a list': {
    rows: ['node01:', '  - ranks: [aws]'],
    line: 2,
    node: 'node01',
    message: 'expected a map of node settings, got a list',
  },
  'a node name that cannot be addressed': {
    rows: ['node01: {}', 'node[02]: {}'],
    line: 2,
    node: 'node[02]',
    message: "invalid node name: use letters, digits, '.', '_' and '-'",
  },
  'a node key outside static_nodes in a topology file': {
    rows: ['static_nodes:', '  node01: { ranks: [aws] }', 'node02:', '  ranks: [aws]'],
    line: 3,
    message:
      'unknown top-level key "node02": in a file with static_nodes, platforms or groups, ' +
      'nodes go under static_nodes',
  },
  'static_nodes as a list': {
    rows: ['static_nodes:', '  - node01', 'groups: {}'],
    line: 2,
    field: 'static_nodes',
    message: 'expected a map of nodes, got a list',
  },
  'both static_nodes and nodes': {
    rows: ['static_nodes: {}', 'nodes: {}'],
    line: 2,
    message: 'both "static_nodes" and "nodes" list nodes; use static_nodes only',
  },
  'an unknown platform': {
    rows: ['static_nodes:', '  node01:', '    ec2_id: i-1', '    platform: gcp', ...AWS_PLATFORM],
    line: 4,
    node: 'node01',
    field: 'platform',
    message: 'unknown platform "gcp" (defined platforms: aws; native: ipmi, aws, azure)',
  },
  'a platform in a file without platforms': {
    rows: ['node01:', '  platform: gcp'],
    line: 2,
    node: 'node01',
    field: 'platform',
    message: 'unknown platform "gcp" (native: ipmi, aws, azure)',
  },
  'a native AWS node without its instance id': {
    rows: ['node01:', '  platform: aws', '  region: eu-west-2'],
    line: 1,
    node: 'node01',
    field: 'ec2_id',
    message: 'platform aws needs ec2_id (an EC2 instance id like i-0abc1234)',
  },
  'a native AWS node with a malformed region': {
    rows: ['node01:', '  platform: aws', '  ec2_id: i-0abc12345', '  region: Europe'],
    line: 1,
    node: 'node01',
    field: 'region',
    message: 'region must be a region like eu-west-2, got "Europe"',
  },
  'a native Azure node without its resource group': {
    rows: [
      'node01:',
      '  platform: azure',
      '  subscription_id: 2f0e7c1a-0000-4000-8000-000000000001',
    ],
    line: 1,
    node: 'node01',
    field: 'resource_group',
    message: 'platform azure needs resource_group (a resource group name)',
  },
  'a platform given as a map': {
    rows: ['node01:', '  platform: { name: aws }'],
    line: 2,
    node: 'node01',
    field: 'platform',
    message: 'expected a platform name, got a map',
  },
  'a node missing a platform variable': {
    rows: ['static_nodes:', '  node01:', '    platform: aws', '    ec2_id: i-1', ...AWS_PLATFORM],
    line: 2,
    node: 'node01',
    field: 'aws_region',
    message: 'platform "aws" needs variable "aws_region", which is not set on this node',
  },
  'a platform variable given as a list': {
    rows: [
      'static_nodes:',
      '  node01:',
      '    platform: aws',
      '    ec2_id: i-1',
      '    aws_region: [eu-west-2]',
      ...AWS_PLATFORM,
    ],
    line: 2,
    node: 'node01',
    field: 'aws_region',
    message:
      'platform "aws" needs variable "aws_region", which must be a single value, not a list or map',
  },
  'a platform that is not a map': {
    rows: ['static_nodes: {}', 'platforms:', '  aws: aws ec2 start-instances'],
    line: 3,
    field: 'platforms.aws',
    message: 'expected a map with variables and commands, got "aws ec2 start-instances"',
  },
  'a misspelt platform command': {
    rows: ['platforms:', '  aws:', '    variables: []', "    poweron: 'aws ec2 start-instances'"],
    line: 4,
    field: 'platforms.aws.poweron',
    message:
      'unknown platform setting (expected variables, allowed_keys, pass_env, power_on, ' +
      'power_off, restart, status, ' +
      'status_off_exit_code, or for the native driver region, profile)',
  },
  'a platform variable that is not a shell name': {
    rows: ['platforms:', '  aws:', '    variables:', '      - ec2_id', '      - aws-region'],
    line: 5,
    field: 'platforms.aws.variables',
    message: '"aws-region" is not a valid shell variable name',
  },
  'platform variables that are not a list': {
    rows: ['platforms:', '  aws:', '    variables: ec2_id'],
    line: 3,
    field: 'platforms.aws.variables',
    message: 'expected a list, got "ec2_id"',
  },
  'a platform command that is a list': {
    rows: ['platforms:', '  aws:', '    status: [exit 0]'],
    line: 3,
    field: 'platforms.aws.status',
    message: 'expected a shell command, got a list',
  },
  'an off exit code of 0': {
    rows: ['platforms:', '  aws:', '    status_off_exit_code: 0'],
    line: 3,
    field: 'platforms.aws.status_off_exit_code',
    message: 'expected an exit code 1-255, got "0"',
  },
  'an id that is not a UUID': {
    rows: ['node01:', '  id: 1234', '  ranks: [aws]'],
    line: 2,
    node: 'node01',
    field: 'id',
    message: 'expected a UUID like 7c9e6679-7425-40de-944b-e07fc1f90ae7, got "1234"',
  },
  'an id used twice (case-insensitively)': {
    rows: [
      'node01:',
      '  id: 7c9e6679-7425-40de-944b-e07fc1f90ae7',
      'node02:',
      '  id: 7C9E6679-7425-40DE-944B-E07FC1F90AE7',
    ],
    line: 4,
    node: 'node02',
    field: 'id',
    message: 'id 7c9e6679-7425-40de-944b-e07fc1f90ae7 is already used by node "node01"',
  },
  'ranks that are not a list': {
    rows: ['node01:', '  ranks: aws'],
    line: 2,
    node: 'node01',
    field: 'ranks',
    message: 'expected a list, got "aws"',
  },
  'a rank that is a map': {
    rows: ['node01:', '  ranks:', '    - aws', '    - { metal: true }'],
    line: 4,
    node: 'node01',
    field: 'ranks',
    message: 'expected a list of names, got a map in the list',
  },
  'a name that disagrees with the key': {
    rows: ['node01:', '  name: node1'],
    line: 2,
    node: 'node01',
    field: 'name',
    message: 'the name comes from the node\'s key and cannot be changed to "node1"',
  },
  'a merge key that points at a scalar': {
    rows: ['node01:', '  ip: &ip 10.0.0.1', 'node02:', '  <<: *ip'],
    line: 4,
    node: 'node02',
    message: 'a merge key (<<) must refer to a map or a list of maps',
  },
  'a group naming an unknown node': {
    rows: ['static_nodes:', '  node01: {}', '  node02: {}', 'groups:', '  rack1: "node[01-03]"'],
    line: 5,
    field: 'groups.rack1',
    message: 'unknown node "node03" in "node[01-03]"',
  },
  'a group naming an unknown group': {
    rows: ['static_nodes:', '  node01: {}', 'groups:', '  all:', '    - node01', '    - "@gpu"'],
    line: 6,
    field: 'groups.all',
    message: 'unknown group "@gpu" in "@gpu"',
  },
  'groups that refer to each other': {
    rows: [
      'static_nodes:',
      '  node01: {}',
      'groups:',
      '  a: ["@b"]',
      '  b: "node01,@c"',
      '  c: "@a"',
    ],
    line: 6,
    field: 'groups.c',
    message: 'groups refer to each other in a cycle: a -> b -> c -> a',
  },
  'a group that refers to itself': {
    rows: ['static_nodes:', '  node01: {}', 'groups:', '  a: "node01,@a"'],
    line: 4,
    field: 'groups.a',
    message: 'groups refer to each other in a cycle: a -> a',
  },
  'a group with a bad range': {
    rows: ['static_nodes:', '  node05: {}', 'groups:', '  rack1: "node[05-01]"'],
    line: 4,
    field: 'groups.rack1',
    message: 'invalid node range "node[05-01]": descending range 05-01',
  },
  'a group that is a map': {
    rows: ['static_nodes:', '  node01: {}', 'groups:', '  rack1:', '    members: node01'],
    line: 5,
    field: 'groups.rack1',
    message: 'expected a node range like "node[01-04]" or a list of them, got a map',
  },
  'groups that are a list': {
    rows: ['static_nodes: {}', 'groups:', '  - node01'],
    line: 3,
    field: 'groups',
    message: 'expected a map of group names to node ranges, got a list',
  },
  'a group name with a bracket': {
    rows: ['static_nodes:', '  node01: {}', 'groups:', '  "rack[1]": node01'],
    line: 4,
    field: 'groups.rack[1]',
    message: "invalid group name: use letters, digits, '.', '_' and '-'",
  },
};

describe('InventoryError for a bad file', () => {
  it.each(Object.entries(cases))('%s', (_label, c) => {
    const err = inventoryError(lines(...c.rows));
    const expected: InventoryIssue = { line: c.line, message: c.message };
    if (c.node !== undefined) expected.node = c.node;
    if (c.field !== undefined) expected.field = c.field;

    expect(err).toBeInstanceOf(InventoryError);
    expect(err.issues).toEqual([expected]);
    expect({ file: err.file, line: err.line, node: err.node, field: err.field }).toEqual({
      file: 'inventory.yaml',
      line: c.line,
      node: c.node,
      field: c.field,
    });
    const node = c.node === undefined ? '' : `node "${c.node}": `;
    const field = c.field === undefined ? '' : `field "${c.field}": `;
    expect(err.message).toBe(`inventory.yaml:${c.line}: ${node}${field}${c.message}`);
  });

  it('matches the documented message shape', () => {
    const err = inventoryError(
      lines(
        'static_nodes:',
        '  node01: { platform: ipmi }',
        '  node02: { platform: ipmi }',
        '  node03:',
        '    platform: ipmi',
        '    bmc:',
        '      host: 10.0.0.3',
        '      port: abc',
      ),
    );
    expect(err.message).toBe(
      'inventory.yaml:8: node "node03": field "bmc.port": expected a port number ' +
        '1-65535, got "abc"',
    );
  });

  it('reports every problem in the file at once, earliest line first', () => {
    const err = inventoryError(
      lines(
        'static_nodes:',
        '  node01:',
        '    platform: aws',
        '    id: not-a-uuid',
        '  node02:',
        '    platform: ipmi',
        '    bmc: { port: 0, password_env: MISSING }',
        'groups:',
        '  rack1: node[01-03]',
        ...AWS_PLATFORM,
      ),
    );
    expect(err.issues.map((i) => [i.line, i.node, i.field])).toEqual([
      [2, 'node01', 'ec2_id'],
      [2, 'node01', 'aws_region'],
      [4, 'node01', 'id'],
      [7, 'node02', 'bmc.port'],
      [7, 'node02', 'bmc.password_env'],
      [9, undefined, 'groups.rack1'],
    ]);
    expect(err.message.split('\n')).toHaveLength(6);
    expect(err).toMatchObject({ line: 2, node: 'node01', field: 'ec2_id' });
  });

  it('uses the path the file was loaded from', () => {
    const file = join(__dirname, '..', 'test', 'fixtures', 'does-not-exist.yaml');
    expect(() => loadInventory(file)).toThrow(
      new InventoryError(file, [{ line: 0, message: 'cannot read the inventory file (ENOENT)' }]),
    );
    try {
      loadInventory(file);
    } catch (err) {
      expect((err as InventoryError).message).toBe(
        `${file}: cannot read the inventory file (ENOENT)`,
      );
    }
  });
});
