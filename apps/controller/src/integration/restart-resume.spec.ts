import { records, waitForFinal, waitForRecord } from '../test-support/harness';
import type { ControllerProcess } from '../test-support/harness';
import { queuePower } from '../test-support/power';
import { useScene } from '../test-support/scene';

/**
 * Controller processes (dist/main.js, default heartbeat settings: 2 s interval, 10 s expiry;
 * the consumer's 15 s ack wait) killed with SIGKILL mid-verification. Restarted with the same
 * CONTROLLER_ID, a controller takes its conditions back at once (it naks the deliveries its
 * earlier life left in its heartbeat); a controller that does not come back is taken over by
 * another replica once its deliveries come back and its heartbeat has expired.
 */
describe('a controller killed mid-action', () => {
  const scene = useScene({
    name: 'resume',
    build: true,
    bmcs: [
      // Power changes show only after 8 s: the condition is in verification for that long.
      { name: 'slow-a', behaviour: 'slow', powerDelayMs: 8000 },
      { name: 'slow-b', behaviour: 'slow', powerDelayMs: 8000 },
    ],
  });

  /** Starts `id`, queues power on for `server`, kills the process once it verifies. */
  async function killMidVerification(id: string, server: string) {
    const proc = await scene.startControllerProcess({ CONTROLLER_ID: id });
    const condition = await queuePower(scene.nats.store, server, 'on');
    await waitForRecord(scene.nats.store, condition.id, 'verifying: on', 15_000);
    // Past one heartbeat, so the heartbeat records the condition's delivery.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    proc.kill('SIGKILL');
    const killedAt = Date.now();
    expect((await proc.exited).signal).toBe('SIGKILL');
    return { condition, killedAt };
  }

  async function secondsUntilRecord(id: string, record: string, since: number): Promise<number> {
    await waitForRecord(scene.nats.store, id, record, 60_000);
    return (Date.now() - since) / 1000;
  }

  it(
    'restarted with the same CONTROLLER_ID, ' + 'resumes its condition within a few seconds',
    async () => {
      const { condition, killedAt } = await killMidVerification('ctl-same', 'slow-a');
      let again: ControllerProcess | undefined;
      again = scene.spawnController({ CONTROLLER_ID: 'ctl-same' });
      const seconds = await secondsUntilRecord(
        condition.id,
        'resumed by controller ctl-same: it held the condition but was no longer running it',
        killedAt,
      );
      process.stdout.write(`resume after restart with the same id: ${seconds.toFixed(1)} s\n`);
      // Process start (node, NATS connect, provisioning) included; far below the 15 s ack wait.
      expect(seconds).toBeLessThan(8);
      const done = await waitForFinal(scene.nats.store, condition.id, 30_000);
      expect(done).toMatchObject({ state: 'succeeded', controller: 'ctl-same' });
      expect(scene.fleet.get('slow-a').power()).toBe('on');
      again.kill('SIGTERM');
      await again.exited;
      again = undefined;
    },
    90_000,
  );

  it('killed for good, is taken over by another replica well under 60 s', async () => {
    const { condition, killedAt } = await killMidVerification('ctl-dead', 'slow-b');
    scene.spawnController({ CONTROLLER_ID: 'ctl-other' });
    const seconds = await secondsUntilRecord(
      condition.id,
      'taken over by controller ctl-other: controller ctl-dead has no heartbeat',
      killedAt,
    );
    process.stdout.write(`takeover of a dead controller: ${seconds.toFixed(1)} s\n`);
    // Ack wait (15 s) after the last in-progress ack, the heartbeat expired (10 s) by then.
    expect(seconds).toBeLessThan(25);
    const done = await waitForFinal(scene.nats.store, condition.id, 30_000);
    expect(done).toMatchObject({ state: 'succeeded', controller: 'ctl-other' });
    expect(records(done!)).toContain('verifying: on');
  }, 90_000);
});
