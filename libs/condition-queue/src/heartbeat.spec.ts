import { controllerKey } from '@switchboard/condition-types';
import { isAlive } from './heartbeat';
import { startTestNats, TestNats } from './test-support/nats';

const ID = '3f9d3c8e-6a43-4a43-9f41-1d2f0b8a9c10';

describe('isAlive: whether a replica still holds a condition', () => {
  let nats: TestNats;
  beforeAll(async () => (nats = await startTestNats('heartbeat')));
  afterAll(async () => nats?.stop());

  const beat = (ts: string, inFlight: string[]) =>
    nats.buckets.controllers.put(
      controllerKey('c1'),
      JSON.stringify({ id: 'c1', host: 'h', pid: 1, startedAt: ts, ts, inFlight }),
    );

  it.each<[string, string, string[], boolean]>([
    ['its heartbeat lists the condition', '2026-11-29T10:00:10.000Z', [ID], true],
    ['its heartbeat predates its last write', '2026-11-29T10:00:04.000Z', [], true],
    ['a later heartbeat no longer lists it (it let it go)', '2026-11-29T10:00:10.000Z', [], false],
  ])('%s: %s', async (_name, ts, inFlight, expected) => {
    await beat(ts, inFlight);
    const lastWrite = Date.parse('2026-11-29T10:00:05.000Z');
    expect(await isAlive(nats.buckets.controllers, 'c1', 60_000, ID, lastWrite)).toBe(expected);
    // Asked about liveness alone, it is alive either way.
    expect(await isAlive(nats.buckets.controllers, 'c1', 60_000)).toBe(true);
  });

  it('a replica without a heartbeat holds nothing', async () => {
    expect(await isAlive(nats.buckets.controllers, 'gone', 60_000, ID, 0)).toBe(false);
  });
});
