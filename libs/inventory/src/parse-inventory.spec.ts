import { serverUuid } from './server-uuid';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_STATUS_OFF_EXIT_CODE,
  Inventory,
  RangeExpressionError,
  loadInventory,
  parseInventory,
} from './index';

const fixtures = join(__dirname, '..', 'test', 'fixtures');
const env = { SB_TEST_BMC_PASSWORD: 'env-secret' };

describe("OpenFlight Power's topology.yaml", () => {
  const inv = loadInventory(join(fixtures, 'topology.yaml'), env);

  it('lists every static node in file order with its platform and line', () => {
    expect(inv.servers.map((s) => [s.name, s.platform, s.driver, s.line])).toEqual([
      ['node01', 'aws', 'shell', 4],
      ['node02', 'aws', 'shell', 8],
      ['gpu01', 'azure', 'shell', 12],
      ['metal01', 'ipmi', 'shell', 15],
    ]);
  });

  it('keeps every scalar key of a node as a string attribute, for the command environment', () => {
    expect(inv.get('node01')?.attributes).toEqual({
      platform: 'aws',
      ec2_id: 'i-0a1b2c3d4e5f60001',
      aws_region: 'eu-west-2',
    });
  });

  it('reads each platform with its variables and commands', () => {
    const aws = inv.platforms.get('aws');
    expect(aws).toMatchObject({
      name: 'aws',
      variables: ['ec2_id', 'aws_region'],
      powerOn: 'aws ec2 start-instances --instance-ids "$ec2_id" --region "$aws_region"',
      powerOff: 'aws ec2 stop-instances --instance-ids "$ec2_id" --region "$aws_region"',
      restart: 'aws ec2 reboot-instances --instance-ids "$ec2_id" --region "$aws_region"',
      statusOffExitCode: 111,
    });
    expect(aws?.status).toContain('[ "$state" = running ] && exit 0\n');
    expect(inv.platforms.get('azure')).toMatchObject({
      variables: ['resource_group'],
      statusOffExitCode: 255,
    });
  });

  it(`defaults status_off_exit_code to ${DEFAULT_STATUS_OFF_EXIT_CODE}`, () => {
    expect(inv.platforms.get('ipmi')?.statusOffExitCode).toBe(111);
  });

  it('lets a platforms.ipmi shell platform win over native IPMI, as OpenFlight does', () => {
    const metal = inv.get('metal01');
    expect(metal).toMatchObject({ driver: 'shell', platform: 'ipmi' });
    expect(metal?.bmc).toBeUndefined();
  });

  it('gives nodes without ranks the default rank', () => {
    expect(inv.get('gpu01')?.ranks).toEqual(['default']);
  });

  it("accepts Power Server's older `nodes:` key for static_nodes", () => {
    const old = parseInventory(
      [
        'nodes:',
        '  node01: { platform: aws, ec2_id: i-1, aws_region: eu-west-2 }',
        'platforms:',
        '  aws: { variables: [ec2_id, aws_region] }',
      ].join('\n'),
      'topology.yaml',
    );
    expect(old.servers.map((s) => s.name)).toEqual(['node01']);
  });

  it('follows YAML anchors and merge keys, as Ruby-era files use them', () => {
    const text = [
      'static_nodes:',
      '  node01: &aws_london',
      '    platform: aws',
      '    aws_region: eu-west-2',
      '    ec2_id: i-1',
      '  node02:',
      '    <<: *aws_london',
      '    ec2_id: i-2',
      'platforms:',
      '  aws: { variables: [ec2_id, aws_region] }',
    ].join('\n');
    const merged = parseInventory(text, 'topology.yaml');
    expect(merged.get('node02')?.attributes).toEqual({
      platform: 'aws',
      aws_region: 'eu-west-2',
      ec2_id: 'i-2',
    });
  });
});

describe("OpenFlight Action's nodes.yaml", () => {
  const inv = loadInventory(join(fixtures, 'nodes.yaml'), env);

  it('treats every top-level key as a node', () => {
    expect(inv.servers.map((s) => s.name)).toEqual(['node01', 'node02', 'login1', 'spare01']);
  });

  it('reads ranks in priority order with default implied last', () => {
    expect(inv.servers.map((s) => s.ranks)).toEqual([
      ['aws', 'default'],
      ['metal', 'default'],
      ['login', 'metal', 'default'],
      ['default'],
    ]);
  });

  it('keeps attribute values exactly as written, not as YAML numbers', () => {
    expect(inv.get('node02')?.attributes).toEqual({ ip: '10.0.0.2', serial: '0042' });
    expect(inv.get('login1')?.attributes).toEqual({
      ip: '10.0.0.10',
      gpus: '0',
      slurm_partition: 'short,long',
    });
  });

  it('accepts a node with no settings and powers nothing without a platform', () => {
    expect(inv.get('spare01')).toMatchObject({
      driver: 'none',
      attributes: {},
      ranks: ['default'],
    });
    expect(inv.platforms.size).toBe(0);
    expect(inv.groups.size).toBe(0);
  });

  it('does not move an explicit default rank out of place', () => {
    const text = 'node01:\n  ranks: [default, aws, default]\n';
    expect(parseInventory(text, 'nodes.yaml').get('node01')?.ranks).toEqual(['aws', 'default']);
  });
});

describe('a mixed file with groups, ids and native IPMI', () => {
  let inv: Inventory;
  beforeAll(() => {
    inv = loadInventory(join(fixtures, 'mixed.yaml'), env);
  });

  it('reads nodes from static_nodes, with ranks and platforms together', () => {
    expect(inv.servers.map((s) => [s.name, s.driver, s.ranks])).toEqual([
      ['node01', 'shell', ['aws', 'default']],
      ['node02', 'ipmi', ['metal', 'default']],
      ['node03', 'ipmi', ['metal', 'default']],
      ['node04', 'ipmi', ['default']],
      ['login1', 'none', ['login', 'default']],
    ]);
  });

  it('expands groups, including references to other groups and ids', () => {
    expect(Object.fromEntries(inv.groups)).toEqual({
      rack1: ['node02', 'node03', 'node04'],
      cloud: ['node01'],
      compute: ['node02', 'node03', 'node04', 'node01'],
      everything: ['node02', 'node03', 'node04', 'node01', 'login1'],
      'by-id': ['node02', 'node01'],
    });
  });

  it('records on each server the groups that list it', () => {
    expect(inv.get('node01')?.groups).toEqual(['cloud', 'compute', 'everything', 'by-id']);
    expect(inv.get('login1')?.groups).toEqual(['everything']);
  });

  describe('addressing', () => {
    it.each([
      ['node01', 'node01'],
      ['7c9e6679-7425-40de-944b-e07fc1f90ae7', 'node01'],
      ['7C9E6679-7425-40DE-944B-E07FC1F90AE7', 'node01'],
      ['16fd2706-8baf-433b-82eb-8c7fada847da', 'node02'],
    ])('get(%s) → %s', (key, name) => {
      expect(inv.get(key)?.name).toBe(name);
    });

    it('returns undefined for an unknown name or id', () => {
      expect(inv.get('node99')).toBeUndefined();
      expect(inv.get('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    });

    it.each<[string, string[], string[]]>([
      ['node[01-03]', ['node01', 'node02', 'node03'], []],
      ['@rack1', ['node02', 'node03', 'node04'], []],
      ['@compute,login1', ['node02', 'node03', 'node04', 'node01', 'login1'], []],
      ['16fd2706-8baf-433b-82eb-8c7fada847da,node01', ['node02', 'node01'], []],
      ['node02,16fd2706-8baf-433b-82eb-8c7fada847da', ['node02'], []],
      ['node[03-06]', ['node03', 'node04'], ['node05', 'node06']],
      ['@nope,node01,ghost', ['node01'], ['@nope', 'ghost']],
    ])('resolve(%s)', (expr, servers, unknown) => {
      const result = inv.resolve(expr);
      expect(result.servers.map((s) => s.name)).toEqual(servers);
      expect(result.unknown).toEqual(unknown);
    });

    it('names(expr) yields what resolve answers, inventory names for ids, one at a time', () => {
      const names = inv.names('16fd2706-8baf-433b-82eb-8c7fada847da,node02,@nope,ghost[1-90000]');
      expect([...Array(4)].map(() => names.next().value)).toEqual([
        'node02',
        '@nope',
        'ghost1',
        'ghost2',
      ]);
      names.return(undefined);
    });

    it('resolves within a limit, refusing past it before expanding', () => {
      expect(inv.resolve('node[01-03]', { limit: 3 }).servers).toHaveLength(3);
      expect(() => inv.resolve('node[01-04]', { limit: 3 })).toThrow(
        'expands to more than 3 names',
      );
    });

    it('throws RangeExpressionError for a malformed expression', () => {
      expect(() => inv.resolve('node[3-1]')).toThrow(RangeExpressionError);
      expect(() => inv.resolve('node[3-1]')).toThrow(
        'invalid node range "node[3-1]": descending range 3-1',
      );
    });
  });

  describe('toPublicView', () => {
    it('shows names, ids, UUIDs, platforms, drivers, ranks and groups only', () => {
      expect(inv.toPublicView()[0]).toEqual({
        name: 'node01',
        id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        uuid: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        platform: 'aws',
        driver: 'shell',
        ranks: ['aws', 'default'],
        groups: ['cloud', 'compute', 'everything', 'by-id'],
      });
      expect(inv.toPublicView()[4]).toEqual({
        name: 'login1',
        uuid: serverUuid({ name: 'login1' }),
        driver: 'none',
        ranks: ['login', 'default'],
        groups: ['everything'],
      });
    });
  });

  describe('server UUIDs (what FlipFlop clients name servers by)', () => {
    it(
      'are the inventory id where ' + 'given, else UUIDv5 of the name: stable, and found by get',
      () => {
        const login = serverUuid({ name: 'login1' });
        // UUIDv5 in the project's namespace: version nibble 5, RFC 4122 variant, same every time.
        expect(login).toMatch(
          /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
        expect(serverUuid({ name: 'login1' })).toBe(login);
        // Fixed forever: a changed namespace would change every derived id clients stored.
        expect(serverUuid({ name: 'node01' })).toBe('82c2de77-bd69-5bb3-87d3-3db836df3fcc');
        expect(serverUuid({ name: 'login2' })).not.toBe(login);
        expect(serverUuid({ name: 'node01', id: '7c9e6679-7425-40de-944b-e07fc1f90ae7' })).toBe(
          '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        );
        expect(inv.get(login)?.name).toBe('login1');
        expect(inv.get(login.toUpperCase())?.name).toBe('login1');
      },
    );

    it('never contains a BMC password, host or user', () => {
      const view = JSON.stringify(inv.toPublicView());
      for (const secret of ['env-secret', 's3cret-from-file', '10.10.0.102', 'operator']) {
        expect(view).not.toContain(secret);
      }
    });
  });
});

describe('file-level rules', () => {
  it('loads an explicitly empty static_nodes as an empty inventory', () => {
    expect(parseInventory('static_nodes: {}\n', 'inventory.yaml').servers).toEqual([]);
  });

  it('reads the same text the same way from a string or from disk', () => {
    const file = join(fixtures, 'nodes.yaml');
    const fromText = parseInventory(readFileSync(file, 'utf8'), file);
    expect(fromText.toPublicView()).toEqual(loadInventory(file).toPublicView());
  });
});
