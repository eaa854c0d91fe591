import { FakeRunner } from '@switchboard/process';

import { context } from '../test/helpers';
import { DriverError } from './capabilities';
import { runScript } from './run-script';

// What runScript makes of a run's result, with a fake runner: no bash starts here. How scripts
// really run (groups, deadlines, leftovers) is tested with real bash in shell-driver.spec.ts.

const options = (runner: FakeRunner) => ({
  script: 'exit 0',
  scriptName: 'lab/status',
  env: { name: 'node01' },
  label: 'shell lab/status for node01',
  runner,
});

describe('runScript: a run as the driver sees it', () => {
  it(
    'runs bash -c <script> <name> with exactly the given environment, SIGKILL at the ' + 'deadline',
    async () => {
      const runner = new FakeRunner(() => ({ exitCode: 111, stdout: 'off\n' }));
      await expect(runScript(options(runner), context())).resolves.toEqual({
        exitCode: 111,
        stdout: 'off',
        stderr: '',
      });
      expect(runner.lastCall()).toMatchObject({
        file: 'bash',
        args: ['-c', 'exit 0', 'lab/status'],
        env: { name: 'node01' },
        kill: { graceMs: 0 },
        outputGraceMs: Infinity,
      });
    },
  );

  it.each([
    ['a process that cannot start', { startError: errno('ENOENT') }, 'could not run (ENOENT)'],
    [
      'a signal from elsewhere',
      { exitCode: null, signal: 'SIGSEGV' as const },
      'killed by SIGSEGV',
    ],
    ['a flood of output', { overflowed: true }, 'printed more than 262144 bytes'],
  ])('%s is a command fault', async (_case, answer, message) => {
    const error = await runScript(options(new FakeRunner(() => answer)), context()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DriverError);
    expect(error).toMatchObject({ fault: 'command' });
    expect((error as Error).message).toContain(message);
  });
});

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`spawn bash ${code}`), { code });
}
