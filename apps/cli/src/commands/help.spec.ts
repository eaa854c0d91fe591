import { ExitCode } from '../exit-codes';
import { run } from '../program';
import { FakeApi, fakeCommand } from '../test-support/fake-api';
import { memoryIo } from '../test-support/memory-io';
import { tableRows } from '../test-support/table';

function api(): FakeApi {
  const fake = FakeApi.fleet(2);
  fake.commands = [
    fakeCommand('usage', {
      summary: 'Show the load and uptime of a node',
      description: 'Prints the uptime.\n\nOn metal nodes over SSH.\n',
      syntax: 'NODE',
      ranks: ['default', 'metal'],
    }),
    fakeCommand('power-off', {
      summary: 'Power a node off',
      confirmation: 'Power off %{nodes}?',
      timeout_seconds: 120,
    }),
    fakeCommand('power', { summary: "a command named like mctl's own" }),
  ];
  fake.problems = [
    {
      command: 'reflash',
      file: 'reflash/metadata.yaml',
      line: 3,
      message: 'unknown key "has_contex"',
    },
    { command: 'reflash', file: 'reflash/ipmi.sh', message: 'not executable (chmod +x)' },
    { command: 'sel', file: 'sel', message: 'no default.sh' },
  ];
  return fake;
}

async function mctl(argv: string[], fake: FakeApi | undefined = api()) {
  const io = memoryIo();
  if (fake) io.fetch = fake.fetch;
  const code = await run(argv, io);
  return { code, out: io.stdout.text(), err: io.stderr.text(), requests: fake?.requests ?? [] };
}

describe("mctl help: the server's commands", () => {
  it('lists them with their summaries; built-in names say how to reach their help', async () => {
    const { code, out } = await mctl(['help']);
    expect(code).toBe(0);
    expect(tableRows(out).slice(0, 4)).toEqual([
      ['COMMAND', 'SUMMARY'],
      ['power', "a command named like mctl's own (help: mctl help run power)"],
      ['power-off', 'Power a node off'],
      ['usage', 'Show the load and uptime of a node'],
    ]);
    expect(out).toMatch(/^Run one: {7}mctl run <command> <node\|range> \[args\.\.\.\]/m);
  });

  it('notes broken commands briefly on stderr: one line each, its first problem', async () => {
    const { err } = await mctl(['help']);
    expect(err).toBe(
      'mctl: note: 2 commands are broken on the server and cannot run:\n' +
        '  reflash: reflash/metadata.yaml:3: unknown key "has_contex" (and 1 more)\n' +
        '  sel: sel: no default.sh\n',
    );
  });

  it("says so, in the API's words, when there are none", async () => {
    const original = FakeApi.fleet(1).fetch;
    const fetchNoDir: typeof fetch = async (input, init) =>
      String(input).endsWith('/commands')
        ? new Response(
            JSON.stringify({
              message:
                'no commands directory configured (COMMANDS_DIR is not set): there are ' +
                'no commands to list',
              commands: [],
              problems: [],
            }),
          )
        : original(input, init);
    const io = memoryIo({ fetch: fetchNoDir });
    expect(await run(['help'], io)).toBe(0);
    expect(io.stdout.text()).toBe(
      'The server has no commands that can run (no commands directory configured ' +
        '(COMMANDS_DIR is not set): there are no commands to list).\n',
    );
    const runIo = memoryIo({ fetch: fetchNoDir });
    expect(await run(['run', 'usage', 'node01'], runIo)).toBe(ExitCode.Usage);
    expect(runIo.stderr.text()).toBe(
      'mctl: the server has no command "usage"\nthe server has no commands: no commands ' +
        'directory configured (COMMANDS_DIR is not set): there are no commands to list\n',
    );
  });

  it('gives the listing as it is with -o json', async () => {
    const { code, out } = await mctl(['-o', 'json', 'help']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      commands: [{ name: 'usage' }, { name: 'power-off' }, { name: 'power' }],
      problems: [{}, {}, {}],
    });
  });
});

describe('mctl help <name>', () => {
  it('describes a server command: usage, description, ranks, timeout, confirmation', async () => {
    const { code, out } = await mctl(['help', 'usage']);
    expect(code).toBe(0);
    expect(out).toBe(
      [
        'Usage: mctl run usage NODE',
        '       mctl run usage -g <group> [args...]',
        '',
        'Show the load and uptime of a node',
        '',
        'Prints the uptime.',
        '',
        'On metal nodes over SSH.',
        '',
        'Runs:          once per node, with that node as its context',
        'Ranks:         default, metal',
        'Timeout:       30 s',
        'Concurrent:    no: one condition at a time per node',
        'Confirmation:  none',
        '',
      ].join('\n'),
    );
  });

  it('shows the confirmation question as written', async () => {
    const { out } = await mctl(['help', 'power-off']);
    expect(out).toMatch(/^Confirmation: {2}Power off %\{nodes\}\? \(--yes answers it\)$/m);
    expect(out).toMatch(/^Timeout: {7}120 s$/m);
  });

  it.each([
    [['help', 'power'], /^Usage: mctl power \[options\] \[verb\] \[targets\]/],
    [['help', 'run'], /^Usage: mctl run \[options\] <command> <node\|range> \[args\.\.\.\]/],
    [['help', 'estate-list'], /^Usage: mctl estate-list/],
    [['help', 'help'], /^Usage: mctl help \[options\] \[name\] \[command\]/],
  ])("%j: mctl's own commands come first, without asking the API", async (argv, usage) => {
    const { code, out, requests } = await mctl(argv, undefined);
    expect(code).toBe(0);
    expect(out).toMatch(usage);
    expect(requests).toEqual([]);
  });

  it.each([[['run', '--help']], [['estate-list', '--help']], [['help', '--help']]])(
    '%j has examples',
    async (argv) => {
      const { code, out } = await mctl(argv, undefined);
      expect(code).toBe(0);
      expect(out).toMatch(/Examples:\n {2}mctl /);
    },
  );

  it('"help run <command>" reaches a server command named like a built-in', async () => {
    const { code, out } = await mctl(['help', 'run', 'power']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: mctl run power NODE$/m);
  });

  it('lists the problems of a broken command, exit 1', async () => {
    const { code, out, err } = await mctl(['help', 'reflash']);
    expect({ code, out }).toEqual({ code: ExitCode.NotAllSucceeded, out: '' });
    expect(err).toBe(
      'mctl: command "reflash" is broken on the server and cannot run until its files ' +
        'are fixed:\n' +
        '  reflash/metadata.yaml:3: unknown key "has_contex"\n  reflash/ipmi.sh: not ' +
        'executable (chmod +x)\n',
    );
  });

  it.each([
    [
      ['help', 'nosuch'],
      'mctl: "nosuch" is neither one of mctl\'s commands nor a command of the ' +
        "server\nmctl --help lists mctl's own commands; mctl help lists the server's\n",
    ],
    [['help', 'power', 'on'], 'mctl: too many arguments: mctl help power takes no more words\n'],
    [['help', 'usage', 'x'], 'mctl: too many arguments: mctl help usage takes no more words\n'],
  ])('%j is a usage error', async (argv, message) => {
    const { code, err } = await mctl(argv);
    expect(code).toBe(ExitCode.Usage);
    expect(err).toBe(message);
  });

  it("the API being down says so (exit 3); mctl's own help still works", async () => {
    const io = memoryIo({
      fetch: async () =>
        Promise.reject(
          Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
        ),
    });
    expect(await run(['help'], io)).toBe(ExitCode.Api);
    expect(io.stderr.text()).toBe(
      'mctl: cannot reach the Switchboard API at http://127.0.0.1:9001: connection ' +
        'refused (is conditions-api running?)\n',
    );
    expect(await run(['help', 'boot'], memoryIo())).toBe(0);
  });
});
