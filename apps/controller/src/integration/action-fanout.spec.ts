import type { OutputLine } from '@switchboard/condition-types';
import { readOutput } from '../test-support/commands';
import { waitForFinal } from '../test-support/harness';
import { useScene } from '../test-support/scene';

// One action on 64 nodes through a replica with FANOUT 16: every node runs it once, never more
// than 16 at a time (read from the live output's timestamps), in bounded time.

const NODES = 64;
const FANOUT = 16;
const SCRIPT_MS = 500;

describe('an action on 64 nodes through the fanout limit', () => {
  const sweep = {
    scripts: { 'default.sh': `echo "start $name"; sleep ${SCRIPT_MS / 1000}; echo "end $name"` },
  };
  const nodes = Array.from({ length: NODES }, (_, i) => ({
    name: `node${String(i + 1).padStart(2, '0')}`,
  }));
  const scene = useScene({ name: 'action-fanout', commands: { sweep }, nodes });

  beforeAll(async () => {
    await scene.startController({ id: 'ctl-fanout', fanout: FANOUT });
  });

  it('runs every node once, at most FANOUT at a time, within bounded time', async () => {
    const { nats } = scene;
    const started = Date.now();
    const created = await Promise.all(
      Array.from({ length: NODES }, (_, i) =>
        nats.store.create({
          kind: 'action',
          server: `node${String(i + 1).padStart(2, '0')}`,
          parameters: { command: 'sweep', arguments: [] },
          requestedBy: 'alice',
        }),
      ),
    );
    const done = await Promise.all(created.map((c) => waitForFinal(nats.store, c.id, 60_000)));
    const elapsed = Date.now() - started;

    expect(done.filter((c) => c.state === 'succeeded')).toHaveLength(NODES);
    // Four waves of half a second, plus the queue and the process starts; far from 64 in a row.
    expect(elapsed).toBeGreaterThanOrEqual((NODES / FANOUT) * SCRIPT_MS);
    expect(elapsed).toBeLessThan(20_000);

    const outputs = await Promise.all(done.map((c) => readOutput(nats, c.id)));
    const spans = outputs.map((lines, i) => {
      expect(lines.map((l) => l.line)).toEqual([
        `start ${done[i].target}`,
        `end ${done[i].target}`,
      ]);
      return span(lines);
    });
    const peak = maxOverlap(spans);
    expect(peak).toBeLessThanOrEqual(FANOUT);
    expect(peak).toBeGreaterThanOrEqual(FANOUT / 2); // they did run side by side
  });
});

function span(lines: OutputLine[]): [number, number] {
  return [Date.parse(lines[0].ts), Date.parse(lines[lines.length - 1].ts)];
}

/** Most spans open at one instant (an end at the same instant as a start counts as before it). */
function maxOverlap(spans: Array<[number, number]>): number {
  const events = spans.flatMap(([from, to]) => [
    [from, 1],
    [to, -1],
  ]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, change] of events) {
    open += change;
    peak = Math.max(peak, open);
  }
  return peak;
}
