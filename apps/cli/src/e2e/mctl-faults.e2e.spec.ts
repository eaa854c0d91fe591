/**
 * Fault tests against real processes: the conditions-api as a child process (dist/main.js),
 * held by its fault switch after a create's KV writes and before its publish, and killed there
 * with SIGKILL; a second API replica, a controller, NATS and simulated BMCs (ipmi_sim) real.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mintToken } from '@switchboard/auth';
import { startSimulatedFleet } from '@switchboard/bmc-sim';
import type { SimulatedFleet } from '@switchboard/bmc-sim';
import { ConditionStore } from '@switchboard/condition-store';
import type { Condition } from '@switchboard/condition-types';
import { silentLogger } from '@switchboard/logging';
import { Buckets, connectWithRetry, freePort, openBuckets } from '@switchboard/nats';
import type { NatsConnection } from '@nats-io/nats-core';
import { startController } from '../../../controller/src/controller';
import type { RunningController } from '../../../controller/src/controller';
import { ExitCode } from '../exit-codes';
import { run } from '../program';
import { E2eStack, ipmiInventory, startE2eStack } from '../test-support/e2e-stack';
import { memoryIo } from '../test-support/memory-io';

jest.setTimeout(180_000);

const SERVERS = Array.from({ length: 12 }, (_, i) => `r${String(i + 1).padStart(2, '0')}`);
const PASSWORD = 'faults-Secret-1';
const JWT_SECRET = 'mctl-faults-jwt-secret-0123456789-abcdefgh';
const TOKEN = mintToken({ subject: 'faults', scopes: ['admin'] }, JWT_SECRET);
const API_MAIN = join(__dirname, '../../../conditions-api/dist/main.js');

let fleet: SimulatedFleet;
let stack: E2eStack;
let observer: NatsConnection;
let buckets: Buckets;
let store: ConditionStore;
let controller: RunningController | undefined;

/** The API as a process whose creates all stop before their publish; resolves once it is ready. */
async function startHeldApi(): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [API_MAIN], {
    env: {
      PATH: process.env.PATH,
      NATS_URL: stack.nats.url,
      ...stack.credentials.clientEnv('api'),
      INVENTORY_FILE: stack.inventoryFile,
      JWT_SECRET,
      CONDITION_SIGNING_KEY_FILE: stack.signingKeyFile,
      PORT: String(port),
      HOST: '127.0.0.1',
      SWITCHBOARD_FAULT_HOLD_BEFORE_PUBLISH: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; ;) {
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`the API did not get ready:\n${output}`);
    await sleep(200);
  }
  return { child, url, log: () => output };
}

async function killWhenHolding(api: { child: ChildProcess; log: () => string }, count: number) {
  const holding = () =>
    api
      .log()
      .split('\n')
      .filter((l) => l.includes('"fault.holding"')).length;
  for (const deadline = Date.now() + 30_000; holding() < count;) {
    if (Date.now() > deadline) throw new Error(`the API never held ${count} creates`);
    await sleep(20);
  }
  const exited = new Promise((resolve) => api.child.once('exit', resolve));
  api.child.kill('SIGKILL');
  await exited;
  return Date.now();
}

async function conditionsOf(servers: readonly string[]): Promise<Condition[]> {
  const all: Condition[] = [];
  for await (const key of await buckets.conditions.keys('c.*')) {
    const c = await store.get(key.slice(2));
    if (c && servers.includes(c.target)) all.push(c);
  }
  return all;
}

async function keysOf(bucket: 'conditions' | 'active', filter: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of await buckets[bucket].keys(filter)) keys.push(key);
  return keys;
}

const cyclesOf = (server: string) =>
  fleet
    .get(server)
    .events()
    .filter((e) => e.action === 'power' && e.value === '0').length;

beforeAll(async () => {
  fleet = await startSimulatedFleet(
    SERVERS.map((name) => ({ name })),
    { defaults: { port: 16230, username: 'admin', password: PASSWORD, initialPower: 'on' } },
  );
  // The API replica that survives; the controller is started by the test that needs it.
  stack = await startE2eStack({
    name: 'mctl-faults',
    jwtSecret: JWT_SECRET,
    inventory: ipmiInventory(fleet.bmcs),
    controller: false,
  });
  observer = await connectWithRetry({
    servers: stack.nats.url,
    name: 'faults-observer',
    auth: stack.credentials.clientAuth('api'),
  });
  buckets = await openBuckets(observer);
  store = new ConditionStore(observer, buckets);
});

afterAll(async () => {
  await controller?.close();
  await observer?.close();
  await stack?.close();
  await fleet?.stop();
});

describe('the API killed between its KV writes and its publish', () => {
  it(
    'leaves nothing pending: the records are failed "never queued" and their claims ' +
      'released within seconds',
    async () => {
      const servers = SERVERS.slice(0, 4);
      const api = await startHeldApi();
      // A client that does not retry: it only sees the connection die.
      const request = fetch(`${api.url}/api/v1/conditions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'serverControl',
          targets: 'r[01-04]',
          parameters: { action: 'set_power_state', action_parameter: 'cycle' },
        }),
      }).then(
        (r) => `status ${r.status}`,
        (err: Error) => `error ${String((err.cause as Error)?.message ?? err.message)}`,
      );
      const killedAt = await killWhenHolding(api, servers.length);
      expect(await request).toMatch(/^error /);
      expect((await conditionsOf(servers)).map((c) => c.state)).toEqual(
        servers.map(() => 'pending'),
      );
      expect(await keysOf('active', '>')).toHaveLength(servers.length);

      // The surviving API replica's sweeper finds them (the controller's would too).
      let seen: Condition[] = [];
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(200)) {
        seen = await conditionsOf(servers);
        if (seen.every((c) => c.state === 'failed')) break;
      }
      const seconds = (Date.now() - killedAt) / 1000;
      process.stdout.write(
        `cut-off creates failed and claims released ${seconds.toFixed(1)} s after the kill\n`,
      );
      expect(seconds).toBeLessThan(15);
      for (const c of seen)
        expect(c).toMatchObject({
          state: 'failed',
          error: expect.stringMatching(/^never queued: the API creating it stopped/),
        });
      expect(await keysOf('active', '>')).toEqual([]);
      expect(await keysOf('conditions', 'p.*')).toEqual([]);
      for (const s of servers) expect(cyclesOf(s)).toBe(0);
    },
  );

  it(
    'mctl retries the create with its key at the other replica: every server cycled ' +
      'exactly once',
    async () => {
      const servers = SERVERS.slice(4);
      controller = await startController({
        natsUrl: stack.nats.url,
        natsAuth: stack.credentials.clientAuth('controller'),
        signing: stack.signing,
        inventoryFile: stack.inventoryFile,
        logger: silentLogger,
        verifyTimeoutMs: 20_000,
      });
      const api = await startHeldApi();
      const io = memoryIo({
        env: { MCTL_URL: `${api.url},${stack.baseUrl}`, MCTL_TOKEN: TOKEN },
        pollIntervalMs: 100,
      });
      const mctl = run(['power', 'cycle', 'r[05-12]'], io);
      await killWhenHolding(api, servers.length);
      const code = await mctl;

      expect({ code, out: io.stdout.text() }).toEqual({ code: ExitCode.Ok, out: 'on: r[05-12]\n' });
      expect(io.stderr.text()).toMatch(
        new RegExp(
          `^mctl: cannot reach the Switchboard API at ${api.url}: .*; retrying the create ` +
            `at ${stack.baseUrl} with the same Idempotency-Key`,
        ),
      );
      const created = await conditionsOf(servers);
      expect(created).toHaveLength(servers.length);
      for (const c of created) expect(c.state).toBe('succeeded');
      for (const s of servers) expect(cyclesOf(s)).toBe(1);
      expect(await keysOf('active', '>')).toEqual([]);
      expect(await keysOf('conditions', 'p.*')).toEqual([]);
    },
  );
});

describe('NATS with credentials and least privilege (issue 11)', () => {
  it('refused nothing the API and the controller did in every test above', () => {
    expect(stack.natsRefusals()).toEqual([]);
  });
});
