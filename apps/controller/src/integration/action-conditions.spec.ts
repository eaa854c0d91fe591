import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cancelSubject, Condition } from '@switchboard/condition-types';
import pino from 'pino';
import { startController } from '../controller';
import {
  CommandSpec,
  isRunning,
  readOutput,
  storedLineCount,
  textOf,
  writeCommand,
} from '../test-support/commands';
import {
  records,
  TestController,
  waitFor,
  waitForClaimReleased,
  waitForFinal,
  waitForRecord,
} from '../test-support/harness';
import { useScene } from '../test-support/scene';

// Action conditions through a real controller: real nats-server, real bash scripts in a real
// commands directory, real process groups checked through /proc.

// Leaves a child behind in its group, says both pids, then waits (for its timeout or a cancel).
const LINGERING = 'sleep 300 & echo "child $!"; echo "leader $$"; echo ready; wait';

const COMMANDS: Record<string, CommandSpec> = {
  rank: {
    scripts: { 'metal.sh': 'echo "metal.sh on $name"', 'default.sh': 'echo "default.sh on $name"' },
  },
  // Records what it was given: its whole starting environment, its arguments, its working
  // directory.
  probe: {
    scripts: {
      'default.sh':
        'out="$1/$name"; mkdir -p "$out"; cat "/proc/$$/environ" > "$out/environ"; ' +
        'shift; printf "%s\\0" "$@" > "$out/args"; pwd > "$out/pwd"; ls -A | wc -l > ' +
        '"$out/cwd-entries"',
    },
  },
  report: {
    metadata: '  has_context: false\n',
    scripts: {
      'default.sh': 'cat "/proc/$$/environ" > "$1/report-environ"; echo "report for nobody"',
    },
  },
  fail: {
    scripts: { 'default.sh': 'echo checking; echo "disk full" >&2; echo "giving up" >&2; exit 3' },
  },
  broken: { scripts: { 'default.sh': { body: 'echo never', mode: 0o644 } } },
  slow: { metadata: 'timeout: 2s\n', scripts: { 'default.sh': LINGERING } },
  long: { metadata: 'timeout: 5m\n', scripts: { 'default.sh': LINGERING } },
  // Interleaved lines, then a burst at the very end: the last lines leave just before it exits.
  chatty: {
    scripts: {
      'default.sh':
        'for i in $(seq 1 100); do echo "out $i"; echo "err $i" >&2; done; seq -f "out ' +
        '%g" 101 "$1"; seq -f "err %g" 101 "$1" >&2',
    },
  },
  // Succeeds only if another run of it starts on the same node while it runs.
  together: {
    metadata: 'concurrent: true\n',
    scripts: {
      'default.sh':
        'mkdir -p "$1"; touch "$1/$$"; for _ in $(seq 100); do [ "$(ls "$1" | wc -l)" ' +
        '-ge 2 ] && exit 0; sleep 0.05; done; echo "ran alone" >&2; exit 1',
    },
  },
  // Fails if another run of it is inside at the same time.
  alone: {
    scripts: {
      'default.sh': 'mkdir "$1" || { echo "overlapped" >&2; exit 1; }; sleep 0.5; rmdir "$1"',
    },
  },
};

describe('action conditions', () => {
  let controller: TestController;
  let results: string;
  const marker = join(tmpdir(), `sb-controller-injected-${process.pid}`);

  // Values that would run as code if anything spliced them into shell text.
  const hostile: Record<string, string> = {
    v_subst: `$(touch ${marker})`,
    v_backticks: `\`touch ${marker}\``,
    v_semicolon: `x; touch ${marker}`,
    v_quotes: `it's "quoted" \\ and '${marker}'`,
    v_newlines: `first line\nsecond; touch ${marker}\n\nlast`,
    v_expansion: '${PATH} $HOME $0',
  };

  const nodes = [
    { name: 'metal01', ranks: ['metal'] },
    { name: 'vm01', ranks: ['gpu'] },
    { name: 'env01', vars: hostile },
    ...['out01', 'out02', 'out03', 'shared01', 'solo01', 'misc01', 'queue01'].map((name) => ({
      name,
    })),
  ];
  const scene = useScene({ name: 'action', commands: COMMANDS, nodes });

  beforeAll(async () => {
    results = join(scene.dir, 'results');
    mkdirSync(results);
    controller = await scene.startController({ id: 'ctl-act' });
  });

  afterAll(() => rmSync(marker, { force: true }));

  const action = (
    server: string,
    command: string,
    args: string[] = [],
    options: { exclusive?: boolean; by?: string } = {},
  ) =>
    scene.nats.store.create({
      kind: 'action',
      server,
      parameters: { command, arguments: args },
      requestedBy: options.by ?? 'alice',
      exclusive: options.exclusive,
    });

  const run = async (server: string, command: string, args: string[] = []): Promise<Condition> => {
    const created = await action(server, command, args);
    return waitForFinal(scene.nats.store, created.id, 20_000);
  };

  it('runs the script of the first rank the node has, else default.sh', async () => {
    const [metal, vm] = await Promise.all([run('metal01', 'rank'), run('vm01', 'rank')]);

    expect(metal).toMatchObject({
      state: 'succeeded',
      result: { exit_code: 0, script: 'rank/metal.sh' },
      controller: 'ctl-act',
    });
    expect(records(metal)).toEqual([
      'queued by alice',
      'picked up by controller ctl-act',
      'running rank/metal.sh on metal01',
      'succeeded: {"exit_code":0,"script":"rank/metal.sh"}',
    ]);
    expect(vm).toMatchObject({
      state: 'succeeded',
      result: { exit_code: 0, script: 'rank/default.sh' },
    });
    expect(textOf(await readOutput(scene.nats, vm.id), 'stdout')).toEqual(['default.sh on vm01']);
    await waitForClaimReleased(scene.nats.store, 'metal01');
  });

  it(
    'gives node attributes and arguments to the script as data, in a clean working ' + 'directory',
    async () => {
      // Arguments are text without control characters (the API refuses the others); node
      // variables, from the inventory, may hold line feeds.
      const args = [
        results,
        ...Object.values(hostile).filter((v) => !v.includes('\n')),
        '',
        '-n --help',
      ];

      const done = await run('env01', 'probe', args);

      expect(done.state).toBe('succeeded');
      const out = join(results, 'env01');
      const environ = readFileSync(join(out, 'environ'), 'utf8').split('\0').filter(Boolean);
      const env = Object.fromEntries(
        environ.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
      expect(env).toEqual({
        ...hostile,
        name: 'env01',
        command: 'probe',
        SCRIPT_ROOT: join(scene.commandsDir, 'probe'),
        SWITCHBOARD_REQUESTER: 'alice',
        // Fixed, not the controller's (issue 11).
        PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        LANG: 'C.UTF-8',
      });
      expect(readFileSync(join(out, 'args'), 'utf8').split('\0').slice(0, -1)).toEqual(
        args.slice(1),
      );
      expect(existsSync(marker)).toBe(false);
      expect(readFileSync(join(out, 'pwd'), 'utf8').trim()).not.toBe(process.cwd());
      expect(readFileSync(join(out, 'cwd-entries'), 'utf8').trim()).toBe('0');
    },
  );

  it(
    'logs how many arguments an ' + 'action has and how long each is, never what they say',
    async () => {
      const secret = '--db-password=Tr0ub4dor-and-3-horses';
      const done = await run('misc01', 'probe', [results, secret]);
      expect(done.state).toBe('succeeded');
      const started = await waitFor(
        'the condition.started line',
        () =>
          readFileSync(controller.logFile, 'utf8')
            .split('\n')
            .filter((l) => l.includes(done.id) && l.includes('"condition.started"'))[0],
        5000,
      );
      expect(JSON.parse(started)).toMatchObject({
        parameters: {
          command: 'probe',
          arguments: { count: 2, lengths: [results.length, secret.length] },
        },
      });
      expect(readFileSync(controller.logFile, 'utf8')).not.toContain('Tr0ub4dor');
    },
  );

  it(
    'runs a command without context once, for no node: the target is recorded, no node ' +
      'variables',
    async () => {
      const done = await run('misc01', 'report', [results]);

      expect(done).toMatchObject({
        state: 'succeeded',
        target: 'misc01',
        result: { exit_code: 0, script: 'report/default.sh' },
      });
      expect(records(done)).toContain(
        'running report/default.sh (once, for no node: the command has no context)',
      );
      const names = readFileSync(join(results, 'report-environ'), 'utf8')
        .split('\0')
        .filter(Boolean)
        .map((kv) => kv.slice(0, kv.indexOf('=')));
      expect(names.sort()).toEqual([
        'LANG',
        'PATH',
        'SCRIPT_ROOT',
        'SWITCHBOARD_REQUESTER',
        'command',
      ]);
    },
  );

  it(
    'fails a script that exits non-zero with its status and the end of its stderr; the ' +
      'output stream has all of it',
    async () => {
      const done = await run('misc01', 'fail');

      expect(done).toMatchObject({
        state: 'failed',
        error: 'fail/default.sh on misc01 exited with status 3; stderr: disk full | giving up',
        result: { exit_code: 3, script: 'fail/default.sh' },
      });
      expect(records(done)).not.toContain('checking');
      const output = await readOutput(scene.nats, done.id);
      expect(textOf(output, 'stdout')).toEqual(['checking']);
      expect(textOf(output, 'stderr')).toEqual(['disk full', 'giving up']);
    },
  );

  it('fails an unknown command, and a broken one naming the file at fault', async () => {
    const [unknown, broken] = await Promise.all([run('misc01', 'nope'), run('solo01', 'broken')]);

    expect(unknown).toMatchObject({
      state: 'failed',
      error: `unknown command nope: no such command in ${scene.commandsDir}`,
    });
    expect(broken.state).toBe('failed');
    expect(broken.error).toContain(
      `command broken is broken and was not loaded: ` +
        `${join(scene.commandsDir, 'broken', 'default.sh')}: `,
    );
    expect(broken.error).toMatch(/executable/);
    expect(records(broken).some((r) => r.startsWith('running '))).toBe(false);
  });

  it(
    'kills the whole process group ' + "at the command's timeout: no child is left running",
    async () => {
      const started = Date.now();

      const done = await run('misc01', 'slow');

      expect(done).toMatchObject({
        state: 'failed',
        error: 'slow/default.sh on misc01 timed out after 2 s (process group killed)',
        result: { exit_code: null },
      });
      expect(Date.now() - started).toBeLessThan(10_000);
      const pids = pidsIn(textOf(await readOutput(scene.nats, done.id), 'stdout'));
      expect(pids).toHaveLength(2);
      for (const pid of pids) expect(isRunning(pid)).toBe(false);
    },
  );

  it(
    'cancels a running action through a core NATS request: its group is killed and it ' +
      'fails "cancelled by alice"',
    async () => {
      const created = await action('solo01', 'long');
      const ready = await waitFor(
        'the script to be ready',
        async () => {
          const lines = textOf(await readOutput(scene.nats, created.id), 'stdout');
          return lines.includes('ready') ? lines : undefined;
        },
        10_000,
      );

      const reply = await scene.nats.nc.request(
        cancelSubject(created.id),
        JSON.stringify({ conditionId: created.id, by: 'alice' }),
        { timeout: 5000 },
      );

      expect(reply.json()).toEqual({ ok: true });
      const done = await waitForFinal(scene.nats.store, created.id, 10_000);
      expect(done).toMatchObject({
        state: 'failed',
        error: 'cancelled by alice',
        result: { exit_code: null, script: 'long/default.sh' },
      });
      for (const pid of pidsIn(ready)) expect(isRunning(pid)).toBe(false);
    },
  );

  it("cancels an action still waiting for the server's previous one: it never starts", async () => {
    const cancel = (id: string, by: string) =>
      scene.nats.nc
        .request(cancelSubject(id), JSON.stringify({ conditionId: id, by }), { timeout: 5000 })
        .then((m) => m.json());
    const first = await action('queue01', 'long', [], { exclusive: false });
    const second = await action('queue01', 'long', [], { exclusive: false });
    await waitForRecord(
      scene.nats.store,
      second.id,
      'waiting for the action running on queue01 to finish: command long is not concurrent',
      10_000,
    );

    expect(await cancel(second.id, 'bob')).toEqual({ ok: true });
    const waited = await waitForFinal(scene.nats.store, second.id, 10_000);
    expect(await cancel(first.id, 'alice')).toEqual({ ok: true });

    expect(waited).toMatchObject({ state: 'failed', error: 'cancelled by bob' });
    expect(records(waited).some((r) => r.startsWith('running '))).toBe(false);
    expect(await waitForFinal(scene.nats.store, first.id, 10_000)).toMatchObject({
      state: 'failed',
      error: 'cancelled by alice',
    });
  });

  it('does not answer a cancel request for a condition it is not running', async () => {
    const done = await run('misc01', 'rank');

    const request = scene.nats.nc.request(
      cancelSubject(done.id),
      JSON.stringify({ conditionId: done.id, by: 'alice' }),
      { timeout: 700 },
    );

    await expect(request).rejects.toThrow(/timeout/i);
  });

  it(
    'publishes every output line live, in order per stream, all stored by the time the ' +
      'condition is final',
    async () => {
      const lines = 5000;
      const created = await Promise.all(
        ['out01', 'out02', 'out03'].map((server) => action(server, 'chatty', [String(lines)])),
      );

      for (const c of created) {
        const done = await scene.nats.store.waitUntilFinal(c.id, 30_000);
        // Counted at once, as a client that just saw the final state would read it.
        expect(await storedLineCount(scene.nats, c.id)).toBe(2 * lines);
        expect(done?.state).toBe('succeeded');
      }
      for (const c of created) {
        const output = await readOutput(scene.nats, c.id);
        const numbers = Array.from({ length: lines }, (_, i) => i + 1);
        expect(textOf(output, 'stdout')).toEqual(numbers.map((i) => `out ${i}`));
        expect(textOf(output, 'stderr')).toEqual(numbers.map((i) => `err ${i}`));
        expect(new Set(output.map((l) => `${l.conditionId} ${l.server}`))).toEqual(
          new Set([`${c.id} ${c.target}`]),
        );
      }
    },
  );

  it(
    'runs actions of a concurrent command side by side on one server, and serialises the ' +
      'others',
    async () => {
      const meeting = join(results, 'meeting');
      const room = join(results, 'room');

      const together = await Promise.all(
        [0, 1].map(() => action('shared01', 'together', [meeting], { exclusive: false })),
      );
      const alone = await Promise.all(
        [0, 1].map(() => action('shared01', 'alone', [room], { exclusive: false })),
      );

      const [t1, t2, a1, a2] = await Promise.all(
        [...together, ...alone].map((c) => waitForFinal(scene.nats.store, c.id, 20_000)),
      );
      expect([t1.state, t2.state]).toEqual(['succeeded', 'succeeded']);
      expect([a1.state, a2.state]).toEqual(['succeeded', 'succeeded']);
      expect([...records(a1), ...records(a2)]).toContain(
        'waiting for the action running on shared01 to finish: command alone is not concurrent',
      );
    },
  );

  it('refuses to start with a commands directory it cannot read, naming the variable', async () => {
    const missing = join(scene.dir, 'no-such-dir');

    const start = startController({
      natsUrl: scene.nats.url,
      signing: scene.nats.signing,
      inventoryFile: scene.inventoryFile,
      commandsDir: missing,
      logger: pino({ level: 'silent' }),
    });

    await expect(start).rejects.toThrow(
      `COMMANDS_DIR: commands directory ${missing}: cannot be read (ENOENT)`,
    );
  });

  it('reads the commands directory again when it changes', async () => {
    writeCommand(scene.commandsDir, 'added', { scripts: { 'default.sh': 'echo "new here"' } });
    await sleep(1000); // the watch reloads after 200 ms of quiet

    const done = await run('misc01', 'added');

    expect(done).toMatchObject({
      state: 'succeeded',
      result: { exit_code: 0, script: 'added/default.sh' },
    });
  });
});

function pidsIn(lines: string[]): number[] {
  return lines.filter((l) => /^(child|leader) \d+$/.test(l)).map((l) => Number(l.split(' ')[1]));
}
