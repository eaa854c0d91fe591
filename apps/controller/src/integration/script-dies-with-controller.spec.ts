import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTERRUPTED_ERROR } from '../actions/action-records';
import { createCondition, waitFor, waitForFinal, waitForRecord } from '../test-support/harness';
import { useScene } from '../test-support/scene';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers signal 0 until init reaps it: it runs no more code.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * A controller process killed with SIGKILL while an action's script runs: the script's whole
 * process group dies with it (it must not run on unseen, without its timeout), and the replica
 * that takes the condition over fails it as interrupted instead of running it again.
 */
describe('an action script of a controller killed with SIGKILL', () => {
  const scene = useScene({
    name: 'script-dies',
    build: true,
    commands: {
      long: {
        // The leader and a background child write their pids, then wait.
        scripts: {
          'default.sh': 'sleep 300 & echo $! > "$1/child"; echo $$ > "$1/leader"; wait',
        },
      },
    },
    nodes: [{ name: 'victim01' }],
  });

  it(
    'dies with its controller, and ' + 'the next replica fails the condition as interrupted',
    async () => {
      const proc = await scene.startControllerProcess({
        CONTROLLER_ID: 'ctl-doomed',
        COMMANDS_DIR: scene.commandsDir,
      });
      const condition = await createCondition(
        scene.nats.store,
        'victim01',
        { command: 'long', arguments: [scene.dir] },
        'action',
      );
      await waitForRecord(
        scene.nats.store,
        condition.id,
        'running long/default.sh on victim01',
        15_000,
      );
      // A file may exist a moment before its pid is written into it.
      const pidIn = (file: string): number | undefined => {
        const path = join(scene.dir, file);
        const pid = existsSync(path) ? Number(readFileSync(path, 'utf8')) : NaN;
        return Number.isInteger(pid) && pid > 0 ? pid : undefined;
      };
      const pids = await waitFor(
        'the script to write its pids',
        async () => {
          const both = ['child', 'leader'].map(pidIn);
          return both.every((pid) => pid !== undefined) ? (both as number[]) : undefined;
        },
        15_000,
      );
      expect(pids.every(alive)).toBe(true);

      proc.kill('SIGKILL');
      expect((await proc.exited).signal).toBe('SIGKILL');
      await waitFor(
        "the script's group to be gone",
        async () => (pids.some(alive) ? undefined : true),
        10_000,
      );

      scene.spawnController({ CONTROLLER_ID: 'ctl-next', COMMANDS_DIR: scene.commandsDir });
      const done = await waitForFinal(scene.nats.store, condition.id, 60_000);
      expect(done).toMatchObject({
        state: 'failed',
        error: INTERRUPTED_ERROR,
        controller: 'ctl-next',
      });
    },
    120_000,
  );
});
