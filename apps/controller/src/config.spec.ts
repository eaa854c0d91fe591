import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyId } from '@switchboard/condition-signing';
import { ConfigError, optionsFromEnv as readOptions } from './config';

let dir: string;
let keyFile: string;
const KEY = 'a-condition-signing-key-of-40-bytes-12345';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-controller-config-'));
  keyFile = join(dir, 'condition-signing-key');
  writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The options from `env` with the signing key every controller needs (unless `env` sets one). */
const optionsFromEnv = (env: NodeJS.ProcessEnv) =>
  readOptions({ CONDITION_SIGNING_KEY_FILE: keyFile, ...env });

describe('controller configuration from the environment', () => {
  it('reads the required and optional variables', () => {
    const opts = optionsFromEnv({
      NATS_URL: 'nats://127.0.0.1:4222',
      INVENTORY_FILE: '/etc/switchboard/topology.yaml',
      FANOUT: '8',
      VERIFY_TIMEOUT_MS: '20000',
      CONTROLLER_ID: 'ctl-a',
      HEALTH_PORT: '9464',
    });
    expect(opts).toMatchObject({
      natsUrl: 'nats://127.0.0.1:4222',
      inventoryFile: '/etc/switchboard/topology.yaml',
      fanout: 8,
      verifyTimeoutMs: 20000,
      id: 'ctl-a',
      healthPort: 9464,
    });
  });

  it('reads the commands directory and the variables nodes may name as command secrets', () => {
    const opts = optionsFromEnv({
      NATS_URL: 'nats://n:4222',
      INVENTORY_FILE: '/i.yaml',
      COMMANDS_DIR: ' /etc/switchboard/commands ',
      COMMAND_SECRETS: 'RACK1_BMC_PASSWORD, RACK2_BMC_PASSWORD,',
    });
    expect(opts).toMatchObject({
      commandsDir: '/etc/switchboard/commands',
      commandSecrets: ['RACK1_BMC_PASSWORD', 'RACK2_BMC_PASSWORD'],
    });
    expect(
      optionsFromEnv({ NATS_URL: 'nats://n:4222', INVENTORY_FILE: '/i.yaml' }),
    ).not.toHaveProperty('commandsDir');
  });

  it('reads the HOME to give ipmitool, which must be a directory', () => {
    const base = { NATS_URL: 'nats://n:4222', INVENTORY_FILE: '/i.yaml' };
    expect(optionsFromEnv({ ...base, IPMITOOL_HOME: ' /tmp ' })).toMatchObject({
      ipmitoolHome: '/tmp',
    });
    expect(optionsFromEnv(base)).not.toHaveProperty('ipmitoolHome');
    expect(() => optionsFromEnv({ ...base, IPMITOOL_HOME: '/no/such/home' })).toThrow(
      'IPMITOOL_HOME must be an existing directory, got "/no/such/home"',
    );
  });

  it('reads the heartbeat interval and expiry, which must leave room for one late beat', () => {
    const base = { NATS_URL: 'nats://n:4222', INVENTORY_FILE: '/i.yaml' };
    expect(
      optionsFromEnv({ ...base, HEARTBEAT_INTERVAL_MS: '1000', HEARTBEAT_EXPIRY_MS: '5000' }),
    ).toMatchObject({ heartbeatIntervalMs: 1000, heartbeatExpiryMs: 5000 });
    expect(() => optionsFromEnv({ ...base, HEARTBEAT_EXPIRY_MS: '3000' })).toThrow(
      'HEARTBEAT_EXPIRY_MS (3000) must be at least twice HEARTBEAT_INTERVAL_MS (2000)',
    );
  });

  it('names every problem at once', () => {
    let err: ConfigError | undefined;
    try {
      optionsFromEnv({
        FANOUT: '0',
        OPERATION_TIMEOUT_MS: '1.5s',
        COMMAND_SECRETS: 'OK_NAME,bad-name',
        NATS_REPLICAS: '0',
      });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err?.problems).toEqual([
      'NATS_URL is required: the NATS server, or cluster members separated by commas, ' +
        'e.g. nats://127.0.0.1:4222',
      'INVENTORY_FILE is required: the inventory, topology.yaml or nodes.yaml',
      'NATS_REPLICAS must be an integer from 1 to 5, got "0"',
      'COMMAND_SECRETS must list environment variable names, separated by commas; not ' +
        'names: "bad-name"',
      'FANOUT must be a whole number >= 1, got "0"',
      'OPERATION_TIMEOUT_MS must be a whole number >= 100, got "1.5s"',
    ]);
  });

  it('reads the condition signing keys and the clock skew allowed', () => {
    const previous = join(dir, 'previous-key');
    writeFileSync(previous, 'p'.repeat(32), { mode: 0o600 });
    const opts = optionsFromEnv({
      NATS_URL: 'nats://n:4222',
      INVENTORY_FILE: '/i.yaml',
      CONDITION_SIGNING_PREVIOUS_KEY_FILE: previous,
      CONDITION_CLOCK_SKEW_MS: '5000',
    });
    expect(opts.signing.current.kid).toBe(keyId(Buffer.from(KEY)));
    expect(opts.signing.previous?.kid).toBe(keyId(Buffer.from('p'.repeat(32))));
    expect(opts.clockSkewMs).toBe(5000);
  });

  it.each<[string, () => NodeJS.ProcessEnv, string | RegExp]>([
    [
      'no signing key',
      () => ({ CONDITION_SIGNING_KEY_FILE: '' }),
      /^CONDITION_SIGNING_KEY_FILE is required: a file \(mode 0600\) holding the key/,
    ],
    [
      'a key file others can read',
      () => {
        const open = join(dir, 'open-key');
        writeFileSync(open, KEY);
        chmodSync(open, 0o644);
        return { CONDITION_SIGNING_KEY_FILE: open };
      },
      /open-key is open to others \(mode 0644\).*chmod 600/,
    ],
    [
      'a clock skew under a second',
      () => ({ CONDITION_CLOCK_SKEW_MS: '10' }),
      'CONDITION_CLOCK_SKEW_MS must be a whole number >= 1000, got "10"',
    ],
  ])('refuses to start with %s', (_name, env, problem) => {
    let err: ConfigError | undefined;
    try {
      optionsFromEnv({ NATS_URL: 'nats://n:4222', INVENTORY_FILE: '/i.yaml', ...env() });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.problems).toEqual([expect.stringMatching(problem)]);
    expect(err?.message).not.toContain(KEY);
  });

  it('takes a comma-separated list of NATS servers, and refuses one that is not an address', () => {
    const list = 'nats://10.0.0.1:4222,nats://10.0.0.2:4222';
    expect(optionsFromEnv({ NATS_URL: list, INVENTORY_FILE: '/i.yaml' }).natsUrl).toBe(list);
    expect(() =>
      optionsFromEnv({ NATS_URL: 'nats://a:4222,http://b:80', INVENTORY_FILE: '/i.yaml' }),
    ).toThrow('NATS_URL: "http://b:80" has scheme http: (expected nats:// or tls://)');
  });
});
