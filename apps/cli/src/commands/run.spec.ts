import { ExitCode, INTERRUPTED_EXIT } from '../exit-codes';
import { run } from '../program';
import { FakeApi, fakeCommand } from '../test-support/fake-api';
import type { FakeServer } from '../test-support/fake-api';
import { memoryIo } from '../test-support/memory-io';
import type { MemoryIo } from '../test-support/memory-io';
import { ctrlC, terminalTyping } from '../test-support/terminal';

const POWER_OFF = fakeCommand('power-off', {
  confirmation: 'Power off %{nodes}? Whatever runs there stops at once.',
});

function fleet(extra: Record<string, Partial<FakeServer>> = {}, count = 4): FakeApi {
  const api = new FakeApi(
    Array.from({ length: count }, (_, i) => {
      const name = `node${String(i + 1).padStart(2, '0')}`;
      return { name, groups: i < 2 ? ['rack1'] : ['rack2'], ...extra[name] };
    }),
  );
  api.commands = [fakeCommand('hello'), POWER_OFF];
  return api;
}

async function mctl(api: FakeApi, argv: string[], io: MemoryIo = memoryIo()) {
  io.fetch = api.fetch;
  const code = await run(argv, io);
  return { code, out: io.stdout.text(), err: io.stderr.text() };
}

const posts = (api: FakeApi) => api.requests.filter((r) => r.method === 'POST');
const same = (line: string) => ({ output: [{ stream: 'stdout' as const, line }] });
const block = (nodes: string, ...lines: string[]) =>
  ['----------------', nodes, '----------------', ...lines].map((l) => `${l}\n`).join('');

describe('mctl run: what is sent', () => {
  it.each([
    [
      ['run', 'hello', 'node[01-03]'],
      '/api/v1/conditions',
      { kind: 'action', targets: 'node[01-03]', parameters: { command: 'hello', arguments: [] } },
    ],
    [
      ['run', 'hello', 'node01', 'a', 'b c'],
      '/api/v1/servers/node01/condition/action',
      { parameters: { command: 'hello', arguments: ['a', 'b c'] } },
    ],
    [
      ['run', 'hello', 'node01', '--', '-v', '--yes'],
      '/api/v1/servers/node01/condition/action',
      { parameters: { command: 'hello', arguments: ['-v', '--yes'] } },
    ],
    [
      ['run', 'hello', '-g', 'rack1', 'x'],
      '/api/v1/conditions',
      { kind: 'action', targets: '@rack1', parameters: { command: 'hello', arguments: ['x'] } },
    ],
    [
      ['run', 'hello', '-s', 'node0[1-2]', '-g', 'rack2'],
      '/api/v1/conditions',
      {
        kind: 'action',
        targets: 'node0[1-2],@rack2',
        parameters: { command: 'hello', arguments: [] },
      },
    ],
  ])('%j → POST %s %j', async (argv, path, body) => {
    const api = fleet();
    const { code } = await mctl(api, argv);
    expect(code).toBe(ExitCode.Ok);
    expect(posts(api).map((r) => [r.path, r.body])).toEqual([[path, body]]);
  });
});

describe('mctl run: the output', () => {
  it(
    'streams lines live, prefixed ' + 'by node, with --stream (or when stdout is a terminal)',
    async () => {
      for (const [argv, stdoutTTY] of [
        [['run', 'hello', 'node[01-03]', '--stream'], false],
        [['run', 'hello', 'node[01-03]'], true],
      ] as const) {
        const { code, out, err } = await mctl(fleet(), [...argv], memoryIo({ stdoutTTY }));
        expect({ code, err }).toEqual({ code: 0, err: '' });
        expect(out.split('\n').filter(Boolean).sort()).toEqual([
          'node01: hello from node01',
          'node02: hello from node02',
          'node03: hello from node03',
        ]);
      }
    },
  );

  it("sends the script's stderr to stderr, prefixed too", async () => {
    const api = fleet({
      node02: {
        output: [
          { stream: 'stdout', line: 'out' },
          { stream: 'stderr', line: 'warning: disk 91% full' },
        ],
      },
    });
    const { out, err } = await mctl(api, ['run', 'hello', 'node0[1-2]', '--stream']);
    expect(out).toMatch(/^node02: out$/m);
    expect(err).toBe('node02: warning: disk 91% full\n');
  });

  it(
    'folds identical output into dshbak -c blocks when stdout is not a terminal (or with ' +
      '--fold)',
    async () => {
      const api = fleet({
        node01: same('load 0.1'),
        node02: same('load 0.1'),
        node03: same('load 2.5'),
        node04: same('load 0.1'),
      });
      const { code, out } = await mctl(api, ['run', 'hello', 'node[01-04]']);
      expect(code).toBe(0);
      expect(out).toBe(block('node[01-02,04]', 'load 0.1') + block('node03', 'load 2.5'));
      expect(
        (await mctl(api, ['run', 'hello', 'node[01-04]', '--fold'], memoryIo({ stdoutTTY: true })))
          .out,
      ).toBe(out);
    },
  );

  it('shows one node as it is: no prefix, no header', async () => {
    const { code, out } = await mctl(fleet(), ['run', 'hello', 'node01']);
    expect({ code, out }).toEqual({ code: 0, out: 'hello from node01\n' });
  });

  it('prints one object per node with -o json', async () => {
    const api = fleet({
      node02: { exitCode: 3, output: [{ stream: 'stderr', line: 'no such device' }] },
    });
    const { code, out } = await mctl(api, ['-o', 'json', 'run', 'hello', 'node[01-02],node99']);
    expect(code).toBe(1);
    const rows = JSON.parse(out) as Array<Record<string, unknown>>;
    expect(rows.map(({ conditionId: _id, ...r }) => r)).toEqual([
      { server: 'node01', outcome: 'succeeded', exit_code: 0, output: 'hello from node01\n' },
      {
        server: 'node02',
        outcome: 'failed',
        exit_code: 3,
        output: 'no such device\n',
        error: 'hello/default.sh on node02 exited with status 3',
      },
      {
        server: 'node99',
        outcome: 'unknown',
        exit_code: null,
        output: '',
        error: 'server "node99" is not in the inventory',
      },
    ]);
    expect(rows[0].conditionId).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
  });

  it('with --no-wait only queues and prints each condition id', async () => {
    const api = fleet();
    const { code, out } = await mctl(api, ['run', 'hello', 'node0[1-2]', '--no-wait']);
    expect(code).toBe(0);
    expect(out).toMatch(
      /^queued: node01 \(condition [0-9a-f-]{36}\)\nqueued: node02 \(condition [0-9a-f-]{36}\)\n$/,
    );
    expect(api.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual([
      '/api/v1/commands',
    ]);
  });
});

describe("mctl run: exit status 1 when a node failed, the scripts' statuses printed", () => {
  it.each([
    ['every node succeeded', 0, {}, ''],
    [
      "one script exits 3 (mctl's own code for an unreachable API)",
      1,
      { node02: { exitCode: 3 } },
      'failed: node02 (hello/default.sh on node02 exited with status 3)\nexit status 3: node02\n',
    ],
    [
      'two scripts exit 2 and 5',
      1,
      { node01: { exitCode: 2 }, node03: { exitCode: 5 } },
      'failed: node01 (hello/default.sh on node01 exited with status 2)\nfailed: node03 ' +
        '(hello/default.sh on node03 exited with status 5)\nexit status 2: node01\nexit ' +
        'status 5: node03\n',
    ],
    [
      'a timeout has no status of its own',
      1,
      { node02: { exitCode: null } },
      'failed: node02 (timed out after 30 s (process group killed))\n',
    ],
    [
      'a conflict',
      1,
      { node01: { busyWith: '5f0c1c52-4c1f-4d43-9f0e-2f4f3c7b9a11' } },
      'conflict: node01 (condition 5f0c1c52-4c1f-4d43-9f0e-2f4f3c7b9a11 in progress)\n',
    ],
  ])('%s: exit %i, what went wrong folded on stderr', async (_name, status, servers, summary) => {
    const { code, err } = await mctl(fleet(servers), ['run', 'hello', 'node[01-03]']);
    expect(code).toBe(status);
    expect(err).toBe(summary);
  });

  it.each([
    [['run', 'hello', 'node01,node99', '--stream'], 'node01: hello from node01\n'],
    [['run', 'hello', 'node99'], ''],
  ])('%j reports nodes the inventory does not know, exit 1', async (argv, output) => {
    const { code, out, err } = await mctl(fleet(), argv);
    expect({ code, out, err }).toEqual({ code: 1, out: output, err: 'unknown: node99\n' });
  });
});

describe('mctl run: confirmation', () => {
  it('refuses without a terminal and without --yes: exit 2, nothing sent', async () => {
    const api = fleet();
    const { code, err } = await mctl(api, ['run', 'power-off', '-g', 'rack2']);
    expect(code).toBe(ExitCode.Usage);
    expect(err).toBe(
      'mctl: power-off asks "Power off node[03-04]? Whatever runs there stops at once." ' +
        'before it runs, and stdin is not a terminal to answer on; add --yes to run it ' +
        'without asking\n',
    );
    expect(posts(api)).toEqual([]);
  });

  it.each([['--yes'], ['-y'], ['--confirm']])('runs unasked with %s', async (flag) => {
    const api = fleet();
    const { code, err } = await mctl(api, ['run', 'power-off', 'node[01-02]', flag]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(posts(api)).toHaveLength(1);
  });

  it('asks on the terminal with the nodes folded, and runs on yes', async () => {
    const api = fleet();
    const { code, err } = await mctl(
      api,
      ['run', 'power-off', 'node01,node02,node04'],
      memoryIo({ stdin: terminalTyping('y') }),
    );
    expect(code).toBe(0);
    expect(err).toBe('Power off node[01-02,04]? Whatever runs there stops at once. [y/N] ');
    expect(posts(api)).toHaveLength(1);
  });

  it('runs nothing on any other answer: exit 1', async () => {
    const api = fleet();
    const { code, err } = await mctl(
      api,
      ['run', 'power-off', 'node01'],
      memoryIo({ stdin: terminalTyping('') }),
    );
    expect(code).toBe(ExitCode.NotAllSucceeded);
    expect(err).toBe(
      'Power off node01? Whatever runs there stops at once. [y/N] mctl: not confirmed; ' +
        'nothing was run\n',
    );
    expect(posts(api)).toEqual([]);
  });

  it('asks nothing of a command without a question', async () => {
    const { code } = await mctl(
      fleet(),
      ['run', 'hello', 'node01'],
      memoryIo({ stdin: terminalTyping() }),
    );
    expect(code).toBe(0);
  });
});

describe('mctl run: Ctrl-C', () => {
  it(
    'the first press says what still ' + 'runs; the second cancels it (DELETE) and exits 130',
    async () => {
      const api = fleet({ node02: { stuck: true } });
      const { code, out, err } = await mctl(
        api,
        ['run', 'hello', 'node0[1-2]', '--stream'],
        memoryIo({ onInterrupt: ctrlC(2, 50) }),
      );
      expect(code).toBe(INTERRUPTED_EXIT);
      expect(out.split('\n').filter(Boolean).sort()).toEqual([
        'node01: hello from node01',
        'node02: hello from node02',
      ]);
      expect(err).toContain(
        '\nmctl: still running on node02 (1 of 2); press Ctrl-C again to cancel, a third ' +
          'time to stop waiting\n',
      );
      expect(err).toContain('\nmctl: cancelling on node02...\n');
      expect(err).toMatch(/failed: node02 \(cancelled by anonymous\)\n$/);
      const deleted = api.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
      const stuck = [...api.conditions.values()].find((c) => c.target === 'node02')!;
      expect(deleted).toEqual([`/api/v1/conditions/${stuck.id}`]);
    },
  );

  it('the third press stops waiting at once, whatever the cancel came to', async () => {
    const api = fleet({ node02: { stuck: true, uncancellable: true } });
    const { code, err } = await mctl(
      api,
      ['run', 'hello', 'node0[1-2]', '--stream'],
      memoryIo({ onInterrupt: ctrlC(3, 50) }),
    );
    expect(code).toBe(INTERRUPTED_EXIT);
    expect(err).toContain('\nmctl: cancelling on node02...\n');
    expect(err).toMatch(
      /\nmctl: could not cancel on node02: no controller acknowledged the cancel of condition [0-9a-f-]{36} within 5 s\n/,
    );
    expect(err).toContain(
      '\nmctl: stopped waiting; node02 may still be running (mctl power --action-status ' +
        'shows how they end)\n',
    );
    expect(err).toMatch(/timeout: node02 \(still active when mctl stopped waiting\)\n$/);
  });
});

describe('mctl run: usage errors exit 2 before any condition is created', () => {
  it.each([
    [
      ['run', 'nosuch', 'node01'],
      'mctl: the server has no command "nosuch"\ncommands: hello, power-off (mctl help ' +
        'describes them)\n',
    ],
    [['run', 'hello'], 'mctl: which nodes? mctl run hello <node|range> [args...], or -g <group>\n'],
    [['run', 'hello', 'node[01-'], 'mctl: invalid node range "node[01-": unclosed \'[\'\n'],
    [
      ['run', 'hello', 'node01', '--stream', '--fold'],
      'mctl: --stream and --fold contradict each other: choose one\n',
    ],
    [
      ['-o', 'json', 'run', 'hello', 'node01', '--stream'],
      'mctl: -o json prints one object per node at the end: drop --stream\n',
    ],
    [
      ['run', 'hello', 'node01', '-v'],
      /^mctl: unknown option '-v'\n\(script arguments that start with "-" go after "--"/,
    ],
    [['run'], /^mctl: missing required argument 'command'/],
  ])('%j', async (argv, message) => {
    const api = fleet();
    const { code, err } = await mctl(api, argv);
    expect(code).toBe(ExitCode.Usage);
    if (typeof message === 'string') expect(err).toBe(message);
    else expect(err).toMatch(message);
    expect(posts(api)).toEqual([]);
  });

  it('names the problems of a broken command', async () => {
    const api = fleet();
    api.problems = [
      {
        command: 'reflash',
        file: 'reflash/metadata.yaml',
        line: 3,
        message: 'unknown key "has_contex"',
      },
      { command: 'reflash', file: 'reflash/ipmi.sh', message: 'not executable (chmod +x)' },
    ];
    const { code, err } = await mctl(api, ['run', 'reflash', 'node01']);
    expect(code).toBe(ExitCode.Usage);
    expect(err).toBe(
      'mctl: command "reflash" is broken on the server and cannot run until its files ' +
        'are fixed:\n' +
        '  reflash/metadata.yaml:3: unknown key "has_contex"\n  reflash/ipmi.sh: not ' +
        'executable (chmod +x)\n',
    );
  });
});
