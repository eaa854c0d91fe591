import type { Condition } from '@switchboard/condition-types';
import type { DriverCallEvent } from '../reconcile/driver-call';
import { TestController, waitForFinal } from '../test-support/harness';
import { queuePower } from '../test-support/power';
import { useScene } from '../test-support/scene';

// Blades: several servers behind one BMC address. The per-server claim keeps one server's
// conditions apart; only a lease shared by the replicas keeps two blades' operations apart
// when two replicas take them.
const BLADES = ['blade1', 'blade2', 'blade3', 'blade4'];

describe('servers behind one BMC, handled by two controller replicas', () => {
  const scene = useScene({
    name: 'blades',
    bmcs: [{ name: 'chassis', behaviour: 'slow', powerDelayMs: 400 }],
    nodes: ({ fleet }) => BLADES.map((name) => ({ name, bmc: fleet.get('chassis') })),
  });
  let replicas: TestController[] = [];

  beforeAll(async () => {
    const timings = { operationTimeoutMs: 10_000, verifyTimeoutMs: 15_000 };
    replicas = await scene.startControllers(['ctl-a', 'ctl-b'], timings);
  });

  it(
    'never has two operations on ' + 'the shared BMC at once, whichever replica runs them',
    async () => {
      const { nats } = scene;
      const outcomes: Condition[] = [];
      await Promise.all(
        BLADES.map(async (server) => {
          for (const action_parameter of ['on', 'off'] as const) {
            const created = await queuePower(nats.store, server, action_parameter);
            outcomes.push(await waitForFinal(nats.store, created.id, 90_000));
          }
        }),
      );
      expect(
        outcomes.filter((c) => c.state !== 'succeeded').map((c) => `${c.target}: ${c.error}`),
      ).toEqual([]);
      expect(new Set(outcomes.map((c) => c.controller))).toEqual(new Set(['ctl-a', 'ctl-b']));

      // Whole conditions hold the BMC: group each replica's calls by condition and check that no
      // two conditions' spans on the BMC overlap.
      const spans = new Map<string, { start: number; end: number; controller: string }>();
      for (const call of replicas.flatMap((r) => r.calls) as DriverCallEvent[]) {
        const span = spans.get(call.conditionId) ?? {
          start: call.startedAt,
          end: call.endedAt,
          controller: call.controller,
        };
        spans.set(call.conditionId, {
          ...span,
          start: Math.min(span.start, call.startedAt),
          end: Math.max(span.end, call.endedAt),
        });
      }
      const ordered = [...spans.values()].sort((x, y) => x.start - y.start);
      const overlaps = ordered.slice(1).filter((span, i) => span.start < ordered[i].end);
      expect(overlaps).toEqual([]);
      expect(
        outcomes.some((c) => c.status.records.some((r) => r.msg.startsWith('waiting for ipmi:'))),
      ).toBe(true);
    },
    120_000,
  );
});
