import type { Condition } from '@switchboard/condition-types';
import type { DriverCallEvent } from '../reconcile/driver-call';
import { createCondition, TestController, waitForFinal } from '../test-support/harness';
import { useScene } from '../test-support/scene';

const SERVERS = 32;
// Each server goes through these conditions one after the other (a new one once the last is final).
const ROUNDS = [
  { action: 'set_power_state', action_parameter: 'on' },
  { action: 'set_power_state', action_parameter: 'cycle' },
  { action: 'set_power_state', action_parameter: 'off' },
];

describe('two controller replicas sharing 32 servers', () => {
  const scene = useScene({
    name: 'replicas',
    bmcs: SERVERS,
    nodes: ({ fleet }) => fleet.bmcs.map((bmc) => ({ name: `node${bmc.name.slice(-2)}`, bmc })),
  });
  let replicas: TestController[] = [];

  beforeAll(async () => {
    const timings = { operationTimeoutMs: 10_000, verifyTimeoutMs: 15_000, fanout: 16 };
    replicas = await scene.startControllers(['ctl-a', 'ctl-b'], timings);
  });

  it(
    'both replicas work, every condition succeeds, and no BMC ever sees two operations at ' +
      'once',
    async () => {
      const { nats, fleet } = scene;
      const servers = fleet.bmcs.map((bmc) => `node${bmc.name.slice(-2)}`);
      const outcomes: Condition[] = [];
      await Promise.all(
        servers.map(async (server) => {
          for (const parameters of ROUNDS) {
            const created = await createCondition(nats.store, server, parameters);
            outcomes.push(await waitForFinal(nats.store, created.id, 60_000));
          }
        }),
      );

      expect(outcomes).toHaveLength(SERVERS * ROUNDS.length);
      expect(
        outcomes.filter((c) => c.state !== 'succeeded').map((c) => `${c.target}: ${c.error}`),
      ).toEqual([]);
      for (const bmc of fleet.bmcs) {
        expect(bmc.power()).toBe('off');
        // One cycle each: never repeated, never run twice by two replicas.
        expect(bmc.events().filter((e) => e.action === 'power' && e.value === '0')).toHaveLength(2);
      }

      // Both replicas did work.
      const byController = new Map<string, number>();
      for (const c of outcomes)
        byController.set(c.controller ?? '?', (byController.get(c.controller ?? '?') ?? 0) + 1);
      expect([...byController.keys()].sort()).toEqual(['ctl-a', 'ctl-b']);
      for (const count of byController.values()) expect(count).toBeGreaterThan(0);

      // From the recorded timestamps of both replicas' driver calls: per BMC, each call starts
      // after the previous one ended, whichever replica made it.
      const calls: DriverCallEvent[] = replicas.flatMap((r) => r.calls);
      const perBmc = new Map<string, DriverCallEvent[]>();
      for (const call of calls)
        perBmc.set(call.lockKey, [...(perBmc.get(call.lockKey) ?? []), call]);
      expect(perBmc.size).toBe(SERVERS);
      const overlaps: string[] = [];
      for (const [key, list] of perBmc) {
        list.sort((x, y) => x.startedAt - y.startedAt);
        for (let i = 1; i < list.length; i++) {
          if (list[i].startedAt < list[i - 1].endedAt)
            overlaps.push(
              `${key}: ${list[i - 1].controller} ${list[i - 1].call} / ` +
                `${list[i].controller} ${list[i].call}`,
            );
        }
      }
      expect(overlaps).toEqual([]);
      // And the BMCs' own logs agree: their commands arrive in the order of the conditions.
      for (const bmc of fleet.bmcs) {
        expect(bmc.events().map((e) => `${e.action} ${e.value}`)).toEqual([
          'power 1',
          'power 0',
          'power 1',
          'power 0',
        ]);
      }
    },
  );
});
