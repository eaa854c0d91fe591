import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { readNatsAuth } from './client-auth';
import { EmbeddedNats, startEmbeddedNats } from './embedded-server';

let dir: string;
let server: EmbeddedNats;
const PASSWORD = 'nats-test-password-0123456789';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-nats-auth-'));
  const config = join(dir, 'nats.conf');
  writeFileSync(config, `authorization { users: [ { user: "api", password: "${PASSWORD}" } ] }\n`, {
    mode: 0o600,
  });
  writeFileSync(join(dir, 'password'), `${PASSWORD}\n`, { mode: 0o600 });
  chmodSync(join(dir, 'password'), 0o600);
  server = await startEmbeddedNats({ dataDir: join(dir, 'data'), configFile: config });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('readNatsAuth', () => {
  it('reads nothing when nothing is set: an anonymous, plain connection', () => {
    expect(readNatsAuth({})).toEqual({});
  });

  it('reads the user and the password file (its trailing line feed dropped)', () => {
    expect(readNatsAuth({ NATS_USER: 'api', NATS_PASSWORD_FILE: join(dir, 'password') })).toEqual({
      user: 'api',
      pass: PASSWORD,
      // Replies to the user's own inbox prefix, which the generated permissions allow it alone.
      inboxPrefix: '_INBOX_api',
    });
  });

  it('takes another inbox prefix from NATS_INBOX_PREFIX (`_INBOX` for a server of old)', () => {
    const env = { NATS_USER: 'api', NATS_PASSWORD: 'x', NATS_INBOX_PREFIX: '_INBOX' };
    expect(readNatsAuth(env).inboxPrefix).toBe('_INBOX');
  });

  it.each<[string, NodeJS.ProcessEnv, string]>([
    [
      'both password forms',
      { NATS_USER: 'api', NATS_PASSWORD: 'x', NATS_PASSWORD_FILE: '/x' },
      'both NATS_PASSWORD and NATS_PASSWORD_FILE are set; set only one',
    ],
    [
      'a password without a user',
      { NATS_PASSWORD: 'x' },
      'a NATS password is set without NATS_USER',
    ],
    [
      'a user without a password',
      { NATS_USER: 'api' },
      'NATS_USER is set without NATS_PASSWORD_FILE or NATS_PASSWORD',
    ],
    [
      'a password file that is not there',
      { NATS_USER: 'api', NATS_PASSWORD_FILE: '/nonexistent/pw' },
      'NATS_PASSWORD_FILE /nonexistent/pw: cannot read it: ENOENT',
    ],
    [
      'an inbox prefix that is not one subject token',
      { NATS_INBOX_PREFIX: '_INBOX.>' },
      'NATS_INBOX_PREFIX "_INBOX.>": expected one subject token [A-Za-z0-9_-]',
    ],
    [
      'a client certificate without its key',
      { NATS_CERT_FILE: '/x.pem' },
      'a NATS client certificate needs both NATS_CERT_FILE and NATS_KEY_FILE; only ' +
        'NATS_CERT_FILE is set',
    ],
  ])('refuses %s, naming the variables', (_name, env, message) => {
    expect(() => readNatsAuth(env)).toThrow(message);
  });
});

describe('a NATS server that requires credentials', () => {
  it('refuses an anonymous client', async () => {
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow(
      /Authorization Violation/i,
    );
  });

  it('refuses a wrong password', async () => {
    await expect(
      connect({ servers: server.url, reconnect: false, user: 'api', pass: 'guess' }),
    ).rejects.toThrow(/Authorization Violation/i);
  });

  it('accepts the credentials read from the environment', async () => {
    const auth = readNatsAuth({ NATS_USER: 'api', NATS_PASSWORD_FILE: join(dir, 'password') });
    const nc = await connect({ servers: server.url, reconnect: false, ...auth });
    await nc.flush();
    await nc.close();
  });
});
