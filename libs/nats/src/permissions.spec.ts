import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import {
  CONTROLLER_CONSUMER,
  KV_CONDITIONS,
  KV_CONTROLLERS,
  KV_IDEMPOTENCY,
  STREAM_CONDITIONS,
  STREAM_OUTPUT,
  cancelSubject,
  conditionKey,
  conditionSubject,
  latestConditionKey,
  outputSubject,
} from '@switchboard/condition-types';
import { capturingLogger } from '@switchboard/logging';
import { connectWithRetry } from './connect';
import { NatsCredentials, ensureNatsCredentials } from './credentials';
import { EmbeddedNats, startEmbeddedNats } from './embedded-server';
import { NatsRole, inboxPrefix } from './permissions';
import { ensureJetStream } from './provision';
import { writeNatsServerConfig } from './server-config';

jest.setTimeout(60_000);

/*
 * The attack of issue 11 against the configuration the stack generates: whoever reaches the
 * NATS port must not queue conditions, consume them, read output or send cancels unless its
 * user's role is the one that does so. A row is refused when nats-server itself logs a
 * permission violation for that user and the operation did not take effect.
 */

let dir: string;
let server: EmbeddedNats;
let credentials: NatsCredentials;
const log = capturingLogger();
const as: Partial<Record<NatsRole, NatsConnection>> = {};

const violations = (user: string) =>
  log
    .events()
    .filter((e) => e.event === 'nats.permission_violation' && e.user === user)
    .map((e) => e.subject as string);

const ID = '3f1d7c1e-6a55-4a4e-9a43-0d3c2f5e9b10';

/** Resolves when the operation was done (acknowledged, delivered, read), rejects otherwise. */
type Attempt = (nc: NatsConnection, role: NatsRole) => Promise<unknown>;

const jsPublish =
  (subject: string): Attempt =>
  (nc) =>
    jetstream(nc).publish(subject, JSON.stringify({ id: ID, by: 'attacker' }), { timeout: 2000 });

const kvPut =
  (bucket: string, key: string): Attempt =>
  async (nc) =>
    (await new Kvm(nc).open(bucket)).put(key, JSON.stringify({ id: ID, requestedBy: 'attacker' }));

/** Waits for one message on `sub`, for at most 1.5 s. */
async function hear(sub: ReturnType<NatsConnection['subscribe']>): Promise<void> {
  const heard = await Promise.race([
    (async () => {
      for await (const m of sub) return m;
    })(),
    new Promise((r) => setTimeout(r, 1500, undefined)),
  ]);
  sub.unsubscribe();
  if (!heard) throw new Error(`nothing heard on ${sub.getSubject()}`);
}

/** Sends a cancel request as the API does; the controller listens. */
const sendCancel: Attempt = async (nc) => {
  const sub = as.controller!.subscribe('switchboard.cancel.>', { max: 1 });
  await as.controller!.flush();
  nc.publish(cancelSubject(ID), JSON.stringify({ conditionId: ID, by: 'attacker' }));
  await nc.flush();
  await hear(sub);
};

/** Listens for cancel requests as the controller does; the API sends one. */
const listenForCancels: Attempt = async (nc) => {
  const sub = nc.subscribe('switchboard.cancel.>', { max: 1 });
  await nc.flush();
  as.api!.publish(cancelSubject(ID), JSON.stringify({ conditionId: ID, by: 'tester' }));
  await hear(sub);
};

/** Reads the other role's replies: subscribes to its inbox while it asks JetStream something. */
const readOthersReplies: Attempt = async (nc, role) => {
  const other = role === 'api' ? 'controller' : 'api';
  const sub = nc.subscribe(`${inboxPrefix(other)}.>`, { max: 1 });
  await nc.flush();
  await (await jetstreamManager(as[other]!)).streams.info(STREAM_CONDITIONS);
  await hear(sub);
};

/** Reads every reply of everyone: the default inbox prefix. */
const readAllInboxes: Attempt = async (nc) => {
  const sub = nc.subscribe('_INBOX.>', { max: 1 });
  await nc.flush();
  await hear(sub);
};

/** Pulls one message from a consumer (a JetStream fetch goes through the inbox). */
const pull =
  (stream: string, consumer: string): Attempt =>
  async (nc) => {
    const c = await jetstream(nc).consumers.get(stream, consumer);
    const m = await c.next({ expires: 2000 });
    if (!m) throw new Error('nothing delivered');
    m.nak();
  };

/** Reads a condition's output as the API does: an ordered consumer of its subject. */
const readOutput: Attempt = async (nc) => {
  const c = await jetstream(nc).consumers.get(STREAM_OUTPUT, {
    filter_subjects: outputSubject(ID),
  });
  const m = await c.next({ expires: 2000 });
  if (!m) throw new Error('nothing delivered');
};

const jsApi =
  (subject: string): Attempt =>
  async (nc) => {
    const answer = await nc.request(subject, '', { timeout: 2000 });
    const body = answer.json<{ error?: { description: string } }>();
    if (body.error) throw new Error(body.error.description);
  };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-nats-perms-'));
  credentials = ensureNatsCredentials(join(dir, 'credentials'));
  server = await startEmbeddedNats({
    dataDir: join(dir, 'js'),
    configFile: writeNatsServerConfig(credentials),
    logger: log.logger,
  });
  for (const role of ['api', 'controller'] as const) {
    as[role] = await connectWithRetry({
      servers: server.url,
      name: `perm-${role}`,
      auth: credentials.clientAuth(role),
    });
    // Each role provisions at start, as the API and the controller do.
    await ensureJetStream(as[role]!, { replicas: 1 });
  }
  // Something for the consumers to deliver: a queued condition and an output line.
  await jsPublish(conditionSubject('serverControl', 'node01'))(as.api!, 'api');
  await jetstream(as.controller!).publish(outputSubject(ID), 'line');
});

afterAll(async () => {
  await Promise.all(Object.values(as).map((nc) => nc.close()));
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('generated NATS credentials', () => {
  it('keeps every password file, the directory and the server configuration owner-only', () => {
    expect(statSync(credentials.dir).mode & 0o777).toBe(0o700);
    for (const file of ['api.password', 'controller.password', 'route.password'])
      expect([file, statSync(join(credentials.dir, file)).mode & 0o777]).toEqual([file, 0o600]);
    expect(statSync(join(credentials.dir, 'nats-server.conf')).mode & 0o777).toBe(0o600);
  });

  it('gives the server only bcrypt hashes of the users passwords', () => {
    const { readFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    const config = readFileSync(join(credentials.dir, 'nats-server.conf'), 'utf8');
    for (const role of ['api', 'controller'] as const)
      expect(config).not.toContain(credentials.password(role));
    expect(config.match(/"password": "\$2[aby]\$11\$/g)).toHaveLength(2);
  });

  it('reuses the passwords on the next start', () => {
    const again = ensureNatsCredentials(credentials.dir);
    expect(again.password('api')).toBe(credentials.password('api'));
    expect(again.password('controller')).toBe(credentials.password('controller'));
  });

  it('provisioned as either role without any refusal', () => {
    expect(violations('api')).toEqual([]);
    expect(violations('controller')).toEqual([]);
  });
});

describe('who may connect', () => {
  it.each<[string, { user?: string; pass?: string }]>([
    ['no credentials', {}],
    ['a wrong password', { user: 'api', pass: 'guessed-password' }],
    ['the route user as a client', { user: 'route', pass: 'anything' }],
    ['an unknown user', { user: 'admin', pass: 'admin' }],
  ])('refuses %s', async (_name, creds) => {
    await expect(connect({ servers: server.url, reconnect: false, ...creds })).rejects.toThrow(
      /Authorization Violation/,
    );
  });

  it('refuses the API password presented as the controller user', async () => {
    await expect(
      connect({
        servers: server.url,
        reconnect: false,
        user: 'controller',
        pass: credentials.password('api'),
      }),
    ).rejects.toThrow(/Authorization Violation/);
  });
});

describe('what each user may do (the API creates and queues, controllers consume)', () => {
  const rows: Array<[string, Attempt, NatsRole[]]> = [
    [
      'queue a condition (JetStream publish on the conditions subject)',
      jsPublish(conditionSubject('serverControl', 'node02')),
      ['api'],
    ],
    ['write a condition record', kvPut(KV_CONDITIONS, conditionKey(ID)), ['api', 'controller']],
    [
      "point a server's latest condition at a record",
      kvPut(KV_CONDITIONS, latestConditionKey('node01')),
      ['api'],
    ],
    ['answer an Idempotency-Key', kvPut(KV_IDEMPOTENCY, 'k.attacker'), ['api']],
    ['write a controller heartbeat', kvPut(KV_CONTROLLERS, 'rogue'), ['controller']],
    [
      "pull conditions from the controllers' consumer",
      pull(STREAM_CONDITIONS, CONTROLLER_CONSUMER),
      ['controller'],
    ],
    ['read an action output stream', readOutput, ['api']],
    ['publish an action output line', jsPublish(outputSubject(ID)), ['controller']],
    ['send a cancel request', sendCancel, ['api']],
    ['listen for cancel requests', listenForCancels, ['controller']],
    ["read the other user's replies (record reads, pulled conditions)", readOthersReplies, []],
    ['read every inbox', readAllInboxes, []],
    ['delete the conditions stream', jsApi(`$JS.API.STREAM.DELETE.${STREAM_CONDITIONS}`), []],
    ['purge the conditions stream', jsApi(`$JS.API.STREAM.PURGE.${STREAM_CONDITIONS}`), []],
    [
      "delete the controllers' consumer",
      jsApi(`$JS.API.CONSUMER.DELETE.${STREAM_CONDITIONS}.${CONTROLLER_CONSUMER}`),
      [],
    ],
  ];

  describe.each(['api', 'controller'] as const)('as %s', (role) => {
    it.each(rows)('%s', async (_what, attempt, allowed) => {
      const before = violations(role).length;
      const done = await attempt(as[role]!, role).then(
        () => true,
        () => false,
      );
      // nats-server logs the refusal a moment after it answers.
      await new Promise((r) => setTimeout(r, 200));
      const refused = violations(role).slice(before);
      if (allowed.includes(role)) expect({ done, refused }).toEqual({ done: true, refused: [] });
      else {
        expect(done).toBe(false);
        expect(refused.length).toBeGreaterThan(0);
      }
    });
  });
});
