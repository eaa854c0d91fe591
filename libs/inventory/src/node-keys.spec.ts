import { inventoryError, lines } from '../test/helpers';
import { parseInventory } from './index';

// Issue 11: node keys reach scripts as environment variables. Each of these ran code or moved
// a script's files when a blocklist guarded them; the rule now refuses them when the inventory
// loads, naming the file, line, node and key.
const ATTACKS: Array<[string, string]> = [
  ['NODE_OPTIONS', '--require /tmp/evil.js'],
  ['PYTHONWARNINGS', 'ignore::antigravity.Foo'],
  ['BROWSER', '/bin/sh -c "touch /tmp/pwned" #%s'],
  ['PYTHONPATH', '/tmp/evil'],
  ['PERL5OPT', '-Mevil'],
  ['GCONV_PATH', '/tmp/evil'],
  ['OPENSSL_CONF', '/tmp/evil.cnf'],
  ['GLIBC_TUNABLES', 'glibc.tune.hwcaps=x'],
  ['HOME', '/tmp/evil-home'],
  ['TMPDIR', '/tmp/evil'],
  ['LD_PRELOAD', '/tmp/evil.so'],
  ['BASH_ENV', '/tmp/evil.sh'],
  ['https_proxy', 'http://attacker.invalid:3128'],
  ['Path', '/tmp/evil'],
];

describe('node keys: lower-case identifiers, or listed by the platform', () => {
  it.each(ATTACKS)(
    '%s on a node is refused at load, with file, line, node and key',
    (key, value) => {
      const error = inventoryError(
        lines('node01:', '  ranks: [metal]', `  ${key}: ${JSON.stringify(value)}`),
        {},
        'nodes.yaml',
      );
      expect(error.issues).toEqual([
        expect.objectContaining({ line: 3, node: 'node01', field: key }),
      ]);
      expect(error.message).toContain(`nodes.yaml:3: node "node01": field "${key}": key refused`);
    },
  );

  it('passes lower-case keys as OpenFlight writes them', () => {
    const inventory = parseInventory(
      lines('node01:', '  ec2_id: i-0abc', '  ipmi_username: admin', '  _x1: y'),
      'nodes.yaml',
      {},
    );
    expect(inventory.get('node01')?.attributes).toMatchObject({ ec2_id: 'i-0abc', _x1: 'y' });
  });

  it("passes a key its platform lists in allowed_keys, and tells the scripts' runners", () => {
    const inventory = parseInventory(
      lines(
        'static_nodes:',
        '  cloud01: { platform: aws, AWS_PROFILE: lab }',
        'platforms:',
        '  aws:',
        '    variables: [AWS_PROFILE]',
        '    allowed_keys: [AWS_PROFILE]',
        "    status: 'exit 0'",
      ),
      'topology.yaml',
      {},
    );
    const server = inventory.get('cloud01');
    expect(server?.attributes.AWS_PROFILE).toBe('lab');
    expect(server?.allowedKeys).toEqual(['AWS_PROFILE']);
  });

  it.each([
    ['a platform variable not listed', 'variables: [NODE_OPTIONS]', 'variable "NODE_OPTIONS"'],
    ['an allowed key that runs code', 'allowed_keys: [LD_PRELOAD]', 'allowed key "LD_PRELOAD"'],
  ])('refuses %s', (_case, row, message) => {
    const error = inventoryError(
      lines('platforms:', '  lab:', `    ${row}`, "    status: 'exit 0'"),
      {},
      'topology.yaml',
    );
    expect(error.message).toContain(message);
    expect(error.issues[0]).toMatchObject({ line: 3 });
  });
});

describe("pass_env: controller variables a shell platform's commands receive", () => {
  it('names them on the platform, values left to the controller', () => {
    const inventory = parseInventory(
      lines(
        'static_nodes:',
        '  cloud01: { platform: awscli, ec2_id: i-0abc }',
        'platforms:',
        '  awscli:',
        '    variables: [ec2_id]',
        '    pass_env: [AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE, HOME]',
        "    status: 'exit 0'",
      ),
      'topology.yaml',
      {},
    );
    expect(inventory.platforms.get('awscli')?.passEnv).toEqual([
      'AWS_SHARED_CREDENTIALS_FILE',
      'AWS_PROFILE',
      'HOME',
    ]);
  });

  it.each([
    ['the fixed PATH', 'PATH', "the scripts' PATH and LANG are fixed"],
    ['the fixed LANG', 'LANG', "the scripts' PATH and LANG are fixed"],
    ['what bash runs', 'BASH_ENV', 'would run its value as code'],
    ['what the loader runs', 'LD_PRELOAD', 'would run its value as code'],
    ["Switchboard's NATS password", 'NATS_PASSWORD_FILE', 'a setting of Switchboard itself'],
    ["Switchboard's token secret", 'JWT_SECRET', 'a setting of Switchboard itself'],
    ['a node variable of the platform', 'state_file', "one of the platform's variables"],
  ])('refuses %s, naming file, line and field', (_case, name, why) => {
    const error = inventoryError(
      lines(
        'platforms:',
        '  lab:',
        '    variables: [state_file]',
        `    pass_env: [AWS_PROFILE, ${name}]`,
        "    status: 'exit 0'",
      ),
      {},
      'topology.yaml',
    );
    expect(error.issues).toEqual([
      expect.objectContaining({ line: 4, field: 'platforms.lab.pass_env' }),
    ]);
    expect(error.message).toContain(`topology.yaml:4:`);
    expect(error.message).toMatch(`pass_env "${name}" is refused: `);
    expect(error.message).toContain(why);
  });

  it('refuses pass_env on a platform without commands (the native drivers)', () => {
    const error = inventoryError(
      lines('platforms:', '  aws:', '    region: eu-west-2', '    pass_env: [AWS_PROFILE]'),
      {},
      'topology.yaml',
    );
    expect(error.message).toContain('pass_env applies to shell platforms (with commands) only');
  });
});
