import { ConfigError, optionsFromEnv } from './config';

describe('controller configuration from the environment', () => {
  it('reads the required and optional variables', () => {
    const opts = optionsFromEnv({ NATS_URL: 'nats://127.0.0.1:4222', INVENTORY_FILE: '/etc/switchboard/topology.yaml', FANOUT: '8', VERIFY_TIMEOUT_MS: '20000', CONTROLLER_ID: 'ctl-a' });
    expect(opts).toMatchObject({ natsUrl: 'nats://127.0.0.1:4222', inventoryFile: '/etc/switchboard/topology.yaml', fanout: 8, verifyTimeoutMs: 20000, id: 'ctl-a' });
  });

  it('names every problem at once', () => {
    let err: ConfigError | undefined;
    try {
      optionsFromEnv({ FANOUT: '0', OPERATION_TIMEOUT_MS: '1.5s' });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err?.problems).toEqual([
      'NATS_URL is required: the NATS server, e.g. nats://127.0.0.1:4222',
      'INVENTORY_FILE is required: the inventory, topology.yaml or nodes.yaml',
      'FANOUT must be a whole number >= 1, got "0"',
      'OPERATION_TIMEOUT_MS must be a whole number >= 100, got "1.5s"',
    ]);
  });
});
