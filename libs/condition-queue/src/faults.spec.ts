import { setTimeout as sleep } from 'node:timers/promises';
import type { Condition, Fault } from '@switchboard/condition-types';
import pino from 'pino';
import { ConditionHandler, HandlerRegistry } from './handler';
import { startTestNats, TestNats } from './test-support/nats';
import { startWorker, Worker } from './worker';

// rivets' fault injection (metal-toolbox/rivets condition/types.go, Fault), applied by the queue
// the way metal-toolbox/ctrl recovers a handler's panic (controller_nats.go): against a real
// nats-server, each fault kind fails (or delays) its condition, and the same replica then
// handles the next condition normally: the controller recovers.

const logger = pino({ level: 'silent' });
let nats: TestNats;
let worker: Worker | undefined;
let servers = 0;
const handled: string[] = [];

const power: ConditionHandler<'serverControl'> = {
  kind: 'serverControl',
  async handle(task) {
    handled.push(task.condition.id);
    return { state: 'succeeded', result: { power_state: 'on' }, record: 'power read' };
  },
};

beforeAll(async () => {
  nats = await startTestNats('faults');
});
afterEach(async () => {
  await worker?.stop(0);
  worker = undefined;
});
afterAll(async () => {
  await nats?.stop();
});

async function start(faults: boolean): Promise<void> {
  worker = await startWorker({
    nc: nats.nc,
    buckets: nats.buckets,
    id: `faults-${faults}-${servers}`,
    handlers: new HandlerRegistry().register(power),
    fanout: 2,
    heartbeatIntervalMs: 500,
    heartbeatExpiryMs: 3000,
    workingIntervalMs: 1000,
    heldRetryDelayMs: 200,
    pullExpiresMs: 1000,
    signing: nats.signing,
    faults,
    logger,
  });
}

function create(fault?: Fault): Promise<Condition> {
  servers++;
  return nats.store.create({
    kind: 'serverControl',
    server: `fault-${servers}`,
    parameters: { action: 'get_power_state' },
    requestedBy: 'test',
    fault,
  });
}

async function finalOf(id: string): Promise<Condition> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const c = await nats.store.get(id);
    if (c && (c.state === 'succeeded' || c.state === 'failed')) return c;
    if (Date.now() > deadline) throw new Error(`condition ${id} did not end`);
    await sleep(50);
  }
}

describe('fault injection, enabled on the replica', () => {
  it.each<[string, Fault, Partial<Condition>, boolean]>([
    [
      'panic: the run fails as a handler crash does',
      { panic: true },
      { state: 'failed', error: expect.stringContaining('fault injected: panic') },
      false,
    ],
    [
      'failAt init: fails before the handler runs',
      { panic: false, failAt: 'init' },
      { state: 'failed', error: 'fault injected: failed at init' },
      false,
    ],
    [
      'failAt complete: the handler ran, the condition fails after it',
      { panic: false, failAt: 'complete' },
      { state: 'failed', error: expect.stringContaining('failed at complete') },
      true,
    ],
  ])('%s; the next condition then succeeds on the same replica', async (_n, fault, end, ran) => {
    await start(true);
    const faulty = await create(fault);
    expect(await finalOf(faulty.id)).toMatchObject(end);
    expect(handled.includes(faulty.id)).toBe(ran);
    const next = await create();
    expect(await finalOf(next.id)).toMatchObject({ state: 'succeeded' });
    expect(handled).toContain(next.id);
  });

  it('delayDuration: waits that long before running, recorded, then succeeds', async () => {
    await start(true);
    const t0 = Date.now();
    const delayed = await create({ panic: false, delayDuration: '1500ms' });
    const end = await finalOf(delayed.id);
    expect(end.state).toBe('succeeded');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    expect(end.status.records.map((r) => r.msg)).toContain('fault: waiting 1500ms before running');
  });
});

describe('fault injection, off on the replica (the default)', () => {
  it('ignores the fault, says so in the records, and runs the condition', async () => {
    await start(false);
    const faulty = await create({ panic: true, failAt: 'init' });
    const end = await finalOf(faulty.id);
    expect(end.state).toBe('succeeded');
    expect(end.status.records.map((r) => r.msg)).toContain(
      'fault ignored: fault injection is off on this controller',
    );
  });
});
