import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { groupExists, isRunning, pidsIn, tempDir, waitFor } from '../test/helpers';

// The parent runs the built library (the test target builds it first), as the controller does.
const DIST = path.resolve(__dirname, '../dist');
const PARENT = path.resolve(__dirname, '../test/fixtures/parent.js');

/**
 * A script whose group has several members, one of them deaf to SIGTERM, one in a subshell,
 * and that records them all: the leader's pid is its process group id.
 */
const script = (file: string) =>
  [
    `echo $$ >> "${file}"`,
    `sleep 1000 & echo $! >> "${file}"`,
    `(trap "" TERM HUP; sleep 1000) & echo $! >> "${file}"`,
    `bash -c 'sleep 1000 & echo $! >> "${file}"; wait' &`,
    'wait',
  ].join('\n');

let dir: string;
let parent: ChildProcess | undefined;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  if (parent?.pid && isRunning(parent.pid)) parent.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

function startParent(ending: 'wait' | 'exit-soon' | 'throw-soon' = 'wait'): ChildProcess {
  const file = path.join(dir, 'pids');
  parent = spawn(process.execPath, [PARENT, DIST, script(file), ending], {
    stdio: 'ignore',
  });
  return parent;
}

describe('the death pipe: a script group dies with the process that started it', () => {
  it.each([
    ['SIGKILLed, so no exit hook of it runs', 'wait', 'SIGKILL'],
    ['SIGTERMed without a handler', 'wait', 'SIGTERM'],
    ['exiting by process.exit', 'exit-soon', undefined],
    ['dying of an uncaught exception', 'throw-soon', undefined],
  ] as const)('when the parent is %s', async (_case, ending, signal) => {
    expect(fs.existsSync(path.join(DIST, 'index.js'))).toBe(true);
    const child = startParent(ending);
    const pids = await pidsIn(path.join(dir, 'pids'), 4);
    const pgid = pids[0];
    expect(groupExists(pgid)).toBe(true);

    if (signal) child.kill(signal);
    await new Promise((resolve) => child.once('exit', resolve));

    await waitFor(`group ${pgid} to be gone`, () => !groupExists(pgid), 10_000);
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  });

  it('while the parent lives, its script runs on (the guard does not kill early)', async () => {
    startParent('wait');
    const pids = await pidsIn(path.join(dir, 'pids'), 4);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const pid of pids) expect(isRunning(pid)).toBe(true);
  });
});
