import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { PowerAction } from '@switchboard/condition-types';
import type { ShellPlatform } from '@switchboard/inventory';

import {
  context,
  isRunning,
  shellPlatform,
  shellServer,
  timedRejection,
  waitFor,
} from '../test/helpers';
import { DriverError } from './capabilities';
import { createShellDriver } from './shell-driver';

// Real bash running the platform's script text; the only thing a test controls is that text.

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-shell-driver-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function driverWith(
  fields: Partial<Omit<ShellPlatform, 'name'>>,
  attributes: Record<string, string> = {},
) {
  const platform = shellPlatform('lab', {
    variables: ['out', ...Object.keys(attributes)],
    ...fields,
  });
  return createShellDriver(shellServer('node01', 'lab', { out: dir, ...attributes }), platform);
}

describe('shell driver: identity and capabilities', () => {
  it('is kind shell:<platform>, locked per server', () => {
    const driver = driverWith({ status: 'exit 0' });
    expect(driver).toMatchObject({ kind: 'shell:lab', server: 'node01', lockKey: 'shell:node01' });
  });

  it.each([
    { commands: 'status only', fields: { status: 'exit 0' }, getter: true, setter: false },
    { commands: 'power_on only', fields: { powerOn: 'true' }, getter: false, setter: true },
    { commands: 'restart only', fields: { restart: 'true' }, getter: false, setter: true },
    {
      commands: 'all four',
      fields: { powerOn: 'true', powerOff: 'true', restart: 'true', status: 'true' },
      getter: true,
      setter: true,
    },
    { commands: 'none', fields: {}, getter: false, setter: false },
  ])(
    'commands: $commands; power getter: $getter, power setter: $setter',
    ({ fields, getter, setter }) => {
      const driver = driverWith(fields);
      expect(driver.powerGetter !== undefined).toBe(getter);
      expect(driver.powerSetter !== undefined).toBe(setter);
      expect(driver).not.toHaveProperty('bootDeviceSetter');
      expect(driver).not.toHaveProperty('bmcResetter');
    },
  );
});

describe('shell driver: status', () => {
  it.each([
    ['exit 0 is on', 'exit 0', 111, 'on'],
    ['exit 111 is off (the default)', 'exit 111', 111, 'off'],
    ["a platform's own off code", 'exit 3', 3, 'off'],
    ["OpenFlight's 255, when the platform says so", 'exit 255', 255, 'off'],
  ])('%s', async (_case, status, statusOffExitCode, state) => {
    await expect(
      driverWith({ status, statusOffExitCode }).powerGetter!.powerState(context()),
    ).resolves.toBe(state);
  });

  it.each([
    ['another code', 'echo "aws: token expired" >&2; exit 2', 111, 2, 'aws: token expired'],
    ['111 when the platform declares another off code', 'exit 111', 3, 111, ''],
    [
      'bash\'s own "command not found"',
      'no-such-tool --status',
      111,
      127,
      'lab/status: line 1: no-such-tool: command not found',
    ],
  ])(
    '%s: a command fault carrying exit code and stderr',
    async (_case, status, statusOffExitCode, exitCode, stderr) => {
      const error = await driverWith({ status, statusOffExitCode })
        .powerGetter!.powerState(context())
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(DriverError);
      expect(error).toMatchObject({
        fault: 'command',
        exitCode,
        message:
          `shell lab/status for node01: exit ${exitCode} means neither on (0) nor off ` +
          `(${statusOffExitCode})${stderr ? `: ${stderr}` : ''}`,
      });
      expect((error as DriverError).detail).toBe(stderr || undefined);
    },
  );

  it('bounds what it keeps of a flood on stderr', async () => {
    const error = (await driverWith({ status: 'head -c 100000 /dev/zero | tr "\\0" x >&2; exit 5' })
      .powerGetter!.powerState(context())
      .catch((e: unknown) => e)) as DriverError;
    expect(error.exitCode).toBe(5);
    expect(error.detail!.length).toBeLessThan(2100);
    expect(error.message.length).toBeLessThan(400);
  });
});

describe('shell driver: power', () => {
  const script = (command: string) => `echo ${command} >> "$out/ran"`;
  const everyCommand = {
    powerOn: script('power_on'),
    powerOff: script('power_off'),
    restart: script('restart'),
  };

  it.each<[PowerAction, string]>([
    ['on', 'power_on'],
    ['off', 'power_off'],
    ['cycle', 'restart'],
    ['reset', 'restart'],
  ])("%s runs the platform's %s", async (action, command) => {
    await driverWith(everyCommand).powerSetter!.setPower(action, context());
    expect(fs.readFileSync(path.join(dir, 'ran'), 'utf8')).toBe(`${command}\n`);
  });

  it(
    'soft is unsupported: OpenFlight Power platforms have no graceful shutdown, and ' +
      'nothing runs',
    async () => {
      await expect(
        driverWith(everyCommand).powerSetter!.setPower('soft', context()),
      ).rejects.toMatchObject({
        fault: 'unsupported',
        message: expect.stringContaining('power soft'),
      });
      expect(fs.existsSync(path.join(dir, 'ran'))).toBe(false);
    },
  );

  it('an action whose command the platform lacks is unsupported, naming the command', async () => {
    await expect(
      driverWith({ powerOn: 'true' }).powerSetter!.setPower('cycle', context()),
    ).rejects.toMatchObject({
      fault: 'unsupported',
      message: 'shell lab: power cycle needs a restart command (the platform defines: power_on)',
    });
  });

  it('a script that fails is a command fault with its exit code and stderr', async () => {
    await expect(
      driverWith({ powerOn: 'echo "quota exceeded" >&2; exit 4' }).powerSetter!.setPower(
        'on',
        context(),
      ),
    ).rejects.toMatchObject({
      fault: 'command',
      exitCode: 4,
      message: 'shell lab/power_on for node01: failed (exit 4): quota exceeded',
      detail: 'quota exceeded',
    });
  });
});

describe(
  'shell driver: node variables ' + 'arrive as environment variables, never as script text',
  () => {
    const HOSTILE: Record<string, string> = {
      dollar: '$(touch "$out/pwned-dollar")',
      backtick: '`touch "$out/pwned-backtick"`',
      semicolon: 'x; touch "$out/pwned-semicolon"',
      single: '\'; touch "$out/pwned-single"; \'',
      double: '"; touch "$out/pwned-double"; "',
      newline: 'first line\ntouch "$out/pwned-newline"',
      glob: '* ?',
    };

    it('with every byte intact, quoted or not, and nothing in them runs', async () => {
      const names = Object.keys(HOSTILE);
      const status = [
        // Quoted: the exact value. Unquoted: split and globbed, but expansions are never re-parsed.
        ...names.map(
          (name) => `printf '%s' "$${name}" > "$out/value-${name}"; echo $${name} > /dev/null`,
        ),
        'printf %s "$name" > "$out/value-name"',
        'exit 0',
      ].join('\n');

      await expect(
        driverWith({ status }, HOSTILE).powerGetter!.powerState(context()),
      ).resolves.toBe('on');

      for (const name of names)
        expect(fs.readFileSync(path.join(dir, `value-${name}`), 'utf8')).toBe(HOSTILE[name]);
      expect(fs.readFileSync(path.join(dir, 'value-name'), 'utf8')).toBe('node01');
      expect(fs.readdirSync(dir).filter((file) => file.startsWith('pwned'))).toEqual([]);
    });

    it('a variable named like a bash start-up setting is refused when the driver is made', () => {
      const platform = shellPlatform('lab', { variables: ['BASH_ENV'], status: 'exit 0' });
      expect(() =>
        createShellDriver(shellServer('node01', 'lab', { BASH_ENV: '/tmp/x' }), platform),
      ).toThrow('server node01, platform lab: variable "BASH_ENV" cannot be passed');
    });

    it.each([
      'NODE_OPTIONS',
      'PYTHONWARNINGS',
      'BROWSER',
      'PYTHONPATH',
      'PERL5OPT',
      'GCONV_PATH',
      'OPENSSL_CONF',
      'GLIBC_TUNABLES',
      'HOME',
      'TMPDIR',
    ])('%s as a platform variable is refused when the driver is made (issue 11)', (variable) => {
      const platform = shellPlatform('lab', { variables: [variable], status: 'exit 0' });
      expect(() =>
        createShellDriver(shellServer('node01', 'lab', { [variable]: '/tmp/evil' }), platform),
      ).toThrow(`variable "${variable}" cannot be passed: only lower-case keys`);
    });

    it(
      "scripts get a clean environment: a fixed PATH, LANG and the node's variables, none of " +
        "the controller's",
      async () => {
        process.env.SANDBOX_BMC_PASSWORD = 'planted-secret';
        try {
          await driverWith({
            status: 'cat /proc/$$/environ > "$out/env"; exit 0',
          }).powerGetter!.powerState(context());
        } finally {
          delete process.env.SANDBOX_BMC_PASSWORD;
        }
        const env = fs
          .readFileSync(path.join(dir, 'env'), 'utf8')
          .split('\0')
          .filter(Boolean)
          .sort();
        expect(env).toEqual([
          'LANG=C.UTF-8',
          'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          'name=node01',
          `out=${dir}`,
        ]);
      },
    );

    it(
      "pass_env: the platform's named controller variables reach its scripts, as data, on the " +
        'fixed base; nothing else of the controller does',
      async () => {
        const platform = shellPlatform('lab', {
          variables: ['out'],
          passEnv: ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'UNSET_IN_CONTROLLER'],
          status: 'cat /proc/$$/environ > "$out/env"; exit 0',
        });
        const controllerEnv = {
          AWS_SHARED_CREDENTIALS_FILE: '/etc/aws/credentials',
          AWS_PROFILE: 'lab; $(touch "$out/pwned")',
          SANDBOX_BMC_PASSWORD: 'planted-secret',
          NATS_URL: 'nats://127.0.0.1:4222',
          PATH: '/opt/controller-only/bin',
        };
        const driver = createShellDriver(shellServer('node01', 'lab', { out: dir }), platform, {
          controllerEnv,
          // The driver's own option cannot move the fixed base either.
          passEnv: { LANG: 'xx_XX' },
        });
        await expect(driver.powerGetter!.powerState(context())).resolves.toBe('on');
        const env = fs.readFileSync(path.join(dir, 'env'), 'utf8').split('\0').filter(Boolean);
        expect(env.sort()).toEqual([
          'AWS_PROFILE=lab; $(touch "$out/pwned")',
          'AWS_SHARED_CREDENTIALS_FILE=/etc/aws/credentials',
          'LANG=C.UTF-8',
          'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          'name=node01',
          `out=${dir}`,
        ]);
        expect(fs.existsSync(path.join(dir, 'pwned'))).toBe(false);
      },
    );

    it('a pass_env name that may not pass is refused when the driver is made', () => {
      const platform = shellPlatform('lab', { passEnv: ['LD_PRELOAD'], status: 'exit 0' });
      expect(() =>
        createShellDriver(shellServer('node01', 'lab'), platform, {
          controllerEnv: { LD_PRELOAD: '/tmp/evil.so' },
        }),
      ).toThrow('platform lab: pass_env "LD_PRELOAD" is refused');
    });

    it('a variable the node does not set is refused when the driver is made', () => {
      const platform = shellPlatform('lab', { variables: ['region'], status: 'exit 0' });
      expect(() => createShellDriver(shellServer('node01', 'lab'), platform)).toThrow(
        'needs variable "region"',
      );
    });

    it('BASH_ENV is not sourced, even when the operator passes it on', async () => {
      const startup = path.join(dir, 'startup.sh');
      fs.writeFileSync(startup, `touch "${dir}/pwned-bash-env"\n`);
      const platform = shellPlatform('lab', { variables: [], status: 'exit 0' });
      const driver = createShellDriver(shellServer('node01', 'lab'), platform, {
        passEnv: { BASH_ENV: startup },
      });
      await expect(driver.powerGetter!.powerState(context())).resolves.toBe('on');
      expect(fs.existsSync(path.join(dir, 'pwned-bash-env'))).toBe(false);
    });
  },
);

describe('shell driver: deadline and cancellation', () => {
  // Two background children and a foreground one: killing bash alone would orphan them.
  const HANGS =
    'sleep 100 & echo $! >> "$out/pids"; sleep 100 & echo $! >> "$out/pids"; echo $$ >> ' +
    '"$out/pids"; sleep 100';

  function pids(): number[] {
    return fs.readFileSync(path.join(dir, 'pids'), 'utf8').trim().split('\n').map(Number);
  }

  it('kills the whole process group at the deadline: no orphan is left', async () => {
    const { error, ms } = await timedRejection(() =>
      driverWith({ status: HANGS }).powerGetter!.powerState(context(800)),
    );

    expect(error).toMatchObject({
      fault: 'timeout',
      message:
        'shell lab/status for node01: no result within 800 ms; the script and every ' +
        'process it started were killed',
    });
    expect(ms).toBeGreaterThanOrEqual(800);
    expect(ms).toBeLessThan(800 + 400);
    expect(pids()).toHaveLength(3);
    await waitFor(() => pids().every((pid) => !isRunning(pid)), 1000);
  });

  it("a cancelled signal kills the group too, and rejects with the caller's reason", async () => {
    const controller = new AbortController();
    const reason = new Error('condition cancelled');
    const run = timedRejection(() =>
      driverWith({ powerOn: HANGS }).powerSetter!.setPower(
        'on',
        context(30_000, { signal: controller.signal }),
      ),
    );
    await waitFor(() => fs.existsSync(path.join(dir, 'pids')) && pids().length === 3, 2000);

    controller.abort(reason);

    const { error, ms } = await run;
    expect(error).toBe(reason);
    expect(ms).toBeLessThan(3000);
    await waitFor(() => pids().every((pid) => !isRunning(pid)), 1000);
  });

  it(
    'a script that exits in time gives its verdict, even if a child it left kept the ' +
      'output open',
    async () => {
      const status = 'sleep 100 & echo $! > "$out/pids"; exit 111';
      const { ms, state } = await (async () => {
        const t0 = Date.now();
        const state = await driverWith({ status }).powerGetter!.powerState(context(600));
        return { ms: Date.now() - t0, state };
      })();
      expect(state).toBe('off');
      expect(ms).toBeLessThan(600 + 400);
      await waitFor(() => pids().every((pid) => !isRunning(pid)), 1000);
    },
  );
});
