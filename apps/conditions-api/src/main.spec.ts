import { readConfig } from './main';

describe('readConfig', () => {
  it('takes NATS_URL and INVENTORY_FILE, defaulting to 127.0.0.1:9001', () => {
    expect(readConfig({ NATS_URL: 'nats://127.0.0.1:4222', INVENTORY_FILE: '/etc/switchboard/topology.yaml' })).toEqual({
      natsUrl: 'nats://127.0.0.1:4222',
      inventoryFile: '/etc/switchboard/topology.yaml',
      port: 9001,
      host: '127.0.0.1',
    });
  });

  it('takes PORT and HOST', () => {
    expect(readConfig({ NATS_URL: 'n', INVENTORY_FILE: 'f', PORT: '8080', HOST: '0.0.0.0' })).toMatchObject({ port: 8080, host: '0.0.0.0' });
  });

  it.each([
    [{}, 'missing environment variables NATS_URL, INVENTORY_FILE'],
    [{ NATS_URL: 'n' }, 'missing environment variable INVENTORY_FILE'],
    [{ NATS_URL: 'n', INVENTORY_FILE: 'f', PORT: 'http' }, 'PORT must be a port number, got "http"'],
  ])('refuses %p', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });
});
