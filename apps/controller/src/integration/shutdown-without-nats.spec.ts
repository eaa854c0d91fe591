import { readFileSync } from 'node:fs';
import { records, waitFor, waitForFinal, waitForRecord } from '../test-support/harness';
import { queuePower } from '../test-support/power';
import { useScene } from '../test-support/scene';

const DRAIN_TIMEOUT_MS = 2000;
/**
 * The drain, then without NATS a few seconds for the work to stop its tools and for the
 * connection's close (the worker's and the controller's bounds), with room for a loaded machine.
 */
const SHUTDOWN_BOUND_MS = DRAIN_TIMEOUT_MS + 10_000;

const logEvents = (file: string): { event?: string; msg?: string; level?: number }[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { event?: string });

/**
 * SIGTERM while NATS is gone for good: the controller cannot hand its work back, but it must not
 * hang. It stops within a bounded time, says so in one line, and leaves its conditions held by a
 * heartbeat that will expire, so another controller takes them over once NATS is back.
 */
describe('SIGTERM while NATS is gone', () => {
  const scene = useScene({
    name: 'shutdown-no-nats',
    build: true,
    bmcs: [{ name: 'slow', behaviour: 'slow', powerDelayMs: 6000 }],
  });

  it(
    'exits within a bounded time with a clear log line, and the work it held is taken over ' +
      'once NATS is back',
    async () => {
      const { nats, fleet } = scene;
      const a = await scene.startControllerProcess({
        CONTROLLER_ID: 'ctl-gone',
        DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS),
      });
      const condition = await queuePower(nats.store, 'slow', 'on');
      await waitForRecord(nats.store, condition.id, 'verifying: on', 20_000);

      await nats.kill();
      await waitFor(
        'the controller to notice NATS is gone',
        () =>
          logEvents(a.logFile).some((e) => e.event === 'nats.disconnected') ? true : undefined,
        15_000,
      );

      const signalledAt = Date.now();
      a.kill('SIGTERM');
      const exit = await a.exited;
      const tookMs = Date.now() - signalledAt;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(tookMs).toBeLessThan(SHUTDOWN_BOUND_MS);

      const events = logEvents(a.logFile);
      const stopped = events.find((e) => e.event === 'controller.stopped');
      expect(stopped).toMatchObject({
        natsReachable: false,
        leftHeld: [condition.id],
        msg: expect.stringMatching(/NATS unreachable.*taken over.*once NATS is back/),
      });

      // NATS comes back (same storage): another replica takes the condition over once the
      // gone controller's heartbeat is older than the expiry, and finishes it.
      await nats.restart();
      await scene.startController({ id: 'ctl-next', verifyTimeoutMs: 20_000 });
      const done = await waitForFinal(nats.store, condition.id, 60_000);
      expect(done).toMatchObject({
        state: 'succeeded',
        controller: 'ctl-next',
        result: { power_state: 'on' },
      });
      expect(records(done).some((r) => r.startsWith('taken over by controller ctl-next'))).toBe(
        true,
      );
      expect(fleet.get('slow').power()).toBe('on');
    },
    120_000,
  );

  it('exits within seconds when it holds nothing and NATS is gone', async () => {
    const { nats } = scene;
    const idle = await scene.startControllerProcess({ CONTROLLER_ID: 'ctl-idle' });
    await nats.kill();
    try {
      await waitFor(
        'the idle controller to notice NATS is gone',
        () =>
          logEvents(idle.logFile).some((e) => e.event === 'nats.disconnected') ? true : undefined,
        15_000,
      );
      const signalledAt = Date.now();
      idle.kill('SIGTERM');
      expect(await idle.exited).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalledAt).toBeLessThan(SHUTDOWN_BOUND_MS);
      expect(logEvents(idle.logFile).find((e) => e.event === 'controller.stopped')).toMatchObject({
        natsReachable: false,
        leftHeld: [],
      });
    } finally {
      await nats.restart();
    }
  }, 60_000);
});
