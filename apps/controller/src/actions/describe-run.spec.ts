import type { RunCommandResult } from '@switchboard/commands';
import { actionOutcome } from './describe-run';

const ctx = { where: 'usage/metal.sh on node01', timeoutMs: 30_000, controllerId: 'ctl-a' };

function run(changes: Partial<RunCommandResult>): RunCommandResult {
  return {
    exitCode: 0,
    timedOut: false,
    cancelled: false,
    stdout: '',
    stderr: '',
    droppedBytes: { stdout: 0, stderr: 0 },
    script: 'usage/metal.sh',
    rank: 'metal',
    durationMs: 12,
    ...changes,
  };
}

describe('how a command run ends its condition', () => {
  it('exit 0 succeeds with the exit code and the script', () => {
    expect(actionOutcome(run({ stdout: 'lots of output\n' }), ctx)).toEqual({
      state: 'succeeded',
      result: { exit_code: 0, script: 'usage/metal.sh' },
      record: 'succeeded: {"exit_code":0,"script":"usage/metal.sh"}',
    });
  });

  it(
    'another status fails, saying where, with the last few stderr lines and not the whole ' +
      'output',
    () => {
      const stderr = ['one', 'two', '', 'three', 'four', `${'x'.repeat(300)}`, ''].join('\n');

      const outcome = actionOutcome(run({ exitCode: 3, stderr, stdout: 'never quoted' }), ctx);

      expect(outcome).toEqual({
        state: 'failed',
        error:
          `usage/metal.sh on node01 exited with status 3; stderr: three | four | ` +
          `${'x'.repeat(200)}…`,
        result: { exit_code: 3, script: 'usage/metal.sh' },
      });
    },
  );

  it('a signal that ended the script is named', () => {
    expect(actionOutcome(run({ exitCode: null, signal: 'SIGSEGV' }), ctx)).toEqual({
      state: 'failed',
      error: 'usage/metal.sh on node01 was killed by SIGSEGV',
      result: { exit_code: null, signal: 'SIGSEGV', script: 'usage/metal.sh' },
    });
  });

  it('a timeout says how long it had and that its process group was killed', () => {
    expect(
      actionOutcome(run({ exitCode: null, signal: 'SIGTERM', timedOut: true }), ctx),
    ).toMatchObject({
      state: 'failed',
      error: 'usage/metal.sh on node01 timed out after 30 s (process group killed)',
    });
  });

  it(
    'a cancel names who cancelled; a shutdown says the run was cut short and is not ' + 'repeated',
    () => {
      const stopped = run({ exitCode: null, signal: 'SIGTERM', cancelled: true });
      expect(actionOutcome(stopped, { ...ctx, cancelledBy: 'alice' })).toMatchObject({
        state: 'failed',
        error: 'cancelled by alice',
      });
      expect(actionOutcome(stopped, ctx)).toMatchObject({
        state: 'failed',
        error:
          'interrupted: controller ctl-a shut down while usage/metal.sh on node01 ran ' +
          '(process group killed); not re-run (outcome unknown)',
      });
    },
  );
});
