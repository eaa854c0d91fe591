import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyId } from '@switchboard/condition-signing';
import { readConfig } from './config';
import { JWT_SECRET } from './testing/harness';

const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
const SIGNING_KEY = 'condition-signing-key-for-the-config-tests';
const keyFile = join(dir, 'condition-signing-key');

const base = {
  NATS_URL: 'nats://127.0.0.1:4222',
  INVENTORY_FILE: '/etc/switchboard/topology.yaml',
  JWT_SECRET,
  CONDITION_SIGNING_KEY_FILE: keyFile,
};

beforeAll(() => {
  writeFileSync(join(dir, 'cert.pem'), 'CERT');
  writeFileSync(join(dir, 'key.pem'), 'KEY');
  writeFileSync(keyFile, SIGNING_KEY, { mode: 0o600 });
  writeFileSync(join(dir, 'open-key'), SIGNING_KEY);
  chmodSync(join(dir, 'open-key'), 0o644);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readConfig', () => {
  it(
    'takes NATS_URL, INVENTORY_FILE and the JWT secret, defaulting to 127.0.0.1:9001, HTTP ' +
      'and 600 creations a minute',
    () => {
      expect(readConfig(base)).toEqual({
        natsUrl: 'nats://127.0.0.1:4222',
        natsAuth: {},
        inventoryFile: '/etc/switchboard/topology.yaml',
        port: 9001,
        host: '127.0.0.1',
        jwtSecret: JWT_SECRET,
        signing: { current: expect.objectContaining({ kid: keyId(Buffer.from(SIGNING_KEY)) }) },
        rateLimitPerMinute: 600,
        faultInjection: false,
      });
    },
  );

  it('takes the NATS credentials from NATS_USER and NATS_PASSWORD_FILE', () => {
    writeFileSync(join(dir, 'nats-password'), 'pw-0123\n', { mode: 0o600 });
    expect(
      readConfig({
        ...base,
        NATS_USER: 'api',
        NATS_PASSWORD_FILE: join(dir, 'nats-password'),
      }).natsAuth,
    ).toEqual({ user: 'api', pass: 'pw-0123', inboxPrefix: '_INBOX_api' });
  });

  it('takes PORT, HOST, TLS_CERT_FILE with TLS_KEY_FILE, and RATE_LIMIT_PER_MINUTE', () => {
    const config = readConfig({
      ...base,
      PORT: '8443',
      HOST: '0.0.0.0',
      TLS_CERT_FILE: join(dir, 'cert.pem'),
      TLS_KEY_FILE: join(dir, 'key.pem'),
      RATE_LIMIT_PER_MINUTE: '30',
    });
    expect(config).toMatchObject({ port: 8443, host: '0.0.0.0', rateLimitPerMinute: 30 });
    expect(config.tls).toEqual({ cert: Buffer.from('CERT'), key: Buffer.from('KEY') });
  });

  it('takes COMMANDS_DIR when it is set, and leaves it out when it is empty', () => {
    expect(readConfig({ ...base, COMMANDS_DIR: '/etc/switchboard/commands' }).commandsDir).toBe(
      '/etc/switchboard/commands',
    );
    expect(readConfig({ ...base, COMMANDS_DIR: '' })).not.toHaveProperty('commandsDir');
  });

  it.each<[string, NodeJS.ProcessEnv, string | RegExp]>([
    ['nothing', {}, 'missing environment variables NATS_URL, INVENTORY_FILE'],
    ['no inventory', { NATS_URL: 'n' }, 'missing environment variable INVENTORY_FILE'],
    [
      'a PORT that is not a number',
      { ...base, PORT: 'http' },
      'PORT must be a port number, got "http"',
    ],
    ['no JWT secret', { NATS_URL: 'n', INVENTORY_FILE: 'f' }, /^no JWT secret/],
    [
      'no condition signing key',
      { ...base, CONDITION_SIGNING_KEY_FILE: undefined },
      /^CONDITION_SIGNING_KEY_FILE is required: a file \(mode 0600\) holding the key/,
    ],
    [
      'a condition signing key others can read',
      { ...base, CONDITION_SIGNING_KEY_FILE: join(dir, 'open-key') },
      /CONDITION_SIGNING_KEY_FILE .*open-key is open to others \(mode 0644\)/,
    ],
    ['a NATS_URL list with a bad member', { ...base, NATS_URL: 'n1:4222,ftp://x' }, /"ftp:\/\/x"/],
    ['NATS_REPLICAS that is no count', { ...base, NATS_REPLICAS: '3x' }, 'got "3x"'],
    [
      'a certificate without its key',
      { ...base, TLS_CERT_FILE: 'cert.pem' },
      'TLS needs both TLS_CERT_FILE and TLS_KEY_FILE; only TLS_CERT_FILE is set',
    ],
    [
      'a key without its certificate',
      { ...base, TLS_KEY_FILE: 'key.pem' },
      'only TLS_KEY_FILE is set',
    ],
    [
      'a certificate that cannot be read',
      { ...base, TLS_CERT_FILE: '/nonexistent/cert.pem', TLS_KEY_FILE: '/nonexistent/key.pem' },
      'cannot read TLS_CERT_FILE /nonexistent/cert.pem: ENOENT',
    ],
    [
      'a rate limit of 0',
      { ...base, RATE_LIMIT_PER_MINUTE: '0' },
      'RATE_LIMIT_PER_MINUTE must be a whole number above 0, got "0"',
    ],
    ['a rate limit that is not a number', { ...base, RATE_LIMIT_PER_MINUTE: 'lots' }, 'got "lots"'],
  ])('refuses %s, naming the variable', (_name, env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });
});
