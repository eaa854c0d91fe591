import { setTimeout as sleep } from 'node:timers/promises';
import { hasHeartbeat, records, waitForFinal, waitForRecord } from '../test-support/harness';
import { queuePower } from '../test-support/power';
import { useScene } from '../test-support/scene';

const DRAIN_TIMEOUT_MS = 3000;

/**
 * SIGTERM: stop pulling, let in-flight work finish within DRAIN_TIMEOUT_MS, hand back what is
 * still running (nak, heartbeat deleted) so another replica takes it over at once, exit 0.
 */
describe('SIGTERM drains the controller', () => {
  const scene = useScene({
    name: 'drain',
    build: true,
    bmcs: [
      { name: 'quick', behaviour: 'slow', powerDelayMs: 1000 },
      { name: 'long', behaviour: 'slow', powerDelayMs: 8000 },
    ],
  });

  it(
    'finishes what fits in the grace period, hands back the rest, exits 0, and the rest is ' +
      'taken over at once',
    async () => {
      const { nats, fleet } = scene;
      const a = await scene.startControllerProcess({
        CONTROLLER_ID: 'ctl-a',
        DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS),
      });
      const quick = await queuePower(nats.store, 'quick', 'on');
      const long = await queuePower(nats.store, 'long', 'on');
      await Promise.all([
        waitForRecord(nats.store, quick.id, 'verifying: on', 10_000),
        waitForRecord(nats.store, long.id, 'verifying: on', 10_000),
      ]);

      const signalledAt = Date.now();
      a.kill('SIGTERM');
      const exit = await a.exited;
      const exitedAfter = Date.now() - signalledAt;
      expect(exit).toEqual({ code: 0, signal: null });
      // The grace period, plus at most one open pull request expiring (5 s) and the hand-back.
      expect(exitedAfter).toBeLessThan(DRAIN_TIMEOUT_MS + 8000);

      const quickDone = await nats.store.get(quick.id);
      expect(quickDone).toMatchObject({
        state: 'succeeded',
        controller: 'ctl-a',
        result: { power_state: 'on' },
      });
      const handedBack = await nats.store.get(long.id);
      expect(handedBack?.state).toBe('active');
      expect(records(handedBack!)).toContain('handed back by controller ctl-a: shutting down');
      expect(await hasHeartbeat(nats, 'ctl-a')).toBe(false);

      // Another replica gets it at once (no 30 s ack wait) and, the heartbeat being gone, takes it
      // over.
      const startedB = Date.now();
      const b = await scene.startController({ id: 'ctl-b', verifyTimeoutMs: 20_000 });
      await waitForRecord(
        nats.store,
        long.id,
        'taken over by controller ctl-b: controller ctl-a has no heartbeat',
        5000,
      );
      expect(Date.now() - startedB).toBeLessThan(5000);
      const longDone = await waitForFinal(nats.store, long.id, 25_000);
      expect(longDone).toMatchObject({
        state: 'succeeded',
        controller: 'ctl-b',
        result: { power_state: 'on' },
      });
      expect(fleet.get('long').power()).toBe('on');
      await b.controller.close();
    },
  );

  it('hands everything back at once on a second signal, not waiting out the grace', async () => {
    const { nats } = scene;
    const c = await scene.startControllerProcess({
      CONTROLLER_ID: 'ctl-c',
      DRAIN_TIMEOUT_MS: '60000',
    });
    const long = await queuePower(nats.store, 'long', 'off');
    await waitForRecord(nats.store, long.id, 'verifying: off', 10_000);
    const signalledAt = Date.now();
    c.kill('SIGTERM');
    await sleep(300); // the first signal is being handled: the drain has begun
    c.kill('SIGINT');
    expect(await c.exited).toEqual({ code: 0, signal: null });
    // Far inside the 60 s grace: the hand-back, and at most one open pull request expiring.
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
    // Not finished (the BMC takes 8 s): handed back.
    const handedBack = await nats.store.get(long.id);
    expect(handedBack?.state).toBe('active');
    expect(records(handedBack!)).toContain('handed back by controller ctl-c: shutting down');
  });
});
