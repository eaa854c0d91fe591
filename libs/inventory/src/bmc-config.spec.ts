import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import pino from 'pino';
import { inventoryError, lines, tempDir } from '../test/helpers';
import { BMC_DEFAULTS, ServerEntry, loadInventory, parseInventory } from './index';

function ipmiNode(...bmcRows: string[]): string {
  return lines(
    'node01:',
    '  platform: ipmi',
    ...(bmcRows.length > 0 ? ['  bmc:', ...bmcRows.map((r) => `    ${r}`)] : []),
  );
}

function bmcOf(
  text: string,
  env: NodeJS.ProcessEnv = {},
  file = 'inventory.yaml',
): ServerEntry['bmc'] {
  const server = parseInventory(text, file, env).get('node01');
  expect(server?.driver).toBe('ipmi');
  return server?.bmc;
}

describe('native IPMI nodes', () => {
  it('are nodes with platform ipmi when the file defines no ipmi platform', () => {
    const inv = parseInventory(
      lines(
        'static_nodes:',
        '  node01: { platform: ipmi }',
        'platforms:',
        '  aws: { variables: [ec2_id] }',
      ),
      'inventory.yaml',
    );
    expect(inv.get('node01')?.driver).toBe('ipmi');
  });

  it("use OpenFlight's defaults when there is no bmc map", () => {
    expect(BMC_DEFAULTS).toEqual({ port: 623, username: 'ADMIN', cipherSuite: 3 });
    expect(bmcOf(ipmiNode())).toEqual({
      host: 'node01-bmc',
      port: 623,
      username: 'ADMIN',
      cipherSuite: 3,
    });
    expect(bmcOf(ipmiNode())?.password).toBeUndefined();
  });

  it('take each setting from the bmc map', () => {
    const bmc = bmcOf(
      ipmiNode(
        'host: 10.10.0.101',
        'port: 6230',
        'username: operator',
        'password: "0123"',
        'cipher_suite: 17',
      ),
    );
    expect(bmc).toEqual({ host: '10.10.0.101', port: 6230, username: 'operator', cipherSuite: 17 });
    expect(bmc?.password).toBe('0123');
  });

  it.each<[string, string]>([
    ['password: 0123', '0123'],
    ['password: 1.50', '1.50'],
    ['password: true', 'true'],
    ["password: 'p@ss word'", 'p@ss word'],
  ])('keep a plain password exactly as written: %s', (row, expected) => {
    expect(bmcOf(ipmiNode(row))?.password).toBe(expected);
  });

  it('accept a quoted port number', () => {
    expect(bmcOf(ipmiNode('port: "6230"'))?.port).toBe(6230);
  });

  describe('password sources', () => {
    it('reads password_env from the environment given to the loader', () => {
      expect(
        bmcOf(ipmiNode('password_env: RACK1_BMC_PASSWORD'), { RACK1_BMC_PASSWORD: 'from-env' })
          ?.password,
      ).toBe('from-env');
    });

    describe('password_file', () => {
      const tmp = tempDir();
      afterAll(tmp.cleanup);
      const file = join(tmp.dir, 'inventory.yaml');
      mkdirSync(join(tmp.dir, 'secrets'));

      it.each<[string, string, string]>([
        ['strips one trailing newline', 'from-file\n', 'from-file'],
        ['strips a CRLF line ending', 'from-file\r\n', 'from-file'],
        ['keeps a file without a newline as is', 'from-file', 'from-file'],
        ['keeps inner and leading whitespace', ' a b \n', ' a b '],
      ])('%s', (_label, content, expected) => {
        writeFileSync(join(tmp.dir, 'secrets', 'bmc.pass'), content);
        writeFileSync(file, ipmiNode('password_file: secrets/bmc.pass'));
        expect(loadInventory(file, {}).get('node01')?.bmc?.password).toBe(expected);
      });

      it(
        "resolves a relative path against the inventory file's directory, not the working " +
          'directory',
        () => {
          writeFileSync(join(tmp.dir, 'secrets', 'bmc.pass'), 'relative\n');
          expect(process.cwd()).not.toBe(tmp.dir);
          expect(bmcOf(ipmiNode('password_file: secrets/bmc.pass'), {}, file)?.password).toBe(
            'relative',
          );
        },
      );

      it('accepts an absolute path', () => {
        const abs = join(tmp.dir, 'secrets', 'abs.pass');
        writeFileSync(abs, 'absolute\n');
        expect(
          bmcOf(ipmiNode(`password_file: ${abs}`), {}, '/elsewhere/inventory.yaml')?.password,
        ).toBe('absolute');
      });
    });
  });

  describe('keep the password out of anything printed', () => {
    const server = parseInventory(ipmiNode('password: hunter2'), 'inventory.yaml').get(
      'node01',
    ) as ServerEntry;

    it('while the driver can still read it', () => {
      expect(server.bmc?.password).toBe('hunter2');
    });

    it.each<[string, () => string]>([
      ['JSON.stringify', () => JSON.stringify(server)],
      ['util.inspect / console.log', () => inspect(server, { depth: 10 })],
      ['a spread copy', () => JSON.stringify({ ...server.bmc })],
      [
        'toPublicView',
        () =>
          JSON.stringify(parseInventory(ipmiNode('password: hunter2'), 'x.yaml').toPublicView()),
      ],
    ])('%s', (_label, print) => {
      expect(print()).not.toContain('hunter2');
    });

    it('a pino log line with the server in it', () => {
      const out: string[] = [];
      const stream = new Writable({
        write(chunk, _enc, done) {
          out.push(String(chunk));
          done();
        },
      });
      pino({ level: 'info' }, stream).info({ server }, 'powering on');
      expect(out.join('')).toContain('node01-bmc');
      expect(out.join('')).not.toContain('hunter2');
    });
  });
});

describe('BMC errors name the node, field and line, never the password', () => {
  it.each<[string, string[], NodeJS.ProcessEnv, string]>([
    [
      'a missing environment variable',
      ['password_env: RACK1_BMC_PASSWORD'],
      {},
      'inventory.yaml:4: node "node01": field "bmc.password_env": environment variable ' +
        '"RACK1_BMC_PASSWORD" is not set',
    ],
    [
      'an empty environment variable',
      ['password_env: RACK1_BMC_PASSWORD'],
      { RACK1_BMC_PASSWORD: '' },
      'inventory.yaml:4: node "node01": field "bmc.password_env": environment variable ' +
        '"RACK1_BMC_PASSWORD" is empty',
    ],
    [
      'an invalid environment variable name',
      ['password_env: "rack1 password"'],
      {},
      'inventory.yaml:4: node "node01": field "bmc.password_env": "rack1 password" is ' +
        'not a valid environment variable name',
    ],
    [
      'a missing password file',
      ['host: 10.0.0.1', 'password_file: /nonexistent/sb-bmc.pass'],
      {},
      'inventory.yaml:5: node "node01": field "bmc.password_file": cannot read password ' +
        'file "/nonexistent/sb-bmc.pass" (ENOENT)',
    ],
    [
      'more than one password source',
      ['password: hunter2', 'password_env: RACK1_BMC_PASSWORD'],
      { RACK1_BMC_PASSWORD: 'hunter2' },
      'inventory.yaml:3: node "node01": field "bmc": use only one of password, password_env',
    ],
    [
      'a port that is not a number',
      ['port: abc', 'password: hunter2'],
      {},
      'inventory.yaml:4: node "node01": field "bmc.port": expected a port number ' +
        '1-65535, got "abc"',
    ],
    [
      'a port out of range',
      ['port: 70000'],
      {},
      'inventory.yaml:4: node "node01": field "bmc.port": expected a port number ' +
        '1-65535, got "70000"',
    ],
    [
      'a cipher suite out of range',
      ['cipher_suite: 18'],
      {},
      'inventory.yaml:4: node "node01": field "bmc.cipher_suite": expected an IPMI ' +
        'cipher suite 0-17, got "18"',
    ],
    [
      'a misspelt key holding the password',
      ['pasword: hunter2'],
      {},
      'inventory.yaml:4: node "node01": field "bmc.pasword": unknown BMC setting ' +
        '(expected host, port, username, password, password_env, password_file, ' +
        'cipher_suite)',
    ],
    [
      'a password given as a list',
      ['password: [hunter2]'],
      {},
      'inventory.yaml:4: node "node01": field "bmc.password": expected a password ' +
        'string, got a list',
    ],
    [
      'an empty password',
      ['password: ""'],
      {},
      'inventory.yaml:4: node "node01": field "bmc.password": expected a password ' +
        'string, got an empty string',
    ],
    [
      'a host with spaces',
      ['host: "bmc 01"'],
      {},
      'inventory.yaml:4: node "node01": field "bmc.host": a host name cannot contain spaces',
    ],
  ])('%s', (_label, bmcRows, env, message) => {
    const err = inventoryError(ipmiNode(...bmcRows), env);
    expect(err.message).toBe(message);
    expect(err.message).not.toContain('hunter2');
  });

  it('a bmc value that is not a map, without echoing it', () => {
    const err = inventoryError(lines('node01:', '  platform: ipmi', '  bmc: hunter2'));
    expect(err.message).toBe(
      'inventory.yaml:3: node "node01": field "bmc": expected a map of BMC settings, got a string',
    );
  });

  it('an empty password file', () => {
    const tmp = tempDir();
    try {
      writeFileSync(join(tmp.dir, 'empty.pass'), '\n');
      writeFileSync(join(tmp.dir, 'inventory.yaml'), ipmiNode('password_file: empty.pass'));
      expect(() => loadInventory(join(tmp.dir, 'inventory.yaml'), {})).toThrow(
        `inventory.yaml:4: node "node01": field "bmc.password_file": password file ` +
          `"${join(tmp.dir, 'empty.pass')}" is empty`,
      );
    } finally {
      tmp.cleanup();
    }
  });

  it.each<[string, string[], string]>([
    [
      'on a node without a platform',
      ['node01:', '  bmc: { host: 10.0.0.1 }'],
      'inventory.yaml:2: node "node01": field "bmc": bmc settings are only used by ' +
        'native IPMI nodes (platform: ipmi)',
    ],
    [
      'on a node of the shell platform called ipmi',
      [
        'static_nodes:',
        '  node01:',
        '    platform: ipmi',
        '    bmc_ip: 10.0.0.1',
        '    bmc: { host: 10.0.0.1 }',
        'platforms:',
        '  ipmi: { variables: [bmc_ip] }',
      ],
      'inventory.yaml:5: node "node01": field "bmc": bmc settings are only used by ' +
        'native IPMI nodes: this file defines platforms.ipmi, so the node uses that shell ' +
        'platform',
    ],
  ])('bmc settings %s', (_label, rows, message) => {
    expect(inventoryError(lines(...rows)).message).toBe(message);
  });
});
