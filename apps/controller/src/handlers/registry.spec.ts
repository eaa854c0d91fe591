import type { JetStreamClient } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { ConditionHandler, HandlerRegistry } from '@switchboard/condition-queue';
import type { Buckets } from '@switchboard/nats';
import pino from 'pino';
import type { ControllerServices } from '../services';
import { conditionHandlers } from './registry';

// Building the handlers touches none of the services (they are used per condition), so the
// NATS handles and functions here are never called: the queue's own specs run handlers on
// nats-server, and the integration suites run these.
function notCalled(): never {
  throw new Error('not called while building the handlers');
}

const services: ControllerServices = {
  controllerId: 'c1',
  inventory: notCalled,
  createDriver: notCalled,
  js: {} as JetStreamClient,
  buckets: { bmcLeases: {} as KV } as Buckets,
  settings: {
    operationTimeoutMs: 1000,
    operationAttempts: 1,
    retryBaseDelayMs: 10,
    verifyTimeoutMs: 1000,
    verifyIntervalMs: 10,
    bmcResetSettleMs: 0,
    commandSecrets: [],
  },
  env: {},
  logger: pino({ level: 'silent' }),
};

describe('the controller registry', () => {
  it('handles serverControl, action and estate; only actions are cancelled while running', () => {
    const registry = conditionHandlers(services);
    expect(registry.kinds).toEqual(['serverControl', 'action', 'estate']);
    expect(registry.cancellableKinds).toEqual(['action']);
  });

  it('takes a new kind as one handler and one line, and refuses a kind twice', () => {
    const estateLike: ConditionHandler<'action'> = {
      kind: 'action',
      handle: async () => ({ state: 'failed', error: 'not implemented' }),
    };
    expect(new HandlerRegistry().register(estateLike).get('action')).toBe(estateLike);
    expect(() => conditionHandlers(services).register(estateLike)).toThrow(/already registered/);
  });
});
