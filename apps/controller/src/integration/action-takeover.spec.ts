import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Condition } from '@switchboard/condition-types';
import { isRunning, readOutput, textOf } from '../test-support/commands';
import { records, TestController, waitFor, waitForFinal } from '../test-support/harness';
import { useScene } from '../test-support/scene';

/**
 * The redelivery rule for actions: a script whose runner died may have run, so a replica
 * taking the condition over does not run it again; one that never started is run. A replica
 * shut down mid-run kills the script and says so. Runs are counted with a marker file.
 */
describe('actions left behind by another replica, and a shutdown mid-run', () => {
  const scene = useScene({
    name: 'action-takeover',
    commands: {
      mark: { scripts: { 'default.sh': 'echo "run by $SWITCHBOARD_REQUESTER" >> "$1/$name"' } },
      long: { scripts: { 'default.sh': 'sleep 300 & echo "child $!"; echo "leader $$"; wait' } },
    },
    nodes: ['started01', 'unstarted01', 'own01', 'drain01'].map((name) => ({ name })),
  });
  let ctl: TestController | undefined;
  let runs: string;
  const staged: Record<string, Condition> = {};

  /** An action as replica `holder` (now gone: no heartbeat) leaves it after writing `progress`. */
  async function stage(server: string, holder: string, progress: string[]): Promise<Condition> {
    const created = await scene.nats.store.create({
      kind: 'action',
      server,
      parameters: { command: 'mark', arguments: [runs] },
      requestedBy: 'alice',
    });
    await scene.nats.store.update(created.id, 'active', {
      record: `picked up by controller ${holder}`,
      controller: holder,
    });
    for (const record of progress) await scene.nats.store.update(created.id, 'active', { record });
    return created;
  }

  const runsOn = (node: string): number =>
    existsSync(join(runs, node))
      ? readFileSync(join(runs, node), 'utf8').split('\n').filter(Boolean).length
      : 0;

  beforeAll(async () => {
    runs = join(scene.dir, 'runs');
    mkdirSync(runs);

    staged.started = await stage('started01', 'ctl-ghost', [
      'running mark/default.sh on started01',
    ]);
    staged.unstarted = await stage('unstarted01', 'ctl-ghost', [
      'waiting for the action running on unstarted01 to finish: command mark is not concurrent',
    ]);
    // Held by the id the new replica starts with: a restart of the same replica mid-run.
    staged.own = await stage('own01', 'ctl-at', ['running mark/default.sh on own01']);

    ctl = await scene.startController({ id: 'ctl-at', heldRetryDelayMs: 300 });
  });

  it('fails an action whose script had started instead of running it again', async () => {
    const [started, own] = await Promise.all([
      waitForFinal(scene.nats.store, staged.started.id, 15_000),
      waitForFinal(scene.nats.store, staged.own.id, 15_000),
    ]);

    for (const c of [started, own]) {
      expect(c).toMatchObject({
        state: 'failed',
        error:
          'interrupted: the controller running it stopped and its script was killed with it; ' +
          'not re-run (outcome unknown)',
        controller: 'ctl-at',
      });
    }
    expect(records(started)).toContain(
      'taken over by controller ctl-at: controller ctl-ghost has no heartbeat',
    );
    expect(records(own)).toContain(
      'resumed by controller ctl-at: it held the condition but was no longer running it',
    );
    expect(runsOn('started01')).toBe(0);
    expect(runsOn('own01')).toBe(0);
  });

  it('runs an action whose script never started, once', async () => {
    const done = await waitForFinal(scene.nats.store, staged.unstarted.id, 15_000);

    expect(done).toMatchObject({
      state: 'succeeded',
      result: { exit_code: 0, script: 'mark/default.sh' },
    });
    expect(records(done)).toContain('running mark/default.sh on unstarted01');
    expect(runsOn('unstarted01')).toBe(1);
  });

  it(
    'shut down while a script runs: the group is killed and the action failed here, not ' +
      'handed on to run again',
    async () => {
      const created = await scene.nats.store.create({
        kind: 'action',
        server: 'drain01',
        parameters: { command: 'long', arguments: [] },
        requestedBy: 'alice',
      });
      const pids = await waitFor(
        'the script to start',
        async () => {
          const found = textOf(await readOutput(scene.nats, created.id), 'stdout').filter((l) =>
            /^(child|leader) \d+$/.test(l),
          );
          return found.length === 2 ? found.map((l) => Number(l.split(' ')[1])) : undefined;
        },
        10_000,
      );

      await ctl!.controller.close();
      ctl = undefined;

      const done = await scene.nats.store.get(created.id);
      expect(done).toMatchObject({
        state: 'failed',
        error:
          'interrupted: controller ctl-at shut down while long/default.sh on drain01 ran ' +
          '(process group killed); not re-run (outcome unknown)',
      });
      for (const pid of pids) expect(isRunning(pid)).toBe(false);
    },
  );
});
