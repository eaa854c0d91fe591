import type { ServerEntry } from '@switchboard/inventory';
import { NATIVE_BMC_PASSWORD_VARIABLE, scriptInputs } from './script-inputs';

function nativeNode(password?: string, attributes: Record<string, string> = {}): ServerEntry {
  const bmc = { host: '10.0.7.7', port: 6230, username: 'admin', cipherSuite: 17 };
  // As the inventory stores it: the password is there but not enumerable.
  if (password !== undefined)
    Object.defineProperty(bmc, 'password', { value: password, enumerable: false });
  return {
    name: 'node07',
    driver: 'ipmi',
    platform: 'ipmi',
    ranks: ['default'],
    groups: [],
    attributes: { platform: 'ipmi', ...attributes },
    bmc,
    line: 1,
  };
}

const config = {
  allowed: ['RACK1_BMC_PASSWORD'],
  env: { RACK1_BMC_PASSWORD: 'rack1-pw', JWT_SECRET: 'jwt' },
};

describe('what a command script learns about a server', () => {
  it(
    'a native IPMI node: its BMC settings as attributes, its password through a variable ' +
      'of this run only',
    () => {
      const { node, secrets } = scriptInputs(nativeNode('S3cret!'), config);

      expect(node).toEqual({
        name: 'node07',
        attributes: {
          platform: 'ipmi',
          bmc_host: '10.0.7.7',
          bmc_port: '6230',
          bmc_username: 'admin',
          bmc_cipher_suite: '17',
          bmc_password_env: NATIVE_BMC_PASSWORD_VARIABLE,
        },
      });
      expect(secrets.allowed).toEqual(['RACK1_BMC_PASSWORD', NATIVE_BMC_PASSWORD_VARIABLE]);
      expect(secrets.env).toEqual({
        RACK1_BMC_PASSWORD: 'rack1-pw',
        [NATIVE_BMC_PASSWORD_VARIABLE]: 'S3cret!',
      });
      expect(JSON.stringify(node)).not.toContain('S3cret!');
    },
  );

  it('keeps what the node sets itself, including the password variable it names', () => {
    const { node, secrets } = scriptInputs(
      nativeNode('S3cret!', { bmc_host: 'bmc07.lab', bmc_password_env: 'RACK1_BMC_PASSWORD' }),
      config,
    );

    expect(node.attributes).toMatchObject({
      bmc_host: 'bmc07.lab',
      bmc_port: '6230',
      bmc_password_env: 'RACK1_BMC_PASSWORD',
    });
    expect(secrets).toEqual({
      allowed: ['RACK1_BMC_PASSWORD'],
      env: { RACK1_BMC_PASSWORD: 'rack1-pw' },
    });
  });

  it('a native node without a password gets no password variable', () => {
    expect(scriptInputs(nativeNode(), config).node.attributes).not.toHaveProperty(
      'bmc_password_env',
    );
  });

  it(
    'any other node: its attributes as they are, and only the allowed variables to choose ' +
      'from',
    () => {
      const server: ServerEntry = {
        name: 'vm01',
        driver: 'shell',
        platform: 'aws',
        ranks: ['aws', 'default'],
        groups: [],
        attributes: { ec2_id: 'i-1' },
        line: 3,
      };

      expect(scriptInputs(server, config)).toEqual({
        node: { name: 'vm01', attributes: { ec2_id: 'i-1' } },
        secrets: { allowed: ['RACK1_BMC_PASSWORD'], env: { RACK1_BMC_PASSWORD: 'rack1-pw' } },
      });
    },
  );
});
