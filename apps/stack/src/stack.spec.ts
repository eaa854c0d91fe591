import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { conditionSubject } from '@switchboard/condition-types';
import { allocateLoopbackAddresses, runIpmitool } from '@switchboard/bmc-sim';
import { capturingLogger } from '@switchboard/logging';
import { freePort } from '@switchboard/nats';
import { SANDBOX_PASSWORD_ENV, Stack, startStack } from './stack';

async function waitFor(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return res;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the local stack in sandbox mode', () => {
  let dir: string;
  let stack: Stack;
  const log = capturingLogger();
  const violations = () => log.events().filter((e) => e.event === 'nats.permission_violation');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-stack-'));
    const hosts = await allocateLoopbackAddresses(3);
    const inventory = join(dir, 'topology.yaml');
    writeFileSync(
      inventory,
      [
        'static_nodes:',
        ...hosts.map(
          (h, i) =>
            `  node0${i + 1}: { platform: ipmi, bmc: { host: ${h}, username: ADMIN, ` +
            `password_env: ${SANDBOX_PASSWORD_ENV} } }`,
        ),
      ].join('\n') + '\n',
    );
    stack = await startStack({
      inventoryFile: inventory,
      dataDir: join(dir, 'data'),
      logger: log.logger,
      natsPort: await freePort(),
      apiPort: await freePort(),
      sandbox: true,
      // The API's and controller's own log lines stay out of the test output.
      env: { LOG_LEVEL: 'warn' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts one simulated BMC per IPMI server, each answering ipmitool over lanplus', async () => {
    expect(stack.bmcs?.bmcs.map((b) => b.name)).toEqual(['node01', 'node02', 'node03']);
    for (const bmc of stack.bmcs!.bmcs) {
      const r = await runIpmitool(bmc, ['chassis', 'power', 'status']);
      expect(r.stdout.trim()).toBe('Chassis Power is off');
    }
  });

  it(
    'generates the sandbox BMC password once, into the data directory, readable only by ' +
      'its owner',
    async () => {
      const { statSync, readFileSync } = await import('node:fs');
      const file = join(dir, 'data', 'sandbox', 'bmc-password');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8').trim()).toBe(stack.bmcs!.bmcs[0].password);
    },
  );

  it(
    'generates the condition signing key once, 0600, and gives the API and controller only ' +
      'its path',
    async () => {
      const { statSync, readFileSync } = await import('node:fs');
      const file = join(dir, 'data', 'condition-signing-key');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const key = readFileSync(file, 'utf8').trim();
      expect(Buffer.from(key, 'base64url')).toHaveLength(48);
      for (const child of [...stack.apis, ...stack.controllers]) {
        const environ = readFileSync(`/proc/${child.pid()}/environ`, 'utf8').split('\0');
        expect(environ).toContain(`CONDITION_SIGNING_KEY_FILE=${file}`);
        expect(environ.join('\n')).not.toContain(key);
        expect(readFileSync(`/proc/${child.pid()}/cmdline`, 'utf8')).not.toContain(key);
      }
      expect(log.text()).not.toContain(key);
    },
  );

  it('serves the API, live and ready once NATS is reachable', async () => {
    await waitFor(`${stack.apiUrl}/healthz`, 30_000);
    await waitFor(`${stack.apiUrl}/readyz`, 30_000);
  });

  it('hands the sandbox operator an admin token that the API accepts', async () => {
    const res = await fetch(`${stack.apiUrl}/api/v1/servers`, {
      headers: { authorization: `Bearer ${stack.token}` },
    });
    expect(res.status).toBe(200);
    const { statSync } = await import('node:fs');
    expect(statSync(stack.tokenFile!).mode & 0o777).toBe(0o600);
    expect((await fetch(`${stack.apiUrl}/api/v1/servers`)).status).toBe(401);
  });

  it('adds aws01-aws03 backed by its own moto server: power and estate change', async () => {
    expect(stack.servers).toEqual(expect.arrayContaining(['aws01', 'aws02', 'aws03']));
    await waitFor(`${stack.apiUrl}/readyz`, 30_000);
    const headers = { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' };
    const create = async (server: string, kind: string, parameters: unknown) => {
      const res = await fetch(`${stack.apiUrl}/api/v1/servers/${server}/condition/${kind}`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ parameters }),
      });
      expect(res.status).toBe(200);
      const { records } = (await res.json()) as { records: { conditions: Array<{ id: string }> } };
      return records.conditions[0].id;
    };
    const outcome = async (id: string) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const res = await fetch(`${stack.apiUrl}/api/v1/conditions/${id}`, { headers });
        const c = (await res.json()) as { state: string; result?: unknown; error?: string };
        if (c.state === 'succeeded' || c.state === 'failed') return c;
        if (Date.now() > deadline) throw new Error(`condition ${id} still ${c.state}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const off = await outcome(
      await create('aws02', 'serverControl', {
        action: 'set_power_state',
        action_parameter: 'off',
      }),
    );
    expect(off).toMatchObject({ state: 'succeeded', result: { power_state: 'off' } });
    const change = await outcome(
      await create('aws01', 'estate', { action: 'change', machine_type: 'compute-large' }),
    );
    expect(change).toMatchObject({
      state: 'succeeded',
      result: { machine_type: 'compute-large', instance_type: 'c5.2xlarge', power_state: 'on' },
    });
  });

  it(
    'restarts its nats-server when it is killed, with the same storage, and logs each ' + 'restart',
    async () => {
      const auth = { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' };
      const created = await fetch(`${stack.apiUrl}/api/v1/servers/node01/condition/serverControl`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ parameters: { action: 'get_power_state' } }),
      });
      expect(created.status).toBe(200);
      const id = ((await created.json()) as { records: { conditions: Array<{ id: string }> } })
        .records.conditions[0].id;
      const before = stack.nats!.pid()!;
      process.kill(before, 'SIGKILL');
      const deadline = Date.now() + 30_000;
      while (stack.nats!.restarts() < 1 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(stack.nats!.restarts()).toBe(1);
      expect(stack.nats!.pid()).not.toBe(before);
      const events = log.events().map((e) => e.event);
      expect(events).toContain('stack.nats.exited');
      expect(events).toContain('stack.nats.restarted');
      // Same storage: the condition accepted before the kill is still there.
      await waitFor(`${stack.apiUrl}/readyz`, 30_000);
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await fetch(`${stack.apiUrl}/api/v1/conditions/${id}`, { headers: auth })).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toBe(200);
    },
    60_000,
  );

  describe('NATS with generated credentials and least privilege (issue 11)', () => {
    const environ = (pid: number) =>
      Object.fromEntries(
        readFileSync(`/proc/${pid}/environ`, 'utf8')
          .split('\0')
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );

    it('generates the passwords and the server configuration into the data directory, 0600', () => {
      const creds = join(dir, 'data', 'nats-credentials');
      expect(stack.natsCredentials?.dir).toBe(creds);
      expect(statSync(creds).mode & 0o777).toBe(0o700);
      for (const file of readdirSync(creds))
        expect([file, statSync(join(creds, file)).mode & 0o777]).toEqual([file, 0o600]);
      expect(readdirSync(creds).sort()).toEqual([
        'api.password',
        'controller.password',
        'nats-server.conf',
        'route.password',
      ]);
    });

    it.each<[string, { user?: string; pass?: string }]>([
      ['no credentials', {}],
      ['a wrong password', { user: 'api', pass: 'guessed' }],
    ])('refuses a client with %s', async (_what, creds) => {
      await expect(connect({ servers: stack.natsUrl, reconnect: false, ...creds })).rejects.toThrow(
        /Authorization Violation/,
      );
    });

    it('hands each process its own user and password file, never a password', () => {
      const password = (role: 'api' | 'controller') => stack.natsCredentials!.password(role);
      for (const [proc, role, other] of [
        [stack.apis[0], 'api', 'controller'],
        [stack.controllers[0], 'controller', 'api'],
      ] as const) {
        const env = environ(proc.pid()!);
        expect(env).toMatchObject({
          NATS_USER: role,
          NATS_PASSWORD_FILE: stack.natsCredentials!.passwordFile(role),
        });
        const everything =
          Object.values(env).join('\n') + readFileSync(`/proc/${proc.pid()}/cmdline`, 'utf8');
        expect(everything).not.toContain(password(role));
        expect(everything).not.toContain(password(other));
        expect(everything).not.toContain(stack.natsCredentials!.passwordFile(other));
        expect(env.NATS_PASSWORD).toBeUndefined();
      }
    });

    it('runs nothing a controller credential queues: it may not publish a condition', async () => {
      const nc = await connect({
        servers: stack.natsUrl,
        reconnect: false,
        ...stack.natsCredentials!.clientAuth('controller'),
      });
      try {
        const queued = jetstream(nc).publish(
          conditionSubject('serverControl', 'node03'),
          JSON.stringify({ id: randomUUID(), kind: 'serverControl', target: 'node03' }),
          { timeout: 2000 },
        );
        await expect(queued).rejects.toThrow();
      } finally {
        await nc.close();
      }
      const deadline = Date.now() + 5000;
      while (!violations().length && Date.now() < deadline) await sleep(100);
      expect(violations()).toEqual([
        expect.objectContaining({
          user: 'controller',
          subject: conditionSubject('serverControl', 'node03'),
        }),
      ]);
      expect(stack.bmcs!.bmcs.find((b) => b.name === 'node03')).toBeDefined();
      const r = await runIpmitool(
        stack.bmcs!.bmcs.find((b) => b.name === 'node03')!,
        ['chassis', 'power', 'status'],
      );
      expect(r.stdout.trim()).toBe('Chassis Power is off');
    });
  });

  it('NATS refused nothing the API and controller did: their permissions cover the code', () => {
    // Only the attack above, by the controller user, was refused.
    expect(
      violations().filter((e) => e.subject !== conditionSubject('serverControl', 'node03')),
    ).toEqual([]);
  });

  it('stops every process it started', async () => {
    const pids = stack.bmcs!.bmcs.map((b) => b.pid);
    await stack.stop();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    await expect(fetch(`${stack.apiUrl}/healthz`)).rejects.toThrow();
  });
});

describe('the sandbox example shipped in the repository', () => {
  it(
    'loads: eight IPMI servers on their own loopback addresses, a shell-platform server, ' +
      'two racks',
    async () => {
      const { loadInventory } = await import('@switchboard/inventory');
      const inventory = loadInventory(
        join(__dirname, '..', '..', '..', 'examples', 'sandbox', 'topology.yaml'),
        { [SANDBOX_PASSWORD_ENV]: 'sandbox-pw' },
      );
      const ipmi = inventory.servers.filter((s) => s.driver === 'ipmi');
      expect(ipmi.map((s) => s.bmc?.host)).toEqual([
        '127.10.0.1',
        '127.10.0.2',
        '127.10.0.3',
        '127.10.0.4',
        '127.10.0.5',
        '127.10.0.6',
        '127.10.0.7',
        '127.10.0.8',
      ]);
      expect(ipmi.every((s) => s.bmc?.password === 'sandbox-pw' && s.ranks.includes('ipmi'))).toBe(
        true,
      );
      expect(inventory.get('lab01')).toMatchObject({ driver: 'shell', platform: 'demo' });
      expect(inventory.resolve('@rack2').servers.map((s) => s.name)).toEqual([
        'node05',
        'node06',
        'node07',
        'node08',
      ]);
    },
  );

  it('has example commands that all load without problems', async () => {
    const { loadCommands } = await import('@switchboard/commands');
    const { commands, problems } = loadCommands(
      join(__dirname, '..', '..', '..', 'examples', 'commands'),
    );
    expect(problems).toEqual([]);
    expect([...commands.keys()].sort()).toEqual([
      'ipmi-sel',
      'power-cycle',
      'power-off',
      'power-on',
      'power-status',
      'usage',
    ]);
  });
});
