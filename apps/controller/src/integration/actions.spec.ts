import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { allocateLoopbackAddresses, FleetMemberSpec, SimulatedFleet } from '@switchboard/bmc-sim';
import { signCondition } from '@switchboard/condition-signing';
import { conditionKey, conditionSubject, STREAM_CONDITIONS } from '@switchboard/condition-types';
import {
  createCondition,
  InventoryNode,
  records,
  TestController,
  waitFor,
  waitForClaimReleased,
  waitForFinal,
} from '../test-support/harness';
import { useScene } from '../test-support/scene';

// Every serverControl action through a real controller, real ipmitool and real ipmi_sim BMCs.

const VERIFY_TIMEOUT_MS = 4000;
const OPERATION_TIMEOUT_MS = 2500;

const BMCS: FleetMemberSpec[] = [
  { name: 'n-on' },
  { name: 'n-off', initialPower: 'on' },
  { name: 'n-soft', initialPower: 'on' },
  { name: 'n-cycle', initialPower: 'on' },
  { name: 'n-reset', initialPower: 'on' },
  { name: 'n-reset-off' },
  { name: 'n-get', initialPower: 'on' },
  { name: 'n-already', initialPower: 'on' },
  { name: 'n-boot' },
  { name: 'n-boot-disk', bootDevice: 'pxe' },
  { name: 'n-bmc', initialPower: 'on' },
  { name: 'n-pxe-off' },
  { name: 'n-pxe-on', initialPower: 'on' },
  { name: 'n-stuck', behaviour: 'stuck' },
  { name: 'n-stuck-boot', behaviour: 'stuck' },
  { name: 'n-badpw' },
  { name: 'n-shared' },
];

function inventory(fleet: SimulatedFleet, unreachableHost: string): InventoryNode[] {
  const nodes = fleet.bmcs
    .filter((b) => b.name !== 'n-badpw' && b.name !== 'n-shared')
    .map((bmc) => ({ name: bmc.name, bmc }));
  const badpw = fleet.get('n-badpw');
  const shared = fleet.get('n-shared');
  return [
    ...nodes,
    { name: 'n-badpw', bmc: { ...badpw, password: 'not-the-password' } },
    {
      name: 'n-unreachable',
      bmc: { host: unreachableHost, port: 623, username: 'admin', password: 'password' },
    },
    // Two servers behind one BMC address: one operation at a time.
    { name: 'blade-1', bmc: shared },
    { name: 'blade-2', bmc: shared },
  ];
}

describe('serverControl actions against simulated BMCs', () => {
  let unreachableHost: string;
  // Before the scene's own beforeAll: its inventory names this address.
  beforeAll(async () => {
    [unreachableHost] = await allocateLoopbackAddresses(1);
  });
  const scene = useScene({
    name: 'actions',
    bmcs: BMCS,
    nodes: ({ fleet }) => inventory(fleet, unreachableHost),
  });
  let ctl: TestController;

  beforeAll(async () => {
    ctl = await scene.startController({
      id: 'ctl-actions',
      verifyTimeoutMs: VERIFY_TIMEOUT_MS,
      operationTimeoutMs: OPERATION_TIMEOUT_MS,
    });
  });

  const run = async (server: string, parameters: unknown, timeoutMs = 20_000) => {
    const created = await createCondition(scene.nats.store, server, parameters);
    const started = Date.now();
    const done = await waitForFinal(scene.nats.store, created.id, timeoutMs);
    return { condition: done, ms: Date.now() - started };
  };

  it('set_power_state on: powers on, verifies, records its progress', async () => {
    const { condition } = await run('n-on', { action: 'set_power_state', action_parameter: 'on' });
    expect(condition).toMatchObject({
      state: 'succeeded',
      result: { power_state: 'on' },
      controller: 'ctl-actions',
    });
    expect(records(condition)).toEqual([
      'queued by test',
      'picked up by controller ctl-actions',
      'powering on',
      'verifying: on',
      'power is on',
      'succeeded: {"power_state":"on"}',
    ]);
    expect(scene.fleet.get('n-on').power()).toBe('on');
    await waitForClaimReleased(scene.nats.store, 'n-on');
  });

  it('set_power_state off and soft: the server ends off', async () => {
    const [off, soft] = await Promise.all([
      run('n-off', { action: 'set_power_state', action_parameter: 'off' }),
      run('n-soft', { action: 'set_power_state', action_parameter: 'soft' }),
    ]);
    expect(off.condition).toMatchObject({ state: 'succeeded', result: { power_state: 'off' } });
    expect(records(off.condition)).toEqual(
      expect.arrayContaining(['powering off', 'verifying: off', 'power is off']),
    );
    expect(soft.condition).toMatchObject({ state: 'succeeded', result: { power_state: 'off' } });
    expect(scene.fleet.get('n-off').power()).toBe('off');
    expect(scene.fleet.get('n-soft').counters().softOffs).toBe(1);
  });

  it('set_power_state cycle and reset: sent once, acknowledged, verified on', async () => {
    const [cycle, reset] = await Promise.all([
      run('n-cycle', { action: 'set_power_state', action_parameter: 'cycle' }),
      run('n-reset', { action: 'set_power_state', action_parameter: 'reset' }),
    ]);
    expect(cycle.condition).toMatchObject({ state: 'succeeded', result: { power_state: 'on' } });
    expect(records(cycle.condition)).toEqual(
      expect.arrayContaining([
        'sending power cycle',
        'power cycle acknowledged',
        'verifying: on',
        'power is on',
      ]),
    );
    expect(
      scene.fleet
        .get('n-cycle')
        .events()
        .map((e) => `${e.action} ${e.value}`),
    ).toEqual(['power 0', 'power 1']);
    expect(reset.condition).toMatchObject({ state: 'succeeded', result: { power_state: 'on' } });
    expect(scene.fleet.get('n-reset').counters().resets).toBe(1);
  });

  it(
    'a reset of a server that is ' + 'off powers it on instead (a reset does nothing to it)',
    async () => {
      const { condition } = await run('n-reset-off', {
        action: 'set_power_state',
        action_parameter: 'reset',
      });
      expect(condition).toMatchObject({ state: 'succeeded', result: { power_state: 'on' } });
      expect(records(condition)).toContain(
        'the server is off: powering on instead of a power reset',
      );
      expect(
        scene.fleet
          .get('n-reset-off')
          .events()
          .map((e) => e.action),
      ).toEqual(['power']);
    },
  );

  it('get_power_state reads the power state; an action already true sends nothing', async () => {
    const [get, already] = await Promise.all([
      run('n-get', { action: 'get_power_state' }),
      run('n-already', { action: 'set_power_state', action_parameter: 'on' }),
    ]);
    expect(get.condition).toMatchObject({ state: 'succeeded', result: { power_state: 'on' } });
    expect(already.condition).toMatchObject({ state: 'succeeded', result: { power_state: 'on' } });
    expect(records(already.condition)).toContain('power is already on: nothing to do');
    expect(scene.fleet.get('n-already').events()).toEqual([]);
  });

  it('set_next_boot_device sets the device and reads it back', async () => {
    const [pxe, disk] = await Promise.all([
      run('n-boot', {
        action: 'set_next_boot_device',
        action_parameter: 'pxe',
        set_next_boot_device_persistent: true,
        set_next_boot_device_efi: true,
      }),
      run('n-boot-disk', { action: 'set_next_boot_device', action_parameter: 'disk' }),
    ]);
    expect(pxe.condition).toMatchObject({
      state: 'succeeded',
      result: { boot_device: 'pxe', persistent: true, efi: true },
    });
    // ipmi_sim keeps the device only, not the flags, and the controller says so.
    expect(records(pxe.condition)).toContain(
      'boot device is pxe (the BMC reports next boot only, legacy BIOS; it may not keep ' +
        'these flags)',
    );
    expect(scene.fleet.get('n-boot').bootDevice()).toBe('pxe');
    expect(disk.condition).toMatchObject({
      state: 'succeeded',
      result: { persistent: false, efi: false },
    });
    expect(scene.fleet.get('n-boot-disk').bootDevice()).toBe('default');
  });

  it('power_cycle_bmc resets the BMC once and waits until it answers again', async () => {
    const { condition } = await run('n-bmc', { action: 'power_cycle_bmc' });
    expect(condition).toMatchObject({ state: 'succeeded', result: { bmc_reset: true } });
    expect(records(condition)).toEqual(
      expect.arrayContaining([
        'sending BMC reset',
        'BMC reset acknowledged',
        'waiting for the BMC to answer again',
        'the BMC answers again (power is on)',
      ]),
    );
  });

  it(
    'pxe_boot_persistent sets persistent PXE and boots from it: power on when off, one ' +
      'power cycle when on',
    async () => {
      const [fromOff, fromOn] = await Promise.all([
        run('n-pxe-off', { action: 'pxe_boot_persistent' }),
        run('n-pxe-on', { action: 'pxe_boot_persistent' }),
      ]);
      for (const { condition } of [fromOff, fromOn]) {
        expect(condition).toMatchObject({
          state: 'succeeded',
          result: { boot_device: 'pxe', persistent: true, efi: true, power_state: 'on' },
        });
      }
      expect(records(fromOff.condition)).toContain('powering on to boot from PXE');
      expect(
        scene.fleet
          .get('n-pxe-off')
          .events()
          .map((e) => `${e.action} ${e.value}`),
      ).toEqual(['boot pxe', 'power 1']);
      expect(records(fromOn.condition)).toEqual(
        expect.arrayContaining(['sending power cycle', 'power cycle acknowledged', 'power is on']),
      );
      expect(
        scene.fleet
          .get('n-pxe-on')
          .events()
          .map((e) => `${e.action} ${e.value}`),
      ).toEqual(['boot pxe', 'power 0', 'power 1']);
      expect(scene.fleet.get('n-pxe-on').bootDevice()).toBe('pxe');
    },
  );

  it('a stuck BMC (acknowledges, changes nothing) ends failed: state did not change', async () => {
    const [power, boot] = await Promise.all([
      run('n-stuck', { action: 'set_power_state', action_parameter: 'on' }),
      run('n-stuck-boot', { action: 'set_next_boot_device', action_parameter: 'pxe' }),
    ]);
    expect(power.condition.state).toBe('failed');
    expect(power.condition.error).toMatch(
      /^state did not change: power still off after 4(\.\d)? s \(expected on\)$/,
    );
    expect(power.ms).toBeLessThan(VERIFY_TIMEOUT_MS + 4000);
    expect(boot.condition).toMatchObject({
      state: 'failed',
      error: 'boot device did not change: the BMC reports none after setting pxe',
    });
  });

  it('an unreachable BMC ends failed within the deadline, saying so', async () => {
    const { condition, ms } = await run('n-unreachable', {
      action: 'set_power_state',
      action_parameter: 'on',
    });
    expect(condition.state).toBe('failed');
    expect(condition.error).toMatch(
      new RegExp(
        `^timeout: read power state for n-unreachable \\(ipmi\\) after 2 attempts: ipmi ` +
          `${unreachableHost.replace(/\./g, '\\.')}:623: `,
      ),
    );
    // Two attempts of at most OPERATION_TIMEOUT_MS each, plus the backoff between them.
    expect(ms).toBeLessThan(2 * OPERATION_TIMEOUT_MS + 2000);
    expect(records(condition)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^read power state: attempt 1 of 2 failed .*; retrying in 0\.2 s$/),
      ]),
    );
  });

  it('a wrong password fails fast, after exactly one attempt', async () => {
    const { condition, ms } = await run('n-badpw', {
      action: 'set_power_state',
      action_parameter: 'on',
    });
    expect(condition.state).toBe('failed');
    expect(condition.error).toMatch(
      /^authentication refused: read power state for n-badpw \(ipmi\): .*authentication refused \(user admin\)/,
    );
    expect(ms).toBeLessThan(3000);
    expect(ctl.calls.filter((c) => c.server === 'n-badpw')).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'auth' }),
    ]);
    expect(scene.fleet.get('n-badpw').events()).toEqual([]);
  });

  it('two servers behind one BMC never have operations on it at the same time', async () => {
    const [a, b] = await Promise.all([
      run('blade-1', { action: 'set_power_state', action_parameter: 'cycle' }),
      run('blade-2', { action: 'pxe_boot_persistent' }),
    ]);
    expect(a.condition.state).toBe('succeeded');
    expect(b.condition.state).toBe('succeeded');
    const calls = ctl.calls
      .filter((c) => c.server === 'blade-1' || c.server === 'blade-2')
      .sort((x, y) => x.startedAt - y.startedAt);
    // Whole conditions are serialised: all calls of the first end before any call of the second
    // starts.
    const firstServer = calls[0].server;
    const lastOfFirst = Math.max(
      ...calls.filter((c) => c.server === firstServer).map((c) => c.endedAt),
    );
    const firstOfSecond = Math.min(
      ...calls.filter((c) => c.server !== firstServer).map((c) => c.startedAt),
    );
    expect(firstOfSecond).toBeGreaterThanOrEqual(lastOfFirst);
    const waited = [a.condition, b.condition].find((c) => c.target !== firstServer)!;
    expect(records(waited)).toContain(
      `waiting for ipmi:${scene.fleet.get('n-shared').host}:623: another operation on it ` +
        `is running`,
    );
  });

  it(
    'fails what it cannot do, with a reason: unknown server, an action without a commands ' +
      'directory',
    async () => {
      const [ghost, action] = await Promise.all([
        run('ghost01', { action: 'get_power_state' }),
        (async () => {
          const created = await createCondition(
            scene.nats.store,
            'n-get',
            { command: 'usage' },
            'action',
          );
          return { condition: await waitForFinal(scene.nats.store, created.id, 10_000) };
        })(),
      ]);
      expect(ghost.condition).toMatchObject({
        state: 'failed',
        error: 'server ghost01 is not in the inventory',
      });
      expect(action.condition).toMatchObject({
        state: 'failed',
        error: 'no commands directory configured (COMMANDS_DIR)',
      });
    },
  );

  it(
    'acks a duplicate of a final condition, and looks again at a young message whose record ' +
      'cannot be read yet (a KV leader catching up), running it once the record is there',
    async () => {
      const js = jetstream(scene.nats.nc);
      const jsm = await jetstreamManager(scene.nats.nc);
      const subject = conditionSubject('serverControl', 'n-get');
      const done = await run('n-get', { action: 'get_power_state' });
      await js.publish(subject, JSON.stringify(done.condition));

      const ts = new Date().toISOString();
      const late = {
        ...done.condition,
        id: '6f1c1d1e-0000-4000-8000-000000000001',
        state: 'pending',
        status: { records: [{ ts, msg: 'queued by test' }] },
        createdAt: ts,
        updatedAt: ts,
        result: undefined,
        controller: undefined,
      };
      await js.publish(subject, JSON.stringify(late));
      // Delivered and looked at (the controller's retry delay here is 1 s), but kept.
      await sleep(2500);
      expect((await jsm.streams.info(STREAM_CONDITIONS)).state.messages).toBe(1);

      // Written as the API writes it: signed, or the controller would refuse it.
      await scene.nats.buckets.conditions.put(
        conditionKey(late.id),
        JSON.stringify(signCondition(late, scene.nats.signing)),
      );
      expect(await waitForFinal(scene.nats.store, late.id, 20_000)).toMatchObject({
        state: 'succeeded',
        controller: 'ctl-actions',
      });
      await waitFor(
        'the stream to be empty',
        async () =>
          (await jsm.streams.info(STREAM_CONDITIONS)).state.messages === 0 ? true : undefined,
        5000,
      );
      expect((await scene.nats.store.get(done.condition.id))?.state).toBe('succeeded');
    },
  );
});
