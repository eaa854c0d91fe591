import { embeddedNatsTls, withoutNatsCredentials } from './nats-security';

describe('the NATS settings the stack takes and hands on', () => {
  it('takes no NATS credential or server setting of its own environment into a child', () => {
    const env = {
      PATH: '/usr/bin',
      NATS_USER: 'admin',
      NATS_PASSWORD: 'operator-password',
      NATS_PASSWORD_FILE: '/etc/nats/admin.password',
      NATS_INBOX_PREFIX: '_INBOX',
      NATS_TLS_CERT_FILE: '/etc/nats/server.pem',
      NATS_TLS_KEY_FILE: '/etc/nats/server-key.pem',
      NATS_CA_FILE: '/etc/nats/ca.pem',
    };
    // The CA stays: a client checks the embedded server's certificate with it.
    expect(withoutNatsCredentials(env)).toEqual({
      PATH: '/usr/bin',
      NATS_CA_FILE: '/etc/nats/ca.pem',
    });
  });

  it.each<[string, NodeJS.ProcessEnv, ReturnType<typeof embeddedNatsTls> | string]>([
    ['nothing: no TLS', {}, undefined],
    [
      'a certificate and its key: TLS',
      { NATS_TLS_CERT_FILE: '/c.pem', NATS_TLS_KEY_FILE: '/k.pem' },
      { certFile: '/c.pem', keyFile: '/k.pem' },
    ],
    [
      'a certificate without its key: refused, naming both',
      { NATS_TLS_CERT_FILE: '/c.pem' },
      'TLS for the embedded nats-server needs both NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE; ' +
        'only NATS_TLS_CERT_FILE is set',
    ],
  ])('reads TLS for the embedded server from %s', (_what, env, expected) => {
    if (typeof expected === 'string') expect(() => embeddedNatsTls(env)).toThrow(expected);
    else expect(embeddedNatsTls(env)).toEqual(expected);
  });
});
