/**
 * mctl end to end: the real conditions-api and controller in this process, a real nats-server,
 * real simulated BMCs (ipmi_sim) spoken to with ipmitool. Only the CLI's process boundary is
 * skipped: `run(argv, io)` is what `dist/main.js` calls.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulatedFleet } from '@switchboard/bmc-sim';
import type { SimulatedFleet } from '@switchboard/bmc-sim';
import { silentLogger } from '@switchboard/logging';
import { createApp } from '../../../conditions-api/src/app';
import type { ConditionsApi } from '../../../conditions-api/src/app';
import { mintToken } from '@switchboard/auth';
import { TlsPair, selfSignedCertificate } from '@switchboard/cloud-sim';
import { ExitCode } from '../exit-codes';
import { run } from '../program';
import { E2eStack, ipmiInventory, serverStatus, startE2eStack } from '../test-support/e2e-stack';
import { memoryIo } from '../test-support/memory-io';
import { runMctl } from '../test-support/mctl-runner';
import { tableRows } from '../test-support/table';

jest.setTimeout(60_000);

const SERVERS = ['node01', 'node02', 'node03', 'node04'];
const STUCK = 'node04';
const PASSWORD = 'e2e-Secret-1';
const JWT_SECRET = 'mctl-e2e-jwt-secret-0123456789-abcdefghijkl';
const ADMIN_TOKEN = mintToken({ subject: 'mctl-e2e', scopes: ['admin'] }, JWT_SECRET);
const READ_TOKEN = mintToken({ subject: 'mctl-e2e-reader', scopes: ['read'] }, JWT_SECRET);
/** What `mctl` runs (package.json bin): the one-file bundle of dist/main.js. */
const MAIN_JS = join(__dirname, '../../dist/mctl.js');

let fleet: SimulatedFleet;
let stack: E2eStack;

beforeAll(async () => {
  fleet = await startSimulatedFleet(
    SERVERS.map((name) => ({ name, behaviour: name === STUCK ? 'stuck' : 'normal' })),
    { defaults: { port: 16230, username: 'admin', password: PASSWORD, initialPower: 'off' } },
  );
  stack = await startE2eStack({
    name: 'mctl-e2e',
    jwtSecret: JWT_SECRET,
    inventory: ipmiInventory(fleet.bmcs, 'groups:', '  rack1: "node[01-03]"'),
    controller: {
      // The stuck BMC acknowledges and never changes: give up verifying after a few seconds.
      verifyTimeoutMs: 3000,
      operationTimeoutMs: 5000,
      retryBaseDelayMs: 100,
      bmcResetSettleMs: 200,
    },
  });
});

afterAll(async () => {
  await stack?.close();
  await fleet?.stop();
});

const mctl = (...argv: string[]) =>
  runMctl({ MCTL_URL: stack.baseUrl, MCTL_TOKEN: ADMIN_TOKEN }, argv);
const mctlWith = (env: NodeJS.ProcessEnv, ...argv: string[]) => runMctl(env, argv);

/**
 * Waits until the server's latest condition is final, so the next command does not conflict with
 * it.
 */
async function settle(server: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { status, records } = await serverStatus(stack.baseUrl, ADMIN_TOKEN, server);
    if (status === 404 || records?.state === 'succeeded' || records?.state === 'failed') return;
    await sleep(100);
  }
  throw new Error(`${server} did not settle`);
}

describe('mctl against the real stack', () => {
  it('powers a range on: exit 0 and "on: node[01-03]", and the BMCs really are on', async () => {
    const { code, out, err } = await mctl('power', 'on', 'node[01-03]');
    expect({ code, out, err }).toEqual({ code: ExitCode.Ok, out: 'on: node[01-03]\n', err: '' });
    for (const name of ['node01', 'node02', 'node03']) expect(fleet.get(name).power()).toBe('on');
  });

  it('reads the power state back with status, folded by state', async () => {
    expect(
      await mctl('-o', 'text', 'power', '--server', 'node03', '--action', 'off'),
    ).toMatchObject({
      code: 0,
      out: 'off: node03\n',
    });
    expect(fleet.get('node03').power()).toBe('off');
    expect(await mctl('power', 'status', '-g', 'rack1')).toMatchObject({
      code: 0,
      out: 'on: node[01-02]\noff: node03\n',
    });
  });

  it('reports a stuck BMC as failed with the reason, exit 1', async () => {
    const { code, out } = await mctl('power', 'on', 'node[01,04]');
    expect(code).toBe(ExitCode.NotAllSucceeded);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('on: node01');
    expect(lines[1]).toMatch(/^failed: node04 \(.+\)$/);
    expect(lines).toHaveLength(2);
    expect(fleet.get(STUCK).power()).toBe('off');
  });

  it('prints machine-readable results with -o json', async () => {
    const { code, out } = await mctl('-o', 'json', 'power', 'status', 'node[01-03],node99');
    expect(code).toBe(ExitCode.NotAllSucceeded);
    const rows = JSON.parse(out) as Array<{
      server: string;
      outcome: string;
      result?: { power_state?: string };
      conditionId?: string;
    }>;
    expect(rows.map((r) => [r.server, r.outcome, r.result?.power_state])).toEqual([
      ['node01', 'succeeded', 'on'],
      ['node02', 'succeeded', 'on'],
      ['node03', 'succeeded', 'off'],
      ['node99', 'unknown', undefined],
    ]);
    expect(rows[0].conditionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('with --no-wait only queues and prints the condition id', async () => {
    const { code, out } = await mctl('power', 'off', 'node02', '--no-wait');
    expect(code).toBe(ExitCode.Ok);
    const m = /^queued: node02 \(condition ([0-9a-f-]{36})\)\n$/.exec(out);
    expect(m).not.toBeNull();
    await settle('node02');
    const condition = (await (
      await fetch(`${stack.baseUrl}/api/v1/conditions/${m![1]}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      })
    ).json()) as { state: string };
    expect(condition.state).toBe('succeeded');
    expect(fleet.get('node02').power()).toBe('off');
  });

  it(
    'shows the latest condition ' + 'of each server with --action-status, starting nothing',
    async () => {
      const before = fleet.bmcs.map((b) => b.events().length);
      const { code, out } = await mctl(
        '-o',
        'text',
        'power',
        '--server',
        'node[01-02],node04',
        '--action-status',
      );
      expect(code).toBe(ExitCode.NotAllSucceeded); // node04's latest condition failed
      const rows = tableRows(out);
      expect(rows[0]).toEqual(['SERVER', 'STATE', 'ACTION', 'RESULT', 'UPDATED', 'CONDITION']);
      expect(rows.slice(1).map((r) => r.slice(0, 2))).toEqual([
        ['node01', 'succeeded'],
        ['node02', 'succeeded'],
        ['node04', 'failed'],
      ]);
      expect(rows[2][2]).toBe('off');
      expect(fleet.bmcs.map((b) => b.events().length)).toEqual(before);
      expect((await mctl('power', '--server', 'node01', '--action-status')).code).toBe(ExitCode.Ok);
    },
  );

  it('sets a persistent PXE boot with mctl boot', async () => {
    const { code, out } = await mctl(
      'boot',
      '--server',
      'node01',
      '--device',
      'pxe',
      '--persistent',
    );
    expect(code).toBe(ExitCode.Ok);
    expect(out).toMatch(/^boot pxe persistent.*: node01\n$/);
    expect(fleet.get('node01').bootDevice()).toBe('pxe');
  });

  it('lists the inventory with power list', async () => {
    const { code, out } = await mctl('-o', 'json', 'power', 'list', '-g', 'rack1');
    expect(code).toBe(ExitCode.Ok);
    expect(
      (JSON.parse(out) as Array<{ name: string; driver: string }>).map((s) => [s.name, s.driver]),
    ).toEqual([
      ['node01', 'ipmi'],
      ['node02', 'ipmi'],
      ['node03', 'ipmi'],
    ]);
  });

  it('sends the token; without one the API refuses and mctl says so, exit 3', async () => {
    const { code, out, err } = await mctlWith({ MCTL_URL: stack.baseUrl }, 'power', 'on', 'node01');
    expect({ code, out }).toEqual({ code: ExitCode.Api, out: '' });
    expect(err).toMatch(
      /^mctl: the API refused POST \/api\/v1\/servers\/node01\/condition\/serverControl \(401 Unauthorized\): no bearer token/,
    );
    expect(err).toMatch(/\ncheck the token \(MCTL_TOKEN, or token in the config file\)\n$/);
  });

  it('a read-only token may look (--action-status) but not act (403)', async () => {
    const env = { MCTL_URL: stack.baseUrl, MCTL_TOKEN: READ_TOKEN };
    expect((await mctlWith(env, 'power', '--server', 'node01', '--action-status')).code).toBe(
      ExitCode.Ok,
    );
    const { code, err } = await mctlWith(env, 'power', 'off', 'node[01-02]');
    expect(code).toBe(ExitCode.Api);
    expect(err).toMatch(/\(403 Forbidden\): token lacks scope write\n/);
    expect(fleet.get('node01').power()).toBe('on');
  });

  it(
    'retries the create for MCTL_CREATE_RETRY_SECONDS, then exits 3 naming the URL when ' +
      'the API is not there',
    async () => {
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const port = (probe.address() as AddressInfo).port;
      await new Promise((resolve) => probe.close(resolve));
      const { code, out, err } = await mctlWith(
        { MCTL_TOKEN: ADMIN_TOKEN, MCTL_CREATE_RETRY_SECONDS: '1' },
        '--url',
        `http://127.0.0.1:${port}`,
        'power',
        'on',
        'node01',
      );
      expect(code).toBe(ExitCode.Api);
      expect(out).toBe('');
      const refused =
        `cannot reach the Switchboard API at http://127.0.0.1:${port}: connection refused ` +
        `(is conditions-api running?)`;
      const lines = err.trimEnd().split('\n');
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines.slice(0, -1))
        expect(line.startsWith(`mctl: ${refused}; retrying the create at`)).toBe(true);
      expect(lines.at(-1)).toBe(`mctl: ${refused}`);
    },
  );
});

/**
 * The built binary (dist/mctl.js, what `npm i` links as `mctl`), against the API serving HTTPS with
 * a self-signed certificate.
 */
describe('the mctl binary over HTTPS', () => {
  let tlsApi: ConditionsApi;
  let tlsUrl: string;
  let home: string;
  let tls: TlsPair;

  beforeAll(async () => {
    if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: build first (npm run build)`);
    home = join(stack.dir, 'home');
    mkdirSync(join(home, '.config', 'mctl'), { recursive: true });
    tls = selfSignedCertificate();
    tlsApi = await createApp({
      natsUrl: stack.nats.url,
      natsAuth: stack.credentials.clientAuth('api'),
      signing: stack.signing,
      inventoryFile: stack.inventoryFile,
      logger: silentLogger,
      jwtSecret: JWT_SECRET,
      tls,
    });
    await tlsApi.app.listen(0, '127.0.0.1');
    tlsUrl = `https://127.0.0.1:${(tlsApi.app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await tlsApi?.close();
  });

  function binary(
    config: string,
    ...argv: string[]
  ): Promise<{ code: number; out: string; err: string }> {
    writeFileSync(join(home, '.config', 'mctl', 'config.yaml'), config, { mode: 0o600 });
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [MAIN_JS, ...argv],
        { env: { PATH: process.env.PATH, HOME: home }, timeout: 30_000 },
        (error, stdout, stderr) => {
          resolve({
            code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
            out: stdout,
            err: stderr,
          });
        },
      );
    });
  }

  it(
    'refuses the self-signed certificate ' + 'by default, saying how to accept it (exit 3)',
    async () => {
      const { code, err } = await binary(
        `base_url: ${tlsUrl}\ntoken: ${ADMIN_TOKEN}\n`,
        'power',
        'status',
        'node01',
      );
      expect(code).toBe(ExitCode.Api);
      expect(err).toBe(
        `mctl: cannot reach the Switchboard API at ${tlsUrl}: self-signed TLS certificate ` +
          `(name its CA with ca_file: in the config, or set verify_ssl: false)\n`,
      );
    },
  );

  it('accepts it with verify_ssl: false in ~/.config/mctl/config.yaml', async () => {
    const { code, out } = await binary(
      `base_url: ${tlsUrl}\ntoken: ${ADMIN_TOKEN}\nverify_ssl: false\n`,
      'power',
      'status',
      'node01',
    );
    expect({ code, out }).toEqual({ code: ExitCode.Ok, out: 'on: node01\n' });
  });

  it(
    'trusts the certificate given ' + 'as ca_file (relative to the config file), verifying it',
    async () => {
      writeFileSync(join(home, '.config', 'mctl', 'site-ca.pem'), tls.cert);
      const { code, out } = await binary(
        `base_url: ${tlsUrl}\ntoken: ${ADMIN_TOKEN}\nca_file: site-ca.pem\n`,
        'power',
        'status',
        'node01',
      );
      expect({ code, out }).toEqual({ code: ExitCode.Ok, out: 'on: node01\n' });
    },
  );

  it('names a ca_file it cannot read (exit 2)', async () => {
    const { code, err } = await binary(
      `base_url: ${tlsUrl}\ntoken: ${ADMIN_TOKEN}\nca_file: /nonexistent/ca.pem\n`,
      'power',
      'status',
      'node01',
    );
    expect(code).toBe(ExitCode.Usage);
    expect(err).toBe(
      `mctl: ${join(home, '.config', 'mctl', 'config.yaml')}: cannot read the CA file ` +
        `/nonexistent/ca.pem: ENOENT\n`,
    );
  });

  it('names the config file and line of a mistake (exit 2)', async () => {
    const { code, err } = await binary(
      `base_url: ${tlsUrl}\nverify-ssl: false\n`,
      'power',
      'status',
      'node01',
    );
    expect(code).toBe(ExitCode.Usage);
    expect(err).toBe(
      `mctl: ${join(home, '.config', 'mctl', 'config.yaml')}:2: unknown setting ` +
        `"verify-ssl" (expected one of base_url, token, verify_ssl, ca_file)\n`,
    );
  });
});

// Last: it stops nats-server (and starts it again for the clean-up).
describe('mctl when NATS is down', () => {
  it("exits 3 with the API's 503 message when NATS is down", async () => {
    await stack.stopNats();
    try {
      // The API notices the lost connection a moment later; until then a request may wait on NATS.
      const once = () =>
        mctlWith(
          { MCTL_URL: stack.baseUrl, MCTL_TOKEN: ADMIN_TOKEN, MCTL_CREATE_RETRY_SECONDS: '0' },
          'power',
          'on',
          'node01',
        );
      let result = await once();
      const deadline = Date.now() + 15_000;
      while (result.code !== ExitCode.Api && Date.now() < deadline) {
        await sleep(200);
        result = await once();
      }
      expect(result).toMatchObject({ code: ExitCode.Api, out: '' });
      expect(result.err).toMatch(
        /^mctl: the API refused POST \/api\/v1\/servers\/node01\/condition\/serverControl \(503 Service Unavailable\): condition queue unavailable: /,
      );
    } finally {
      await stack.startNats();
    }
  });

  it(
    'retries a create refused with 503 (same key, a progress line each) and succeeds once ' +
      'NATS is back',
    async () => {
      await settle('node02');
      await stack.stopNats();
      const io = memoryIo({
        env: { MCTL_URL: stack.baseUrl, MCTL_TOKEN: ADMIN_TOKEN, MCTL_CREATE_RETRY_SECONDS: '60' },
        pollIntervalMs: 100,
      });
      const running = run(['power', 'on', 'node02'], io);
      try {
        const deadline = Date.now() + 20_000;
        while (!/retrying the create/.test(io.stderr.text()) && Date.now() < deadline)
          await sleep(100);
      } finally {
        await stack.startNats();
      }
      const code = await running;
      expect({ code, out: io.stdout.text() }).toEqual({ code: ExitCode.Ok, out: 'on: node02\n' });
      const lines = io.stderr.text().trimEnd().split('\n');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines)
        expect(line).toMatch(
          /^mctl: the API refused POST .* \(503 Service Unavailable\): .*; retrying the create at .* with the same Idempotency-Key \(.* of 60 s\)$/,
        );
    },
    90_000,
  );
});

describe('NATS with credentials and least privilege (issue 11)', () => {
  it('refused nothing the API and the controller did in every test above', () => {
    expect(stack.natsRefusals()).toEqual([]);
  });
});
