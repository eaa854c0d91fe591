import { setTimeout as sleep } from 'node:timers/promises';
import { Condition, controllerKey, ControllerHeartbeat } from '@switchboard/condition-types';
import { createCondition, records, TestController, waitForFinal } from '../test-support/harness';
import { useScene } from '../test-support/scene';

/**
 * The redelivery rule on real BMCs: conditions left `active` by another replica, in the state
 * a crash leaves them (records up to `sending <command>`, with or without its acknowledgement).
 * The holder's heartbeat decides whether this replica may touch them.
 */
describe('taking conditions over from another replica', () => {
  const scene = useScene({
    name: 'takeover',
    bmcs: [
      { name: 'cyc-on', initialPower: 'on' },
      { name: 'cyc-acked', initialPower: 'on' },
      { name: 'pxe-off' },
      { name: 'bmc-up', initialPower: 'on' },
      { name: 'own', initialPower: 'on' },
    ],
  });
  let ctl: TestController | undefined;
  const staged: Record<string, Condition> = {};

  /** A condition as replica `holder` leaves it after writing `progress`. */
  async function stage(
    server: string,
    parameters: unknown,
    holder: string,
    progress: string[],
  ): Promise<Condition> {
    const created = await createCondition(scene.nats.store, server, parameters);
    await scene.nats.store.update(created.id, 'active', {
      record: `picked up by controller ${holder}`,
      controller: holder,
    });
    for (const record of progress) await scene.nats.store.update(created.id, 'active', { record });
    return created;
  }

  beforeAll(async () => {
    // The ghost replica is "alive": its heartbeat is in KV.
    const beat: ControllerHeartbeat = {
      id: 'ctl-ghost',
      host: 'elsewhere',
      pid: 1,
      startedAt: new Date().toISOString(),
      ts: new Date().toISOString(),
      inFlight: [],
    };
    await scene.nats.buckets.controllers.put(controllerKey('ctl-ghost'), JSON.stringify(beat));

    staged.cycOn = await stage(
      'cyc-on',
      { action: 'set_power_state', action_parameter: 'cycle' },
      'ctl-ghost',
      ['sending power cycle'],
    );
    // Acknowledged, then the holder died while verifying.
    staged.cycAcked = await stage(
      'cyc-acked',
      { action: 'set_power_state', action_parameter: 'cycle' },
      'ctl-ghost',
      ['sending power cycle', 'power cycle acknowledged', 'verifying: on'],
    );
    staged.pxeOff = await stage('pxe-off', { action: 'pxe_boot_persistent' }, 'ctl-ghost', [
      'setting the boot device to pxe (persistent, EFI)',
      'sending power cycle',
    ]);
    staged.bmcUp = await stage('bmc-up', { action: 'power_cycle_bmc' }, 'ctl-ghost', [
      'sending BMC reset',
    ]);
    // Held by the very id the new replica starts with: a restart of the same replica.
    staged.own = await stage(
      'own',
      { action: 'set_power_state', action_parameter: 'off' },
      'ctl-t',
      ['powering off'],
    );

    ctl = await scene.startController({ id: 'ctl-t', heldRetryDelayMs: 300 });
  });

  it('resumes its own condition after a restart at once', async () => {
    const own = await waitForFinal(scene.nats.store, staged.own.id, 10_000);
    expect(own).toMatchObject({
      state: 'succeeded',
      result: { power_state: 'off' },
      controller: 'ctl-t',
    });
    expect(records(own)).toContain(
      'resumed by controller ctl-t: it held the condition but was no longer running it',
    );
  });

  it(
    "leaves a live replica's conditions alone, and takes them over once its heartbeat is " + 'gone',
    async () => {
      await sleep(1500); // several redeliveries, each nak'ed
      for (const key of ['cycOn', 'cycAcked', 'pxeOff', 'bmcUp']) {
        expect((await scene.nats.store.get(staged[key].id))?.controller).toBe('ctl-ghost');
      }
      expect(ctl!.calls.filter((c) => c.server !== 'own')).toEqual([]);

      await scene.nats.buckets.controllers.delete(controllerKey('ctl-ghost'));
      const [cycOn, cycAcked, pxeOff, bmcUp] = await Promise.all(
        ['cycOn', 'cycAcked', 'pxeOff', 'bmcUp'].map((key) =>
          waitForFinal(scene.nats.store, staged[key].id, 15_000),
        ),
      );
      for (const c of [cycOn, cycAcked, pxeOff, bmcUp]) {
        expect(c).toMatchObject({ controller: 'ctl-t' });
        expect(records(c)).toContain(
          'taken over by controller ctl-t: controller ctl-ghost has no heartbeat',
        );
      }
      for (const c of [cycAcked, pxeOff]) expect(c.state).toBe('succeeded');

      // Sent, not acknowledged, server on: no evidence it happened; not repeated, and failed.
      expect(cycOn).toMatchObject({
        state: 'failed',
        error:
          'power cycle may not have happened: the controller stopped after sending it, before ' +
          "the BMC's answer was recorded; the server is on; it was not repeated: run it again " +
          'if needed',
      });
      expect(scene.fleet.get('cyc-on').events()).toEqual([]);

      // Acknowledged: only verified, nothing sent.
      expect(records(cycAcked).slice(-3)).toEqual([
        'verifying: on',
        'power is on',
        'succeeded: {"power_state":"on"}',
      ]);
      expect(cycAcked.status.records.filter((r) => r.msg === 'sending power cycle')).toHaveLength(
        1,
      );
      expect(scene.fleet.get('cyc-acked').events()).toEqual([]);

      // Sent, not acknowledged, server off: powered on, no cycle.
      expect(records(pxeOff)).toContain(
        'the interrupted power cycle was not repeated: the server is off (it was on before ' +
          'the send, so the command took effect), powering on',
      );
      expect(
        scene.fleet
          .get('pxe-off')
          .events()
          .map((e) => `${e.action} ${e.value}`),
      ).toEqual(['boot pxe', 'power 1']);

      // An interrupted BMC reset whose BMC answers: no evidence; failed, not repeated.
      expect(bmcUp).toMatchObject({ state: 'failed' });
      expect(bmcUp.error).toMatch(/^BMC reset may not have happened: .*; the BMC answers; /);
      expect(ctl!.calls.filter((c) => c.server === 'bmc-up').map((c) => c.call)).toEqual([
        'read power state',
      ]);
    },
  );
});
