import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from './exit-codes';
import { run } from './program';
import { FakeApi } from './test-support/fake-api';
import type { FakeServer } from './test-support/fake-api';
import { memoryIo } from './test-support/memory-io';
import type { MemoryIo } from './test-support/memory-io';
import { tableRows } from './test-support/table';

const CONFLICTING = '5f0c1c52-4c1f-4d43-9f0e-2f4f3c7b9a11';

function fleet(extra: Record<string, Partial<FakeServer>> = {}, count = 8): FakeApi {
  return new FakeApi(
    Array.from({ length: count }, (_, i) => {
      const name = `node${String(i + 1).padStart(2, '0')}`;
      return { name, groups: i < 4 ? ['rack1'] : ['rack2'], ...extra[name] };
    }),
  );
}

async function mctl(api: FakeApi | undefined, argv: string[], io: MemoryIo = memoryIo()) {
  if (api) io.fetch = api.fetch;
  const code = await run(argv, io);
  return { code, out: io.stdout.text(), err: io.stderr.text(), io };
}

const posted = (api: FakeApi) => api.requests.filter((r) => r.method === 'POST');
const parametersSent = (api: FakeApi) => {
  const body = posted(api)[0].body as { parameters: unknown };
  return body.parameters;
};

describe('mctl power (OpenFlight grammar)', () => {
  it('powers a range on through the batch endpoint, waits, folds the report, exits 0', async () => {
    const api = fleet();
    const { code, out, err } = await mctl(api, ['power', 'on', 'node[01-03]']);
    expect({ code, out, err }).toEqual({ code: 0, out: 'on: node[01-03]\n', err: '' });
    expect(posted(api).map((r) => r.path)).toEqual(['/api/v1/conditions']);
    expect(posted(api)[0].body).toEqual({
      kind: 'serverControl',
      targets: 'node[01-03]',
      parameters: { action: 'set_power_state', action_parameter: 'on' },
    });
  });

  it('sends one server to POST /servers/{s}/condition/serverControl', async () => {
    const api = fleet();
    const { code, out } = await mctl(api, ['power', 'status', 'node02']);
    expect({ code, out }).toEqual({ code: 0, out: 'off: node02\n' });
    expect(posted(api).map((r) => r.path)).toEqual([
      '/api/v1/servers/node02/condition/serverControl',
    ]);
    expect(parametersSent(api)).toEqual({ action: 'get_power_state' });
  });

  it.each([
    [['power', 'restart', 'node01'], { action: 'set_power_state', action_parameter: 'cycle' }],
    [['power', 'off', 'node01'], { action: 'set_power_state', action_parameter: 'off' }],
    [['power', 'soft', 'node01'], { action: 'set_power_state', action_parameter: 'soft' }],
    [
      ['power', '--server', 'node01', '--action', 'reset'],
      { action: 'set_power_state', action_parameter: 'reset' },
    ],
    [['power', '--server', 'node01', '--action', 'status'], { action: 'get_power_state' }],
    [['power', '--server', 'node01', '--action', 'bmc-reset'], { action: 'power_cycle_bmc' }],
    [
      ['power', '--server', 'node01', '--action', 'boot-pxe-persistent'],
      { action: 'pxe_boot_persistent' },
    ],
    [['power', 'node01', '-a', 'on'], { action: 'set_power_state', action_parameter: 'on' }],
  ])('%j sends %j', async (argv, parameters) => {
    const api = fleet();
    const { code } = await mctl(api, argv);
    expect(code).toBe(0);
    expect(parametersSent(api)).toEqual(parameters);
  });

  it('takes -g/--group, alone or with names', async () => {
    const api = fleet();
    const { code, out } = await mctl(api, ['power', 'on', '-g', 'rack2', 'node01']);
    expect(code).toBe(0);
    expect((posted(api)[0].body as { targets: string }).targets).toBe('node01,@rack2');
    expect(out).toBe('on: node[01,05-08]\n');
  });

  it('reports failures, conflicts and unknown names on their own lines and exits 1', async () => {
    const api = fleet({
      node02: { fail: 'BMC unreachable' },
      node03: { fail: 'BMC unreachable' },
      node04: { busyWith: CONFLICTING },
    });
    const { code, out } = await mctl(api, ['power', 'on', 'node[01-05],node99']);
    expect(code).toBe(ExitCode.NotAllSucceeded);
    expect(out).toBe(
      [
        'on: node[01,05]',
        'failed: node[02-03] (BMC unreachable)',
        `conflict: node04 (condition ${CONFLICTING} in progress)`,
        'unknown: node99',
        '',
      ].join('\n'),
    );
  });

  it('reports a conflict and an unknown name on the single-server endpoint too', async () => {
    const api = fleet({ node01: { busyWith: CONFLICTING } });
    expect(await mctl(api, ['power', 'on', 'node01'])).toMatchObject({
      code: 1,
      out: `conflict: node01 (condition ${CONFLICTING} in progress)\n`,
    });
    expect(await mctl(api, ['power', 'on', 'node99'])).toMatchObject({
      code: 1,
      out: 'unknown: node99\n',
    });
  });

  it('stops waiting at --timeout and says the work goes on', async () => {
    const api = fleet({ node01: { stuck: true } });
    const { code, out } = await mctl(api, ['power', 'on', 'node01', '--timeout', '0.2']);
    expect(code).toBe(ExitCode.OutcomeUnknown);
    expect(out).toBe('timeout: node01 (still active after 200 ms)\n');
  });

  it('with --no-wait queues, prints each condition id and polls nothing', async () => {
    const api = fleet({ node03: { busyWith: CONFLICTING } });
    const { code, out } = await mctl(api, ['power', 'off', 'node[01-03]', '--no-wait']);
    const ids = [...api.conditions.values()].map((c) => [c.target, c.id]);
    expect(code).toBe(ExitCode.NotAllSucceeded); // node03 conflicted
    expect(out).toBe(
      `${ids.map(([s, id]) => `queued: ${s} (condition ${id})`).join('\n')}\nconflict: ` +
        `node03 (condition ${CONFLICTING} in progress)\n`,
    );
    expect(api.requests.filter((r) => r.method === 'GET')).toEqual([]);
  });

  it('prints one JSON object per server with -o json', async () => {
    const api = fleet({ node02: { fail: 'BMC unreachable' } });
    const { code, out } = await mctl(api, ['-o', 'json', 'power', 'on', 'node[01-02],node99']);
    expect(code).toBe(1);
    const rows = JSON.parse(out) as Array<Record<string, unknown>>;
    expect(rows.map((r) => [r.server, r.outcome, r.state, r.result, r.error])).toEqual([
      ['node01', 'succeeded', 'succeeded', { power_state: 'on' }, undefined],
      ['node02', 'failed', 'failed', undefined, 'BMC unreachable'],
      ['node99', 'unknown', undefined, undefined, 'server "node99" is not in the inventory'],
    ]);
    expect(rows[0].conditionId).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    expect(Object.keys(rows[0]).sort()).toEqual([
      'conditionId',
      'outcome',
      'result',
      'server',
      'state',
    ]);
  });

  it('accepts -o json after the command too, and with --no-wait', async () => {
    const api = fleet();
    const { code, out } = await mctl(api, ['power', 'on', 'node01', '--no-wait', '-o', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([
      expect.objectContaining({ server: 'node01', outcome: 'queued', state: 'pending' }),
    ]);
  });
});

describe('mctl power --action-status', () => {
  it('shows the latest condition of each server in a table and starts nothing', async () => {
    const api = fleet({ node02: { fail: 'BMC unreachable' } });
    await mctl(api, ['power', 'on', 'node[01-02]']);
    const before = posted(api).length;
    const { code, out } = await mctl(api, [
      '-o',
      'text',
      'power',
      '--server',
      'node[01-03],node99',
      '--action-status',
    ]);
    expect(posted(api)).toHaveLength(before);
    expect(code).toBe(1);
    const lines = tableRows(out);
    expect(lines[0]).toEqual(['SERVER', 'STATE', 'ACTION', 'RESULT', 'UPDATED', 'CONDITION']);
    expect(lines.slice(1).map((l) => l.slice(0, 4))).toEqual([
      ['node01', 'succeeded', 'on', 'on'],
      ['node02', 'failed', 'on', 'BMC unreachable'],
      ['node03', 'none', 'no condition yet'],
      ['node99', 'unknown', 'not in the inventory'],
    ]);
  });

  it(
    'exits 0 when every latest condition ' + 'succeeded, resolving groups from GET /servers',
    async () => {
      const api = fleet();
      await mctl(api, ['power', 'on', '-g', 'rack1']);
      const { code, out } = await mctl(api, [
        '-o',
        'json',
        'power',
        '-g',
        'rack1',
        '--action-status',
      ]);
      expect(code).toBe(0);
      expect(
        (JSON.parse(out) as Array<{ server: string; outcome: string }>).map((r) => [
          r.server,
          r.outcome,
        ]),
      ).toEqual([
        ['node01', 'succeeded'],
        ['node02', 'succeeded'],
        ['node03', 'succeeded'],
        ['node04', 'succeeded'],
      ]);
    },
  );

  it('cannot be combined with an action', async () => {
    const { code, err } = await mctl(fleet(), ['power', 'on', 'node01', '--action-status']);
    expect(code).toBe(ExitCode.Usage);
    expect(err).toBe('mctl: say what to do once: "on" and --action-status both given\n');
  });
});

describe('mctl power list', () => {
  it('lists the inventory in a table without touching a BMC', async () => {
    const api = fleet({}, 3);
    const { code, out } = await mctl(api, ['power', 'list']);
    expect(code).toBe(0);
    expect(out.split('\n')[0].split(/\s{2,}/)).toEqual([
      'NAME',
      'ID',
      'PLATFORM',
      'DRIVER',
      'GROUPS',
    ]);
    expect(out).toMatch(/^node01\s+ipmi\s+ipmi\s+rack1$/m);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/servers']);
  });

  it('filters by range or group, and names what it does not know', async () => {
    const api = fleet();
    const { code, out, err } = await mctl(api, ['-o', 'json', 'power', 'list', 'node0[7-9]']);
    expect(code).toBe(1);
    expect((JSON.parse(out) as Array<{ name: string }>).map((s) => s.name)).toEqual([
      'node07',
      'node08',
    ]);
    expect(err).toBe('unknown: node09\n');
    const byGroup = await mctl(api, ['-o', 'json', 'power', 'list', '-g', 'rack1']);
    expect((JSON.parse(byGroup.out) as Array<{ name: string }>).map((s) => s.name)).toEqual([
      'node01',
      'node02',
      'node03',
      'node04',
    ]);
  });
});

describe('mctl boot', () => {
  it('sets the next boot device, persistent and EFI', async () => {
    const api = fleet();
    const { code, out } = await mctl(api, [
      'boot',
      '--server',
      'node01',
      '--device',
      'pxe',
      '--persistent',
      '--efi',
    ]);
    expect({ code, out }).toEqual({ code: 0, out: 'boot pxe persistent efi: node01\n' });
    expect(parametersSent(api)).toEqual({
      action: 'set_next_boot_device',
      action_parameter: 'pxe',
      set_next_boot_device_persistent: true,
      set_next_boot_device_efi: true,
    });
  });

  it('takes a range positionally and defaults to the next boot only', async () => {
    const api = fleet();
    const { code, out } = await mctl(api, ['boot', 'node[01-02]', '-d', 'disk']);
    expect({ code, out }).toEqual({ code: 0, out: 'boot disk: node[01-02]\n' });
  });

  it.each([
    [['boot', 'node01'], /required option '-d, --device <device>' not specified/],
    [
      ['boot', 'node01', '--device', 'tape'],
      /argument 'tape' is invalid\. Allowed choices are bios, cdrom/,
    ],
    [['boot', '--device', 'pxe'], /which servers\?/],
  ])('%j is a usage error', async (argv, message) => {
    const { code, err } = await mctl(fleet(), argv);
    expect(code).toBe(ExitCode.Usage);
    expect(err).toMatch(message);
  });
});

describe('usage errors exit 2 before anything is sent', () => {
  it.each([
    [
      ['power', 'frob', 'node01'],
      'mctl: unknown power verb "frob"; expected one of: on, off, restart, status, list, ' +
        'cycle, reset, soft, bmc-reset, boot-pxe-persistent\n',
    ],
    [['power', 'on'], /which servers\?/],
    [['power', '--server', 'node01'], /what should happen\?/],
    [['power', 'on', 'node[01-'], 'mctl: invalid node range "node[01-": unclosed \'[\'\n'],
    [
      ['power', '--server', 'node01', '--action', 'explode'],
      /option '-a, --action <action>' argument 'explode' is invalid/,
    ],
    [['power', 'on', 'node01', '--timeout', 'soon'], /expected a number of seconds greater than 0/],
    [['-o', 'yaml', 'power', 'on', 'node01'], /argument 'yaml' is invalid/],
    [['reboot', 'node01'], /^mctl: unknown command 'reboot'\n/],
    [
      ['power', 'on', 'node01', '--bogus'],
      "mctl: unknown option '--bogus'\n(add --help for usage)\n",
    ],
    [['power', 'on', 'node01', 'node02'], /^mctl: too many arguments for 'power'/],
  ])('%j', async (argv, message) => {
    const api = fleet();
    const { code, err } = await mctl(api, argv);
    expect(code).toBe(ExitCode.Usage);
    if (typeof message === 'string') expect(err).toBe(message);
    else expect(err).toMatch(message);
    expect(api.requests).toEqual([]);
  });

  it('prints the help on stderr and exits 2 when called with nothing', async () => {
    const { code, out, err } = await mctl(undefined, []);
    expect(code).toBe(ExitCode.Usage);
    expect(out).toBe('');
    expect(err).toMatch(/^Usage: mctl \[options\] \[command\]/);
  });

  it('prints help for every command with examples and exits 0', async () => {
    for (const argv of [['--help'], ['power', '--help'], ['boot', '--help'], ['help', 'power']]) {
      const { code, out } = await mctl(undefined, argv);
      expect(code).toBe(0);
      expect(out).toMatch(/Usage: mctl/);
      expect(out).toMatch(/Examples:/);
    }
    const top = await mctl(undefined, ['--help']);
    expect(top.out).toMatch(/Exit status:\n {2}0 {2}every server succeeded/);
    expect((await mctl(undefined, ['--version'])).out).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe("API errors are shown with the API's own message, never a stack trace", () => {
  it('400: lists the issues, exit 2', async () => {
    const api = fleet();
    api.override = {
      status: 400,
      body: {
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid targets: unclosed',
        issues: [{ path: 'targets', message: "unclosed '['" }],
      },
    };
    const { code, err } = await mctl(api, ['power', 'on', '@rack1']);
    expect(code).toBe(ExitCode.Usage);
    expect(err).toBe(
      'mctl: the API refused POST /api/v1/conditions (400 Bad Request): invalid targets: ' +
        "unclosed\n  targets: unclosed '['\n",
    );
  });

  it(
    '503: retries the create with one key for MCTL_CREATE_RETRY_SECONDS, then nothing ' +
      'created, exit 3',
    async () => {
      const api = fleet();
      api.override = {
        status: 503,
        body: {
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'condition queue unavailable: NATS is not connected',
        },
      };
      const io = memoryIo({ env: { MCTL_CREATE_RETRY_SECONDS: '1' } });
      const { code, err } = await mctl(api, ['power', 'on', 'node01'], io);
      expect(code).toBe(ExitCode.Api);
      const refusal =
        'the API refused POST /api/v1/servers/node01/condition/serverControl (503 Service ' +
        'Unavailable): condition queue unavailable: NATS is not connected';
      const lines = err.trimEnd().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(3);
      for (const line of lines.slice(0, -1))
        expect(line).toMatch(
          new RegExp(
            `^mctl: ${refusal.replace(/[()]/g, '\\$&')}; retrying the create at ` +
              'http://127.0.0.1:9001 with the same Idempotency-Key \\(.* of 1 s\\)$',
          ),
        );
      expect(lines.at(-1)).toBe(`mctl: ${refusal}`);
      const keys = new Set(posted(api).map((r) => r.headers?.['idempotency-key']));
      expect(posted(api).length).toBe(lines.length);
      expect(keys.size).toBe(1);
    },
  );

  it('unreachable: names the URL, exit 3', async () => {
    const io = memoryIo({
      fetch: async () =>
        Promise.reject(
          Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
        ),
    });
    io.env = { MCTL_CREATE_RETRY_SECONDS: '0' };
    const { code, err } = await mctl(
      undefined,
      ['--url', 'http://10.0.0.9:9001', 'power', 'on', 'node01'],
      io,
    );
    expect(code).toBe(ExitCode.Api);
    expect(err).toBe(
      'mctl: cannot reach the Switchboard API at http://10.0.0.9:9001: connection ' +
        'refused (is conditions-api running?)\n',
    );
  });
});

describe('configuration', () => {
  let home: string;
  let file: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'mctl-program-'));
    mkdirSync(join(home, '.config', 'mctl'), { recursive: true });
    file = join(home, '.config', 'mctl', 'config.yaml');
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it(
    'uses base_url and token from ' + 'the file, MCTL_URL/MCTL_TOKEN over it, --url over all',
    async () => {
      writeFileSync(file, 'base_url: http://from-file:9001\ntoken: file-token\n', { mode: 0o600 });
      const seen: string[] = [];
      const api = fleet();
      const spy: typeof fetch = async (input, init) => {
        seen.push(`${String(input)} ${(init?.headers as Record<string, string>).authorization}`);
        return api.fetch(input, init);
      };
      const argv = ['power', 'on', 'node01', '--no-wait'];
      await run(argv, { ...memoryIo({ homeDir: home }), fetch: spy });
      await run(argv, {
        ...memoryIo({
          homeDir: home,
          env: { MCTL_URL: 'http://from-env:9001/', MCTL_TOKEN: 'env-token' },
        }),
        fetch: spy,
      });
      await run(['--url', 'http://from-flag:9001', ...argv], {
        ...memoryIo({ homeDir: home, env: { MCTL_URL: 'http://from-env:9001' } }),
        fetch: spy,
      });
      expect(seen).toEqual([
        'http://from-file:9001/api/v1/servers/node01/condition/serverControl Bearer file-token',
        'http://from-env:9001/api/v1/servers/node01/condition/serverControl Bearer env-token',
        'http://from-flag:9001/api/v1/servers/node01/condition/serverControl Bearer file-token',
      ]);
    },
  );

  it('defaults to http://127.0.0.1:9001 without a token', async () => {
    const seen: string[] = [];
    const api = fleet();
    await run(['power', 'on', 'node01', '--no-wait'], {
      ...memoryIo({ homeDir: home }),
      fetch: async (input, init) => {
        seen.push(`${String(input)} ${(init?.headers as Record<string, string>).authorization}`);
        return api.fetch(input, init);
      },
    });
    expect(seen).toEqual([
      'http://127.0.0.1:9001/api/v1/servers/node01/condition/serverControl undefined',
    ]);
  });

  it('a bad config file is exit 2 naming the file and line; --help still works', async () => {
    writeFileSync(file, 'base_url: http://ok:9001\nverfy_ssl: false\n');
    const { code, err } = await mctl(
      fleet(),
      ['power', 'on', 'node01'],
      memoryIo({ homeDir: home }),
    );
    expect(code).toBe(ExitCode.Usage);
    expect(err).toBe(
      `mctl: ${file}:2: unknown setting "verfy_ssl" (expected one of base_url, token, ` +
        `verify_ssl, ca_file)\n`,
    );
    expect((await mctl(undefined, ['power', '--help'], memoryIo({ homeDir: home }))).code).toBe(0);
  });

  it('--config names another file', async () => {
    const other = join(home, 'other.yaml');
    writeFileSync(other, 'token: [1, 2]\n');
    const { code, err } = await mctl(fleet(), ['--config', other, 'power', 'on', 'node01']);
    expect(code).toBe(ExitCode.Usage);
    expect(err).toBe(`mctl: ${other}:1: token must be a string\n`);
  });

  it('turns TLS verification off only for https with verify_ssl: false', async () => {
    writeFileSync(file, 'base_url: https://switchboard.example\nverify_ssl: false\n', {
      mode: 0o600,
    });
    const calls: string[] = [];
    const io = memoryIo({ homeDir: home, disableTlsVerification: () => calls.push('off') });
    await mctl(fleet(), ['power', 'on', 'node01'], io);
    expect(calls).toEqual(['off']);
    const plain = memoryIo({
      homeDir: home,
      env: { MCTL_URL: 'http://plain:9001' },
      disableTlsVerification: () => calls.push('off'),
    });
    await mctl(fleet(), ['power', 'on', 'node01'], plain);
    expect(calls).toEqual(['off']);
  });
});

describe('progress bar', () => {
  it(
    'draws on a terminal stderr ' + 'when several servers are waited for, never on stdout',
    async () => {
      const { code, out, err } = await mctl(
        fleet(),
        ['power', 'on', 'node[01-04]'],
        memoryIo({ stderrTTY: true }),
      );
      expect(code).toBe(0);
      expect(out).toBe('on: node[01-04]\n');
      expect(err).toMatch(/waiting \[/);
    },
  );

  it.each([
    ['one server on a terminal', ['power', 'on', 'node01'], true],
    ['stderr not a terminal', ['power', 'on', 'node[01-04]'], false],
  ])('stays away with %s', async (_name, argv, tty) => {
    const { err } = await mctl(fleet(), argv as string[], memoryIo({ stderrTTY: tty as boolean }));
    expect(err).toBe('');
  });
});

// metal-toolbox mctl's output for FlipFlop's flags (mctl cmd/power/power.go, cmd/common.go):
// scripts written for it, such as FlipFlop's README `mctl power ... --action-status | jq .status`,
// keep working; `-o` chooses Switchboard's own output instead.
describe("mctl power with FlipFlop's flags prints what metal-toolbox mctl prints", () => {
  const GO_LOG = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /;

  it('--action: queues, does not wait, logs status, message and condition id', async () => {
    const api = fleet();
    const { code, out, err } = await mctl(api, ['power', '--server', 'node01', '--action', 'off']);
    expect({ code, out }).toEqual({ code: 0, out: '' });
    expect(err).toMatch(GO_LOG);
    expect(err).toMatch(/ status=200 msg=condition set conditionID=[0-9a-f-]{36}\n$/);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v1/servers/node01/condition/serverControl',
    ]);
  });

  it('--action-status: the latest serverControl condition as JSON that jq reads', async () => {
    const api = fleet();
    await mctl(api, ['power', 'status', 'node02']);
    const { code, out } = await mctl(api, ['power', '-s', 'node02', '--action-status']);
    expect(code).toBe(0);
    const shown = JSON.parse(out) as Record<string, unknown>;
    expect(Object.keys(shown)).toEqual([
      'id',
      'kind',
      'state',
      'parameters',
      'status',
      'updated_at',
      'created_at',
    ]);
    expect(shown).toMatchObject({
      kind: 'serverControl',
      parameters: { action: 'get_power_state' },
    });
    expect(shown.status).toHaveProperty('records');
    expect(out).toContain('\n  "kind": "serverControl",\n');
  });

  it('a refusal is one Go log line naming the status and the message, exit 1', async () => {
    const { code, out, err } = await mctl(fleet(), ['power', '-s', 'node99', '--action', 'on']);
    expect({ code, out }).toEqual({ code: ExitCode.NotAllSucceeded, out: '' });
    expect(err).toMatch(GO_LOG);
    expect(err).toContain(
      'Unexpected response from Conditions API status code: 404 response message: server "node99"',
    );
  });

  it('-o text keeps the folded output (and waits); -o json the JSON rows', async () => {
    const text = await mctl(fleet(), ['-o', 'text', 'power', '-s', 'node01', '--action', 'on']);
    expect({ code: text.code, out: text.out }).toEqual({ code: 0, out: 'on: node01\n' });
    const json = await mctl(fleet(), ['power', '-s', 'node01', '--action', 'on', '-o', 'json']);
    expect((JSON.parse(json.out) as Array<{ outcome: string }>)[0].outcome).toBe('succeeded');
  });
});
