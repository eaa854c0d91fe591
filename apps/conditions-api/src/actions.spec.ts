import { rmSync } from 'node:fs';
import {
  BatchConditionResponse,
  CommandSummary,
  CommandsResponse,
  ESTATE_COMMANDS,
  ServerConditionsResponse,
} from '@switchboard/condition-types';
import { commandsDir, writeCommand } from './testing/commands-dir';
import { Harness, bearer, queueMarks, startHarness, waitFor } from './testing/harness';
import { Method, claimOf, expectError, send } from './testing/requests';

/**
 * A commands directory with: hello (per node, holds its server), tail-log (concurrent),
 * cloud-list (no node context: runs once), and broken (a misspelt key on line 3 and a
 * script without its execute bit).
 */
const commands = {
  hello: {
    metadata:
      'help:\n  summary: Say hello\n  syntax: NODE\nconfirmation: Say hello to ' +
      '%{nodes}?\ntimeout: 30s\n',
    scripts: { 'default.sh': {}, 'metal.sh': {} },
  },
  'tail-log': {
    metadata:
      'help:\n  summary: Follow a log\n  description: Prints new log lines.\nconcurrent: true\n',
  },
  'cloud-list': { metadata: 'help:\n  summary: List cloud instances\n  has_context: false\n' },
  broken: {
    metadata: 'help:\n  summary: Broken\n  has_contex: false\n',
    scripts: { 'default.sh': { mode: 0o644 } },
  },
};

let dir: string;
let h: Harness;

beforeAll(async () => {
  dir = commandsDir(commands);
  h = await startHarness({ commandsDir: dir });
});

afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (method: Method, url: string, payload?: unknown, headers?: Record<string, string>) =>
  send(h, method, url, payload, headers);

const action = (server: string, command: string, args: string[] = []) =>
  call('POST', `/api/v1/servers/${server}/condition/action`, {
    parameters: { command, arguments: args },
  });
const batch = (targets: string, command: string) =>
  call('POST', '/api/v1/conditions', { kind: 'action', targets, parameters: { command } });

describe('GET /api/v1/commands', () => {
  it(
    'lists every command that loads, with what a client needs to run it, and every problem ' +
      'with its file and line',
    async () => {
      const res = await call('GET', '/api/v1/commands');
      expect(res.status).toBe(200);
      const answer = CommandsResponse.parse(res.json());
      expect(answer.message).toBe('5 commands; 1 broken command not loaded (2 problems)');
      expect(answer.commands.map((c) => c.name)).toEqual([
        'estate-show',
        'estate-change',
        'cloud-list',
        'hello',
        'tail-log',
      ]);
      expect(answer.commands.find((c) => c.name === 'hello')).toEqual({
        name: 'hello',
        summary: 'Say hello',
        description: 'Say hello',
        syntax: 'NODE',
        has_context: true,
        confirmation: 'Say hello to %{nodes}?',
        timeout_seconds: 30,
        concurrent: false,
        ranks: ['default', 'metal'],
      });
      expect(answer.commands.find((c) => c.name === 'tail-log')).toMatchObject({
        concurrent: true,
        has_context: true,
        timeout_seconds: 300,
      });
      expect(answer.commands.find((c) => c.name === 'cloud-list')).toMatchObject({
        has_context: false,
        concurrent: false,
      });
      expect(answer.problems).toEqual([
        {
          command: 'broken',
          file: 'broken/metadata.yaml',
          line: 3,
          message: expect.stringContaining('unknown key "help.has_contex"'),
        },
        {
          command: 'broken',
          file: 'broken/default.sh',
          message: expect.stringContaining('is not executable'),
        },
      ]);
      // The directory's place on the API's disk is nobody's business.
      expect(res.body).not.toContain(dir);
    },
  );

  it('answers one command by name', async () => {
    const res = await call('GET', '/api/v1/commands/tail-log');
    expect(res.status).toBe(200);
    expect(CommandSummary.parse(res.json())).toMatchObject({
      name: 'tail-log',
      description: 'Prints new log lines.',
    });
  });

  it.each([
    [
      'an unknown command, naming it',
      'nope',
      404,
      'unknown command "nope": not in the commands directory',
    ],
    [
      'a broken command, with its problems',
      'broken',
      404,
      /^command "broken" is broken and not loaded: broken\/metadata\.yaml:3: unknown key .*; broken\/default\.sh: is not executable/,
    ],
    ['a name no command can have', '..%2Fetc', 400, /^invalid name/],
  ])('answers %s', async (_name, name, status, message) => {
    expect(expectError(await call('GET', `/api/v1/commands/${name}`), status).message).toMatch(
      message,
    );
  });

  it('needs scope read', async () => {
    expect(
      expectError(
        await call('GET', '/api/v1/commands', undefined, bearer(h.token({ scope: 'write' }))),
        403,
      ).message,
    ).toBe('token lacks scope read');
    expect(
      expectError(await call('GET', '/api/v1/commands/hello', undefined, {}), 401).message,
    ).toMatch(/^no bearer token/);
    expect(
      (
        await call(
          'GET',
          '/api/v1/commands',
          undefined,
          bearer(h.token({ scope: 'read', servers: '@rack2' })),
        )
      ).status,
    ).toBe(200);
  });
});

describe('kind action, checked against the commands directory', () => {
  it('creates an action for a command that loads', async () => {
    const res = await action('node01', 'hello', ['--loud']);
    expect(res.status).toBe(200);
    const condition = ServerConditionsResponse.parse(res.json()).records.conditions[0];
    expect(condition).toMatchObject({
      kind: 'action',
      server: 'node01',
      state: 'pending',
      parameters: { command: 'hello', arguments: ['--loud'] },
    });
    expect((await claimOf(h, 'node01'))?.conditionId).toBe(condition.id);
  });

  it.each([
    [
      'an unknown command, naming it and what there is',
      'nope',
      new RegExp(
        '^unknown command "nope": not in the commands directory; known commands: ' +
          'estate-show, estate-change, cloud-list, hello, tail-log$',
      ),
    ],
    [
      'a broken command, naming the file problem',
      'broken',
      /^command "broken" is broken and cannot run: broken\/metadata\.yaml:3: unknown key/,
    ],
  ])(
    'refuses %s with 400 on parameters.command, creating nothing',
    async (_name, command, message) => {
      const before = await queueMarks(h.observer);
      for (const res of [await action('node02', command), await batch('node[02-03]', command)]) {
        const err = expectError(res, 400);
        expect(err.message).toMatch(message);
        expect(err.issues).toEqual([{ path: 'parameters.command', message: err.message }]);
      }
      expect(await queueMarks(h.observer)).toEqual(before);
    },
  );

  it.each<[string, string, string]>([
    ['NUL', 'a\u0000b', 'U+0000'],
    ['a line feed', 'ok\nnode02: forged', 'U+000A'],
    ['a carriage return', 'ok\r', 'U+000D'],
    ['ESC', '\u001b]0;title\u0007', 'U+001B'],
    ['DEL', 'a\u007f', 'U+007F'],
    ['a C1 control', '\u009b2J', 'U+009B'],
  ])(
    'refuses an argument holding %s with 400 naming it, creating nothing',
    async (_name, argument, code) => {
      const before = await queueMarks(h.observer);
      const err = expectError(await action('node02', 'hello', ['fine', argument]), 400);
      expect(err.issues).toEqual([
        {
          path: 'parameters.arguments.1',
          message:
            `an argument contains the control character ${code}; arguments are text ` +
            `without control characters (tab is allowed)`,
        },
      ]);
      expect(await queueMarks(h.observer)).toEqual(before);
    },
  );

  it('takes an argument with a tab and any printable text', async () => {
    const args = ['a\tb', 'ünïcödé 日本 🙂', '$(id) `id` ; rm -rf /'];
    const res = await action('node16', 'hello', args);
    expect(res.status).toBe(200);
    expect(ServerConditionsResponse.parse(res.json()).records.conditions[0].parameters).toEqual({
      command: 'hello',
      arguments: args,
    });
  });

  it('holds the server for a command that is not concurrent: a second one is 409', async () => {
    const first = await action('node04', 'hello');
    const id = ServerConditionsResponse.parse(first.json()).records.conditions[0].id;
    const second = expectError(await action('node04', 'hello'), 409);
    expect(second.conditionId).toBe(id);
  });

  it(
    'takes no claim for a concurrent command: two on one server are both accepted, beside ' +
      'an exclusive one',
    async () => {
      const held = ServerConditionsResponse.parse((await action('node05', 'hello')).json()).records
        .conditions[0];
      const [a, b] = [await action('node05', 'tail-log'), await action('node05', 'tail-log')];
      expect([a.status, b.status]).toEqual([200, 200]);
      const ids = [a, b].map(
        (r) => ServerConditionsResponse.parse(r.json()).records.conditions[0].id,
      );
      expect(new Set(ids).size).toBe(2);
      // The exclusive condition keeps its claim; the concurrent ones never touched it.
      expect((await claimOf(h, 'node05'))?.conditionId).toBe(held.id);
      expect((await action('node06', 'tail-log')).status).toBe(200);
      expect(await claimOf(h, 'node06')).toBeNull();
    },
  );

  it(
    'applies the same rules to a batch: concurrent commands twice over a range, exclusive ' +
      'ones once',
    async () => {
      const outcomes = async (command: string) =>
        BatchConditionResponse.parse((await batch('node[07-08]', command)).json()).results.map(
          (r) => r.outcome,
        );
      expect(await outcomes('tail-log')).toEqual(['accepted', 'accepted']);
      expect(await outcomes('tail-log')).toEqual(['accepted', 'accepted']);
      expect(await outcomes('hello')).toEqual(['accepted', 'accepted']);
      expect(await outcomes('hello')).toEqual(['conflict', 'conflict']);
    },
  );

  describe('a command without node context (has_context: false)', () => {
    it(
      'is refused for a batch naming several servers: it would run once, not once per ' + 'server',
      async () => {
        const before = await queueMarks(h.observer);
        const err = expectError(await batch('node[09-10]', 'cloud-list'), 400);
        expect(err.message).toBe(
          'command "cloud-list" runs once, without a node (has_context: false): name ' +
            'exactly one server in targets, not 2',
        );
        expect(err.issues?.[0].path).toBe('targets');
        expect(expectError(await batch('node09,ghost1', 'cloud-list'), 400).message).toContain(
          'not 2',
        );
        expect(await queueMarks(h.observer)).toEqual(before);
      },
    );

    it('is created once for a batch naming one server, and on the per-server route', async () => {
      const one = BatchConditionResponse.parse((await batch('node09', 'cloud-list')).json());
      expect(one.results).toEqual([
        expect.objectContaining({ server: 'node09', outcome: 'accepted' }),
      ]);
      expect((await action('node10', 'cloud-list')).status).toBe(200);
    });
  });

  it(
    'follows the directory: a command ' + 'fixed on disk can run without restarting the API',
    async () => {
      writeCommand(dir, 'broken', {
        metadata: 'help:\n  summary: Fixed\n  has_context: false\nconcurrent: true\n',
      });
      await waitFor(
        async () => (await call('GET', '/api/v1/commands/broken')).status === 200,
        10_000,
        'the fixed command to load',
      );
      expect((await action('node11', 'broken')).status).toBe(200);
    },
  );

  it('never runs a directory command named like a built-in: it is a problem', async () => {
    writeCommand(dir, 'estate-show', { metadata: 'help:\n  summary: Site script\n' });
    const listing = async () =>
      CommandsResponse.parse((await call('GET', '/api/v1/commands')).json());
    await waitFor(
      async () => (await listing()).problems.some((p) => p.command === 'estate-show'),
      10_000,
      'the directory command estate-show to load',
    );
    const answer = await listing();
    expect(answer.commands.filter((c) => c.name === 'estate-show')).toEqual([ESTATE_COMMANDS[0]]);
    expect(answer.problems).toContainEqual({
      command: 'estate-show',
      file: 'estate-show',
      message: 'not used: estate-show is a built-in command (the estate code carries it out)',
    });
    const one = await call('GET', '/api/v1/commands/estate-show');
    expect(one.json()).toEqual(ESTATE_COMMANDS[0]);
  });
});
