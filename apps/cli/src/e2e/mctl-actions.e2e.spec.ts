/**
 * mctl run / help / estate-list end to end: the real conditions-api and controller in this
 * process, a real nats-server, and a temporary commands directory of small bash scripts that
 * the controller really runs. `run(argv, io)` is what `dist/main.js` calls; the last tests
 * spawn the built binary itself (build first: npx tsc -b).
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mintToken } from '@switchboard/auth';
import { ExitCode, INTERRUPTED_EXIT } from '../exit-codes';
import { E2eStack, latestCondition, startE2eStack } from '../test-support/e2e-stack';
import { memoryIo } from '../test-support/memory-io';
import type { MemoryIo } from '../test-support/memory-io';
import { runMctl } from '../test-support/mctl-runner';
import { ctrlC, terminalTyping } from '../test-support/terminal';
import { tableRows } from '../test-support/table';

jest.setTimeout(60_000);

const JWT_SECRET = 'mctl-actions-e2e-jwt-secret-0123456789-abcdefgh';
const SUBJECT = 'mctl-actions-e2e';
const TOKEN = mintToken({ subject: SUBJECT, scopes: ['admin'] }, JWT_SECRET);
/** What `mctl` runs (package.json bin): the one-file bundle of dist/main.js. */
const MAIN_JS = join(__dirname, '../../dist/mctl.js');

/** The commands directory: metadata.yaml (after `help:`) and default.sh of each command. */
const COMMANDS: Record<string, { help: string; extra?: string; script: string }> = {
  hello: {
    help: 'Say hello',
    script: 'echo "hello from $name"\nif [ $# -gt 0 ]; then echo "args: $*"; fi',
  },
  same: { help: 'Print the same on every node', script: 'echo "kernel 6.1"\necho "uptime 3 days"' },
  flaky: {
    help: 'Fail on node02',
    script:
      'if [ "$name" = node02 ]; then echo "disk missing on $name" >&2; exit 3; fi\necho ' +
      '"ok on $name"',
  },
  wipe: {
    help: 'Wipe nodes',
    extra: 'confirmation: "Wipe %{nodes}? Everything on them is lost."',
    script: 'echo "wiped $name"',
  },
  sleepy: {
    help: 'Sleep until stopped',
    extra: 'timeout: 1m',
    script: 'echo "started on $name"\nsleep 50',
  },
};

let stack: E2eStack;

function writeCommands(root: string): void {
  for (const [name, c] of Object.entries(COMMANDS)) {
    mkdirSync(join(root, name));
    writeFileSync(
      join(root, name, 'metadata.yaml'),
      `help:\n  summary: ${c.help}\n${c.extra ?? ''}\n`,
    );
    writeFileSync(join(root, name, 'default.sh'), `#!/bin/bash\n${c.script}\n`);
    chmodSync(join(root, name, 'default.sh'), 0o755);
  }
  // Broken: a misspelt key. It must show as a problem, and never run.
  mkdirSync(join(root, 'broken'));
  writeFileSync(
    join(root, 'broken', 'metadata.yaml'),
    'help:\n  summary: Broken\n  has_contex: false\n',
  );
  writeFileSync(join(root, 'broken', 'default.sh'), '#!/bin/bash\necho never\n');
  chmodSync(join(root, 'broken', 'default.sh'), 0o755);
}

beforeAll(async () => {
  stack = await startE2eStack({
    name: 'mctl-actions-e2e',
    jwtSecret: JWT_SECRET,
    inventoryName: 'nodes.yaml',
    inventory: [
      'static_nodes:',
      '  node01: { ranks: [metal] }',
      '  node02: { ranks: [metal] }',
      '  node03: { ranks: [metal] }',
      '  node04: { ranks: [gpu] }',
      'groups:',
      '  rack1: "node[01-03]"',
      '',
    ].join('\n'),
    commands: writeCommands,
  });
});

afterAll(() => stack?.close());

const mctl = (argv: string[], io?: MemoryIo) =>
  runMctl({ MCTL_URL: stack.baseUrl, MCTL_TOKEN: TOKEN }, argv, io);
const latest = (server: string) => latestCondition(stack.baseUrl, TOKEN, server);

const block = (nodes: string, ...lines: string[]) =>
  ['----------------', nodes, '----------------', ...lines].map((l) => `${l}\n`).join('');

describe('mctl help and estate-list against the real API', () => {
  it("lists the server's commands, and notes the broken one", async () => {
    const { code, out, err } = await mctl(['help']);
    expect(code).toBe(ExitCode.Ok);
    const table = tableRows(out.split('\n\n')[0]);
    expect(table).toEqual([
      ['COMMAND', 'SUMMARY'],
      // Built in on every server; mctl has commands of the same names, hence the help hint.
      [
        'estate-change',
        'change the machine type of a cloud node, rebooting it if it is on (built in) ' +
          '(help: mctl help run estate-change)',
      ],
      [
        'estate-show',
        'show the machine type of a cloud node (built in) (help: mctl help run estate-show)',
      ],
      ['flaky', 'Fail on node02'],
      ['hello', 'Say hello'],
      ['same', 'Print the same on every node'],
      ['sleepy', 'Sleep until stopped'],
      ['wipe', 'Wipe nodes'],
    ]);
    expect(err).toMatch(
      /^mctl: note: 1 command is broken on the server and cannot run:\n {2}broken: broken\/metadata\.yaml:3: .*has_contex/,
    );
  });

  it('describes one command', async () => {
    const { code, out } = await mctl(['help', 'wipe']);
    expect(code).toBe(ExitCode.Ok);
    expect(out).toMatch(/^Usage: mctl run wipe NODE\n/);
    expect(out).toMatch(
      /^Confirmation: {2}Wipe %\{nodes\}\? Everything on them is lost\. \(--yes answers it\)$/m,
    );
    expect(out).toMatch(/^Timeout: {7}300 s$/m);
  });

  it('lists the estate: names, ranks, groups', async () => {
    const { code, out } = await mctl(['estate-list']);
    expect(code).toBe(ExitCode.Ok);
    expect(tableRows(out)).toEqual([
      ['NAME', 'RANKS', 'GROUPS', 'PLATFORM'],
      ['node01', 'metal,default', 'rack1'],
      ['node02', 'metal,default', 'rack1'],
      ['node03', 'metal,default', 'rack1'],
      ['node04', 'gpu,default'],
    ]);
  });
});

describe('mctl run against the real API, controller and scripts', () => {
  it('streams the lines of three nodes live, prefixed, and exits 0', async () => {
    const { code, out, err } = await mctl(['run', 'hello', 'node[01-03]', '--stream']);
    expect({ code, err }).toEqual({ code: ExitCode.Ok, err: '' });
    expect(out.split('\n').filter(Boolean).sort()).toEqual([
      'node01: hello from node01',
      'node02: hello from node02',
      'node03: hello from node03',
    ]);
  });

  it("passes the arguments to the script as $1...; one node's output comes as it is", async () => {
    const { code, out } = await mctl(['run', 'hello', 'node04', 'a b', '--', '-v']);
    expect({ code, out }).toEqual({ code: ExitCode.Ok, out: 'hello from node04\nargs: a b -v\n' });
  });

  it(
    'folds identical output of a ' + 'group into one dshbak block when stdout is not a terminal',
    async () => {
      const { code, out } = await mctl(['run', 'same', '-g', 'rack1']);
      expect(code).toBe(ExitCode.Ok);
      expect(out).toBe(block('node[01-03]', 'kernel 6.1', 'uptime 3 days'));
    },
  );

  it("exits 1 when one node's script exits 3, saying where and with what on stderr", async () => {
    const { code, out, err } = await mctl(['run', 'flaky', 'node[01-03]']);
    expect(code).toBe(ExitCode.NotAllSucceeded);
    expect(out).toBe(
      block('node01', 'ok on node01') +
        block('node02', 'disk missing on node02') +
        block('node03', 'ok on node03'),
    );
    expect(err).toBe(
      'failed: node02 (flaky/default.sh on node02 exited with status 3; stderr: disk ' +
        'missing on node02)\n' +
        'exit status 3: node02\n',
    );
  });

  it('gives per-node objects with -o json', async () => {
    const { code, out } = await mctl(['-o', 'json', 'run', 'flaky', 'node0[2-3],node99']);
    expect(code).toBe(ExitCode.NotAllSucceeded);
    const rows = JSON.parse(out) as Array<{
      server: string;
      outcome: string;
      exit_code: number | null;
      output: string;
      error?: string;
    }>;
    expect(rows.map((r) => [r.server, r.outcome, r.exit_code, r.output])).toEqual([
      ['node02', 'failed', 3, 'disk missing on node02\n'],
      ['node03', 'succeeded', 0, 'ok on node03\n'],
      ['node99', 'unknown', null, ''],
    ]);
  });

  it(
    'refuses to run a command that asks, without a terminal and without --yes (exit 2, ' +
      'nothing queued)',
    async () => {
      const before = (await latest('node01'))?.id;
      const { code, out, err } = await mctl(['run', 'wipe', '-g', 'rack1']);
      expect({ code, out }).toEqual({ code: ExitCode.Usage, out: '' });
      expect(err).toBe(
        'mctl: wipe asks "Wipe node[01-03]? Everything on them is lost." before it runs, ' +
          'and stdin is not a terminal to answer on; add --yes to run it without asking\n',
      );
      expect((await latest('node01'))?.id).toBe(before);
    },
  );

  it('runs it with --yes, or when the terminal says yes', async () => {
    expect(await mctl(['run', 'wipe', '-g', 'rack1', '--yes', '--stream'])).toMatchObject({
      code: ExitCode.Ok,
      err: '',
    });
    const asked = await mctl(['run', 'wipe', 'node04'], memoryIo({ stdin: terminalTyping('yes') }));
    expect(asked).toEqual({
      code: ExitCode.Ok,
      out: 'wiped node04\n',
      err: 'Wipe node04? Everything on them is lost. [y/N] ',
    });
  });

  it('refuses a broken command with its problem, exit 2', async () => {
    const { code, err } = await mctl(['run', 'broken', 'node01']);
    expect(code).toBe(ExitCode.Usage);
    expect(err).toMatch(
      /^mctl: command "broken" is broken on the server and cannot run until its files are fixed:\n {2}broken\/metadata\.yaml:3: /,
    );
  });

  it('cancels the running scripts on the second Ctrl-C and exits 130', async () => {
    const { code, out, err } = await mctl(
      ['run', 'sleepy', 'node0[1-2]', '--stream'],
      memoryIo({ onInterrupt: ctrlC(2, 1500, 200) }),
    );
    expect(code).toBe(INTERRUPTED_EXIT);
    expect(out.split('\n').filter(Boolean).sort()).toEqual([
      'node01: started on node01',
      'node02: started on node02',
    ]);
    expect(err).toContain(
      'mctl: still running on node[01-02] (2 of 2); press Ctrl-C again to cancel, a ' +
        'third time to stop waiting\n',
    );
    expect(err).toContain(`failed: node[01-02] (cancelled by ${SUBJECT})\n`);
    for (const node of ['node01', 'node02'])
      expect(await latest(node)).toMatchObject({
        state: 'failed',
        error: `cancelled by ${SUBJECT}`,
      });
  });
});

/** The built binary: real stdin (not a terminal), real SIGINT. */
describe('the mctl binary runs commands', () => {
  beforeAll(() => {
    if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: build first (npm run build)`);
  });

  function spawnMctl(argv: string[]) {
    const child = spawn(process.execPath, [MAIN_JS, ...argv], {
      env: { PATH: process.env.PATH, HOME: stack.dir, MCTL_URL: stack.baseUrl, MCTL_TOKEN: TOKEN },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
      child.on('close', (code) => resolve({ code, out, err })),
    );
    return { child, exited, out: () => out };
  }

  it("exits 1, not the script's 3, and prints the script's status", async () => {
    const { exited } = spawnMctl(['run', 'flaky', 'node[02-03]']);
    expect(await exited).toMatchObject({
      code: 1,
      err:
        'failed: node02 (flaky/default.sh on node02 exited with status 3; stderr: disk ' +
        'missing on node02)\n' +
        'exit status 3: node02\n',
    });
  });

  it('refuses a confirmation on a pipe instead of waiting for an answer', async () => {
    const { exited } = spawnMctl(['run', 'wipe', 'node01']);
    expect(await exited).toMatchObject({ code: ExitCode.Usage, out: '' });
  });

  it('cancels on the second SIGINT and exits 130', async () => {
    const { child, exited, out } = spawnMctl(['run', 'sleepy', 'node03', '--stream']);
    for (let i = 0; i < 100 && !out().includes('started on node03'); i++) await sleep(100);
    child.kill('SIGINT');
    await sleep(200);
    child.kill('SIGINT');
    const { code, err } = await exited;
    expect(code).toBe(INTERRUPTED_EXIT);
    expect(err).toContain(`failed: node03 (cancelled by ${SUBJECT})`);
    expect(await latest('node03')).toMatchObject({
      state: 'failed',
      error: `cancelled by ${SUBJECT}`,
    });
  });
});

describe('NATS with credentials and least privilege (issue 11)', () => {
  it('refused nothing the API and the controller did in every test above', () => {
    expect(stack.natsRefusals()).toEqual([]);
  });
});
