import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  bash,
  capturingLogger,
  isRunning,
  removeTempDirs,
  runningInGroup,
  scriptCommand,
  tempDir,
  waitFor,
  writeCommand,
} from '../test/helpers';
import { SCRIPT_PATH } from '@switchboard/process';

import { loadCommands } from './load-commands';
import { RunCommandOptions, runCommand } from './run-command';

afterEach(removeTempDirs);

/** Runs `body` as the default.sh of a fresh command, with `extra` options. */
async function run(body: string, extra: Partial<RunCommandOptions> = {}) {
  const { command, script } = scriptCommand(body);
  return runCommand({ command, script, args: [], requester: 'alice', timeoutMs: 10_000, ...extra });
}

function node(attributes: Record<string, string> = {}, name = 'node01') {
  return { name, attributes };
}

// Values that would run as code if any part of the runner spliced them into shell text.
const hostile = (marker: string): Array<[string, string]> => [
  ['command substitution', `$(touch ${marker})`],
  ['backticks', `\`touch ${marker}\``],
  ['a semicolon', `x; touch ${marker}`],
  ['a pipe and &', `x | touch ${marker} &`],
  ['quotes and backslashes', `it's "quoted" \\ and \\"escaped\\" '${marker}'`],
  ['newlines', `first line\nsecond; touch ${marker}\n\nlast\n`],
  ['a parameter expansion', '${PATH} $HOME $0'],
  ['a leading dash', '-n --help'],
  ['non-ASCII', 'ünïcødé ✓ 漢字'],
  ['nothing', ''],
];

const LISTED_ONLY =
  'only lower-case keys (letters, digits, "_") reach scripts; list any other in the ' +
  "platform's allowed_keys";

// Issue 11: each of these node keys ran code or moved a script's files under the old blocklist.
const ATTACKS: Array<[string, string]> = [
  ['NODE_OPTIONS', '--require /tmp/evil.js'],
  ['PYTHONWARNINGS', 'ignore::antigravity.Foo'],
  ['BROWSER', '/bin/sh -c "touch /tmp/pwned" #%s'],
  ['PYTHONPATH', '/tmp/evil'],
  ['PERL5OPT', '-Mevil'],
  ['GCONV_PATH', '/tmp/evil'],
  ['OPENSSL_CONF', '/tmp/evil.cnf'],
  ['GLIBC_TUNABLES', 'glibc.tune.hwcaps=x'],
  ['HOME', '/tmp/evil-home'],
  ['TMPDIR', '/tmp/evil'],
];

describe('environment: the node, the run, and nothing else', () => {
  it(
    'gives each node attribute under its own name, plus name, command, SCRIPT_ROOT, the ' +
      'requester, a fixed PATH and LANG',
    async () => {
      const { command, script } = scriptCommand('cat "/proc/$$/environ"');

      const result = await runCommand({
        command,
        script,
        node: {
          ...node({ bmc_host: '10.0.0.7', AWS_PROFILE: 'lab' }),
          allowedKeys: ['AWS_PROFILE'],
        },
        args: [],
        requester: 'alice@example.com',
        timeoutMs: 10_000,
      });

      // /proc/$$/environ is what the script was started with, before bash adds anything.
      const env = Object.fromEntries(
        result.stdout
          .split('\0')
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
      expect(env).toEqual({
        bmc_host: '10.0.0.7',
        AWS_PROFILE: 'lab',
        name: 'node01',
        command: 'probe',
        SCRIPT_ROOT: command.dir,
        SWITCHBOARD_REQUESTER: 'alice@example.com',
        PATH: SCRIPT_PATH,
        LANG: 'C.UTF-8',
      });
    },
  );

  describe('values with shell metacharacters arrive byte for byte and run nothing', () => {
    const marker = path.join(os.tmpdir(), `switchboard-commands-env-${process.pid}`);
    afterAll(() => fs.rmSync(marker, { force: true }));

    it.each(hostile(marker))('%s', async (_case, value) => {
      const out = path.join(tempDir(), 'value');

      const result = await run('printf "%s" "$payload" > "$out"; echo "$payload"', {
        node: node({ payload: value, out }),
      });

      expect(result.exitCode).toBe(0);
      expect(fs.readFileSync(out, 'utf8')).toBe(value);
      expect(fs.existsSync(marker)).toBe(false);
    });
  });

  it("does not pass the controller's own environment: its secrets stay out", async () => {
    const planted = {
      JWT_SECRET: 'jwt-s3cret-value',
      NATS_PASSWORD: 'nats-s3cret-value',
      BASH_ENV: path.join(tempDir(), 'never-sourced.sh'),
    };
    Object.assign(process.env, planted);
    try {
      const result = await run('cat "/proc/$$/environ"; env', { node: node() });

      expect(result.stdout).not.toContain('JWT_SECRET');
      expect(result.stdout).not.toContain('jwt-s3cret-value');
      expect(result.stdout).not.toContain('nats-s3cret-value');
      expect(result.stdout).not.toContain('BASH_ENV');
    } finally {
      for (const key of Object.keys(planted)) delete process.env[key];
    }
  });

  it.each([
    [
      'a name with a dash',
      'bmc-host',
      'not a valid environment variable name (letters, digits and "_", not starting with a digit)',
    ],
    [
      'a name starting with a digit',
      '1st',
      'not a valid environment variable name (letters, digits and "_", not starting with a digit)',
    ],
    ['BASH_ENV', 'BASH_ENV', 'bash or the dynamic loader would run its value as code'],
    ['LD_PRELOAD', 'LD_PRELOAD', 'bash or the dynamic loader would run its value as code'],
    ...ATTACKS.map(([key]): [string, string, string] => [key, key, LISTED_ONLY]),
    [
      'an exported bash function',
      'BASH_FUNC_ls%%',
      'not a valid environment variable name (letters, digits and "_", not starting with a digit)',
    ],
    ['PATH', 'PATH', LISTED_ONLY],
    ['SCRIPT_ROOT', 'SCRIPT_ROOT', LISTED_ONLY],
    ['an upper-case name', 'Rack', LISTED_ONLY],
    ['a proxy variable', 'https_proxy', LISTED_ONLY],
  ])('skips an attribute with %s, logging why (never its value)', async (_case, key, reason) => {
    const { logger, events, text } = capturingLogger();

    const result = await run('cat "/proc/$$/environ"', {
      node: node({ [key]: 'the-value', kept: 'yes' }),
      logger,
    });

    expect(result.stdout).toContain('kept=yes');
    expect(result.stdout).not.toContain('the-value');
    expect(events()).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: 'node attribute not passed to the script',
        variable: key,
        reason,
        node: 'node01',
        command: 'probe',
      }),
    );
    expect(text()).not.toContain('the-value');
  });

  it(
    'NODE_OPTIONS on a node no longer ' + 'runs code in a node script, even when set by hand',
    async () => {
      const dir = tempDir();
      const marker = path.join(dir, 'pwned');
      const evil = path.join(dir, 'evil.js');
      fs.writeFileSync(evil, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x');`);
      const { command, script } = scriptCommand('exec node -e "console.log(1)"');

      const result = await runCommand({
        command,
        script,
        node: node({ NODE_OPTIONS: `--require ${evil}` }),
        args: [],
        requester: 'alice',
        timeoutMs: 10_000,
        path: `${path.dirname(process.execPath)}:${SCRIPT_PATH}`,
      });

      expect(result.exitCode).toBe(0);
      expect(fs.existsSync(marker)).toBe(false);
    },
  );

  it('a command without context runs with no node: no name, no attributes', async () => {
    const result = await run('echo "name=${name:-unset} command=$command"');

    expect(result.stdout).toBe('name=unset command=probe\n');
  });
});

describe('BMC passwords: the node names a variable, the operator allows it', () => {
  const secrets = {
    allowed: ['RACK1_BMC_PASSWORD'],
    env: { RACK1_BMC_PASSWORD: 'p@ss w0rd;$(x)', JWT_SECRET: 'jwt' },
  };

  it(
    "passes the named variable's value as IPMI_PASSWORD, and redacts it from output and " +
      'live lines',
    async () => {
      const lines: string[] = [];
      const out = path.join(tempDir(), 'password');

      const result = await run(
        'printf "%s" "$IPMI_PASSWORD" > "$out"; echo "password is $IPMI_PASSWORD"; echo ' +
          '"$IPMI_PASSWORD" >&2',
        {
          node: node({ bmc_password_env: 'RACK1_BMC_PASSWORD', out }),
          secrets,
          onLine: (_stream, line) => lines.push(line),
        },
      );

      expect(fs.readFileSync(out, 'utf8')).toBe('p@ss w0rd;$(x)');
      expect(result.stdout).toBe('password is [redacted]\n');
      expect(result.stderr).toBe('[redacted]\n');
      expect(lines.join('\n')).not.toContain('w0rd');
    },
  );

  it.each([
    [
      'a variable the operator did not allow',
      'JWT_SECRET',
      'from bmc_password_env: JWT_SECRET is not among the variables allowed as secrets',
    ],
    [
      'an allowed variable that is not set',
      'RACK2_BMC_PASSWORD',
      "from bmc_password_env: RACK2_BMC_PASSWORD is not set in the controller's environment",
    ],
  ])('gives nothing for %s, and logs why', async (_case, name, reason) => {
    const { logger, events } = capturingLogger();

    const result = await run('echo "${IPMI_PASSWORD:-none}"', {
      node: node({ bmc_password_env: name }),
      secrets: { allowed: [...secrets.allowed, 'RACK2_BMC_PASSWORD'], env: secrets.env },
      logger,
    });

    expect(result.stdout).toBe('none\n');
    expect(events()).toContainEqual(expect.objectContaining({ variable: 'IPMI_PASSWORD', reason }));
  });

  it('gives nothing when the runner was given no secrets at all', async () => {
    const result = await run('echo "${IPMI_PASSWORD:-none}"', {
      node: node({ bmc_password_env: 'RACK1_BMC_PASSWORD' }),
    });

    expect(result.stdout).toBe('none\n');
  });
});

describe('arguments are $1…, exactly as given', () => {
  const marker = path.join(os.tmpdir(), `switchboard-commands-arg-${process.pid}`);
  afterAll(() => fs.rmSync(marker, { force: true }));

  it(
    'passes every argument as one ' + 'word, metacharacters and all, running none of them',
    async () => {
      const args = hostile(marker).map(([, value]) => value);
      const out = path.join(tempDir(), 'args');

      const result = await run('printf "%s\\0" "$@" > "$out"; echo "$#"', {
        node: node({ out }),
        args,
      });

      expect(result.stdout).toBe(`${args.length}\n`);
      expect(fs.readFileSync(out, 'utf8').split('\0').slice(0, -1)).toEqual(args);
      expect(fs.existsSync(marker)).toBe(false);
    },
  );

  it('refuses an argument no process can receive, saying which', async () => {
    await expect(run('exit 0', { args: ['ok', 'bad\0'] })).rejects.toThrow(
      /argument \$2 contains a NUL character/,
    );
  });
});

describe('exit status', () => {
  it.each([
    ['exit 0', 0, undefined],
    ['exit 3', 3, undefined],
    ['exit 255', 255, undefined],
    ['false', 1, undefined],
    ['kill -KILL $$', null, 'SIGKILL'],
  ])('`%s`: exit code %p, signal %p', async (body, exitCode, signal) => {
    const result = await run(body);

    expect(result).toMatchObject({ exitCode, timedOut: false, cancelled: false });
    expect(result.signal).toBe(signal);
  });

  it('reports which script and rank ran', async () => {
    const root = tempDir();
    writeCommand(root, 'power-on', {
      files: { 'default.sh': bash('exit 1'), 'ipmi.sh': bash('echo on') },
    });
    const command = loadCommands(root).commands.get('power-on')!;

    const result = await runCommand({
      command,
      script: { rank: 'ipmi', path: command.scripts.get('ipmi')! },
      args: [],
      requester: 'alice',
      timeoutMs: 10_000,
    });

    expect(result).toMatchObject({
      exitCode: 0,
      stdout: 'on\n',
      script: 'power-on/ipmi.sh',
      rank: 'ipmi',
    });
  });

  it('rejects, naming the script, when it cannot start', async () => {
    const { command, script } = scriptCommand('exit 0');
    fs.rmSync(script.path);

    await expect(
      runCommand({ command, script, args: [], requester: 'alice', timeoutMs: 10_000 }),
    ).rejects.toThrow(`command probe, script ${script.path}: could not start (ENOENT)`);
  });

  it("refuses a script that is not in the command's directory", async () => {
    const { command } = scriptCommand('exit 0');
    const other = scriptCommand('exit 0', 'other');

    await expect(
      runCommand({
        command,
        script: other.script,
        args: [],
        requester: 'alice',
        timeoutMs: 10_000,
      }),
    ).rejects.toThrow("the script is not in the command's directory");
  });
});

describe('working directory', () => {
  it('is new, empty, and removed afterwards', async () => {
    const result = await run('pwd; ls -A | wc -l; touch leftover');
    const [cwd, entries] = result.stdout.trim().split('\n');

    expect(path.dirname(cwd)).toBe(fs.realpathSync(os.tmpdir()));
    expect(entries.trim()).toBe('0');
    expect(fs.existsSync(cwd)).toBe(false);
  });
});

describe('output', () => {
  it('passes each line as it comes, in order per stream, before the script ends', async () => {
    const seen: Array<{ stream: string; line: string; at: number }> = [];
    const started = Date.now();

    const result = await run(
      'for i in $(seq 1 200); do echo "out $i"; echo "err $i" >&2; done; sleep 1; echo done',
      {
        onLine: (stream, line) => seen.push({ stream, line, at: Date.now() - started }),
      },
    );

    const lines = (stream: string) => seen.filter((s) => s.stream === stream).map((s) => s.line);
    expect(lines('stdout')).toEqual([
      ...Array.from({ length: 200 }, (_, i) => `out ${i + 1}`),
      'done',
    ]);
    expect(lines('stderr')).toEqual(Array.from({ length: 200 }, (_, i) => `err ${i + 1}`));
    expect(seen[0].at).toBeLessThan(result.durationMs - 500); // live, not replayed at the end
    expect(result.stdout).toBe(`${lines('stdout').join('\n')}\n`);
  });

  it(
    'keeps the last bytes of a ' + 'stream that prints too much, and says how much was cut',
    async () => {
      const result = await run('for i in $(seq 1 1000); do echo "line $i"; done', {
        maxOutputBytes: 100,
      });

      expect(Buffer.byteLength(result.stdout)).toBeLessThanOrEqual(100);
      expect(result.stdout.endsWith('line 999\nline 1000\n')).toBe(true);
      expect(result.droppedBytes.stdout).toBeGreaterThan(8000);
    },
  );

  it('carries on when the onLine handler throws, and logs it once', async () => {
    const { logger, events } = capturingLogger();

    const result = await run('echo a; echo b', {
      logger,
      onLine: () => {
        throw new Error('sink broke');
      },
    });

    expect(result).toMatchObject({ exitCode: 0, stdout: 'a\nb\n' });
    expect(
      events().filter(
        (e) => e.msg === 'onLine handler failed; no more lines are passed to it for this run',
      ),
    ).toHaveLength(1);
  });
});

/** Script lines: its own pid, then the pids of three children, one of which ignores SIGTERM. */
const FAMILY = [
  'echo "group $$"',
  'sleep 100 & echo "child $!"',
  '(sleep 100; echo never) & echo "child $!"',
  'bash -c \'trap "" TERM; echo "stubborn $$"; while :; do sleep 1; done\' &',
  'sleep 100',
].join('\n');

function familyWatcher() {
  const pids: number[] = [];
  let group = 0;
  const onLine = (_stream: string, line: string) => {
    const [what, pid] = line.split(' ');
    if (what === 'group') group = Number(pid);
    else pids.push(Number(pid));
  };
  return { onLine, pids, group: () => group, started: () => pids.length === 3 };
}

describe('timeout', () => {
  it(
    'kills the whole process group, SIGTERM then SIGKILL for what ignores it: no process ' +
      'is left',
    async () => {
      const family = familyWatcher();
      const started = Date.now();

      const result = await run(FAMILY, { timeoutMs: 500, graceMs: 300, onLine: family.onLine });

      expect(result).toMatchObject({
        exitCode: null,
        signal: 'SIGTERM',
        timedOut: true,
        cancelled: false,
      });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(family.pids).toHaveLength(3);
      for (const pid of family.pids) expect(isRunning(pid)).toBe(false);
      expect(runningInGroup(family.group())).toEqual([]);
    },
  );
});

describe('cancel', () => {
  it('stops the script and its children like a timeout, and says cancelled', async () => {
    const family = familyWatcher();
    const controller = new AbortController();

    const running = run(FAMILY, { signal: controller.signal, graceMs: 300, onLine: family.onLine });
    await waitFor(family.started, 5000, 'children started');
    controller.abort(new Error('operator cancelled'));
    const result = await running;

    expect(result).toMatchObject({
      exitCode: null,
      signal: 'SIGTERM',
      timedOut: false,
      cancelled: true,
    });
    for (const pid of family.pids) expect(isRunning(pid)).toBe(false);
    expect(runningInGroup(family.group())).toEqual([]);
  });

  it('does not start a script whose run was cancelled before it began', async () => {
    const marker = path.join(tempDir(), 'ran');
    const controller = new AbortController();
    controller.abort();

    const result = await run('touch "$marker"', {
      node: node({ marker }),
      signal: controller.signal,
    });

    expect(result).toMatchObject({ exitCode: null, cancelled: true, timedOut: false, stdout: '' });
    expect(fs.existsSync(marker)).toBe(false);
  });
});

describe('processes a script leaves behind', () => {
  it.each([
    ['with its output closed', 'sleep 100 > /dev/null 2>&1 &'],
    ['holding its output open', 'sleep 100 &'],
  ])(
    "a child %s: the run ends with the script's own status, and the child is killed",
    async (_case, start) => {
      const started = Date.now();

      const result = await run(`${start}\necho "child $!"\nexit 4`, { graceMs: 300 });

      expect(result).toMatchObject({ exitCode: 4, timedOut: false, cancelled: false });
      expect(Date.now() - started).toBeLessThan(3000);
      const child = Number(/child (\d+)/.exec(result.stdout)![1]);
      expect(isRunning(child)).toBe(false);
    },
  );
});

describe('many at once', () => {
  it('64 concurrent runs each get their own node, arguments and output', async () => {
    const { command, script } = scriptCommand('sleep 0.5; echo "$name $1"');
    const started = Date.now();

    const results = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        runCommand({
          command,
          script,
          node: node({}, `node${i}`),
          args: [`arg${i}`],
          requester: 'alice',
          timeoutMs: 15_000,
        }),
      ),
    );

    expect(results.map((r) => r.stdout)).toEqual(
      Array.from({ length: 64 }, (_, i) => `node${i} arg${i}\n`),
    );
    expect(results.every((r) => r.exitCode === 0 && !r.timedOut)).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
