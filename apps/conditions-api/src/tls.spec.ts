import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type ConnectionOptions } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerConditionsResponse } from '@switchboard/condition-types';
import { Harness, bearer, startHarness } from './testing/harness';

let dir: string;
let cert: Buffer;
let h: Harness;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-tls-'));
  const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-days',
      '1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'pipe' },
  );
  cert = readFileSync(certFile);
  h = await startHarness({ tls: { cert, key: readFileSync(keyFile) } });
});

afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * An HTTPS request trusting only the test's certificate: the server must present it, for 127.0.0.1.
 */
function https(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: h.port,
        method,
        path,
        ca: cert,
        headers: body ? { 'content-type': 'application/json', ...headers } : headers,
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('HTTPS', () => {
  it('serves the probes and the API over TLS, with a certificate valid for 127.0.0.1', async () => {
    expect(h.baseUrl).toBe(`https://127.0.0.1:${h.port}`);
    expect((await https('GET', '/healthz')).status).toBe(200);
    expect((await https('GET', '/api/v1/servers')).status).toBe(401);
    const res = await https(
      'POST',
      '/api/v1/servers/node01/condition/serverControl',
      bearer(h.token({ sub: 'tls-user' })),
      JSON.stringify({ parameters: { action: 'get_power_state' } }),
    );
    expect(res.status).toBe(200);
    expect(
      ServerConditionsResponse.parse(JSON.parse(res.body)).records.conditions[0].requestedBy,
    ).toBe('tls-user');
  });

  it('is refused by a client that does not trust the certificate', async () => {
    const untrusting = new Promise((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: h.port, path: '/healthz' }, resolve);
      req.on('error', reject);
      req.end();
    });
    await expect(untrusting).rejects.toThrow(/self-signed certificate/);
  });

  it('does not answer plain HTTP on its port', async () => {
    const plain = new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: h.port, path: '/healthz', headers: bearer(h.token()) },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.setTimeout(5000, () => req.destroy(new Error('timed out')));
      req.end();
    });
    await expect(plain).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  /** The protocol and cipher a handshake offering only `offer` agrees on, or its error. */
  function handshake(offer: ConnectionOptions): Promise<{ protocol: string; cipher: string }> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: h.port, ca: cert, ...offer }, () => {
        resolve({ protocol: socket.getProtocol() ?? '', cipher: socket.getCipher().name });
        socket.end();
      });
      socket.on('error', reject);
      socket.setTimeout(5000, () => socket.destroy(new Error('timed out')));
    });
  }

  it.each<[string, ConnectionOptions]>([
    ['static RSA with CBC', { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:AES256-SHA' }],
    [
      'static RSA with GCM (no forward secrecy)',
      { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' },
    ],
    [
      'ECDHE with CBC',
      { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA384' },
    ],
    ['DHE', { maxVersion: 'TLSv1.2', ciphers: 'DHE-RSA-AES128-GCM-SHA256' }],
    ['TLS 1.1', { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }],
  ])('refuses a client that offers only %s', async (_name, offer) => {
    await expect(handshake(offer)).rejects.toThrow(/handshake failure|protocol version|alert/);
  });

  it.each<[string, ConnectionOptions, string, RegExp]>([
    ['TLS 1.3', {}, 'TLSv1.3', /^TLS_/],
    ['TLS 1.2 with ECDHE and GCM', { maxVersion: 'TLSv1.2' }, 'TLSv1.2', /^ECDHE-RSA-AES\d+-GCM/],
  ])('agrees on %s', async (_name, offer, protocol, cipher) => {
    const agreed = await handshake(offer);
    expect(agreed.protocol).toBe(protocol);
    expect(agreed.cipher).toMatch(cipher);
  });
});
