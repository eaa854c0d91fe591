import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { readNatsAuth } from './client-auth';
import { SecuredNats, startSecuredNats } from './secured-server';

jest.setTimeout(60_000);

/** TLS to NATS as a setting: the server's certificate and key, the clients' CA file. */
describe('an embedded nats-server with TLS and credentials', () => {
  let dir: string;
  let server: SecuredNats;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-nats-tls-'));
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
        ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
        ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
      ],
      { stdio: 'ignore' },
    );
    server = await startSecuredNats({
      dataDir: join(dir, 'js'),
      tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') },
    });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a client that checks the certificate (NATS_CA_FILE), with its password', async () => {
    const auth = readNatsAuth({
      ...server.credentials.clientEnv('controller'),
      NATS_CA_FILE: join(dir, 'cert.pem'),
    });
    const nc = await connect({ servers: server.url, reconnect: false, ...auth });
    expect(nc.info?.tls_required).toBe(true);
    await nc.close();
  });

  it.each<[string, NodeJS.ProcessEnv, RegExp]>([
    ['that cannot verify the certificate', {}, /certificate|self.signed/i],
    ['with the CA but no credentials', { NATS_CA_FILE: 'cert.pem' }, /Authorization Violation/],
  ])('refuses a client %s', async (_what, env, error) => {
    const resolved = env.NATS_CA_FILE ? { NATS_CA_FILE: join(dir, env.NATS_CA_FILE) } : {};
    const auth = readNatsAuth(resolved);
    await expect(
      connect({ servers: server.url, reconnect: false, tls: auth.tls ?? {} }),
    ).rejects.toThrow(error);
  });
});
