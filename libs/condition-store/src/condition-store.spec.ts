import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  KV_CONDITIONS,
  STREAM_CONDITIONS,
  conditionKey,
  creatingKey,
} from '@switchboard/condition-types';
import {
  Buckets,
  EmbeddedNats,
  connectWithRetry,
  provision,
  startEmbeddedNats,
} from '@switchboard/nats';
import { randomSigningKeys, verifyCondition } from '@switchboard/condition-signing';
import { ConditionStore } from './condition-store';
import {
  ConflictError,
  QueueUnavailableError,
  StaleWriteError,
  UnreadableConditionError,
} from './errors';

const power = (p: string) => ({ action: 'set_power_state', action_parameter: p });

describe('ConditionStore', () => {
  let dir: string;
  let nats: EmbeddedNats;
  let nc: NatsConnection;
  let buckets: Buckets;
  let store: ConditionStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-store-'));
    nats = await startEmbeddedNats({ dataDir: dir });
    nc = await connectWithRetry({ servers: nats.url, name: 'store-test' });
    buckets = await provision(nc);
    store = new ConditionStore(nc, buckets);
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const queued = async () =>
    (await (await jetstreamManager(nc)).streams.info(STREAM_CONDITIONS)).state.messages;

  it('creates a pending condition, claims the server and queues exactly one message', async () => {
    const before = await queued();
    const c = await store.create({
      kind: 'serverControl',
      server: 'node01',
      parameters: power('on'),
      requestedBy: 'alice',
    });
    expect(c.state).toBe('pending');
    expect(c.requestedBy).toBe('alice');
    expect(await store.get(c.id)).toEqual(c);
    expect(await store.latestFor('node01')).toEqual(c);
    expect((await store.activeFor('node01'))?.conditionId).toBe(c.id);
    expect(await queued()).toBe(before + 1);
  });

  it(
    'refuses a second condition ' + 'for a busy server, naming the holder, and queues nothing',
    async () => {
      const first = await store.create({
        kind: 'serverControl',
        server: 'node02',
        parameters: power('off'),
        requestedBy: 'alice',
      });
      const before = await queued();
      const second = store.create({
        kind: 'serverControl',
        server: 'node02',
        parameters: power('on'),
        requestedBy: 'bob',
      });
      await expect(second).rejects.toThrow(ConflictError);
      await expect(second).rejects.toMatchObject({ conditionId: first.id });
      expect(await queued()).toBe(before);
    },
  );

  it('signs every version it writes with its keys, and one written unsigned has none', async () => {
    const signing = randomSigningKeys();
    const signer = new ConditionStore(nc, buckets, { signing });
    const c = await signer.create({
      kind: 'action',
      server: 'signed01',
      parameters: { command: 'usage', arguments: ['é', '🔌'] },
      requestedBy: 'alice',
    });
    const versions = [await signer.getWithRevision(c.id)];
    versions.push(await signer.update(c.id, 'active', { record: 'picked up', controller: 'x' }));
    versions.push(await signer.getWithRevision(c.id));
    for (const version of versions) {
      expect(version?.condition.signature?.kid).toBe(signing.current.kid);
    }
    const stored = await signer.getWithRevision(c.id);
    expect(stored?.storedAt?.getTime()).toBeGreaterThan(Date.now() - 10_000);
    expect(verifyCondition(stored?.json, signing)).toEqual({ ok: true });
    expect(verifyCondition(stored?.json, randomSigningKeys())).toMatchObject({ ok: false });
    // A store without keys leaves no signature behind that would no longer match.
    await store.update(c.id, 'active', { record: 'noted' });
    expect((await store.get(c.id))?.signature).toBeUndefined();
    const failed = await signer.update(c.id, 'failed', {
      error: 'refused',
      errorCode: 'signature_invalid',
      unsigned: true,
    });
    expect(failed.condition).toMatchObject({ errorCode: 'signature_invalid' });
    expect((await store.get(c.id))?.signature).toBeUndefined();
  });

  it('reports a record that is not a condition as UnreadableConditionError', async () => {
    const id = '55555555-5555-4555-8555-555555555555';
    await buckets.conditions.put(conditionKey(id), '{"id":"not a condition"}');
    await expect(store.get(id)).rejects.toThrow(UnreadableConditionError);
    await buckets.conditions.put(conditionKey(id), 'not json');
    await expect(store.get(id)).rejects.toThrow(
      new RegExp(`the record of condition ${id} is not a condition: .*JSON`),
    );
  });

  it('gives exactly one winner when many requests race for one server', async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        store.create({
          kind: 'serverControl',
          server: 'node03',
          parameters: power('on'),
          requestedBy: `u${i}`,
        }),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    expect(
      attempts.filter((a) => a.status === 'rejected' && a.reason instanceof ConflictError),
    ).toHaveLength(9);
  });

  it(
    'queues a non-exclusive condition without claiming the server, beside an exclusive ' +
      'one, and leaves that claim alone',
    async () => {
      const action = (command: string) => ({ command, arguments: [] });
      const exclusive = await store.create({
        kind: 'action',
        server: 'shared01',
        parameters: action('power-on'),
        requestedBy: 'alice',
      });
      const before = await queued();

      const shared = await Promise.all(
        ['usage', 'usage', 'ipmi-sel'].map((command) =>
          store.create({
            kind: 'action',
            server: 'shared01',
            parameters: action(command),
            requestedBy: 'bob',
            exclusive: false,
          }),
        ),
      );

      expect(await queued()).toBe(before + 3);
      expect(shared.map((c) => c.state)).toEqual(['pending', 'pending', 'pending']);
      expect((await store.activeFor('shared01'))?.conditionId).toBe(exclusive.id);
      await store.update(shared[0].id, 'active', { controller: 'ctl-1' });
      await store.update(shared[0].id, 'succeeded', { record: 'done', result: { exit_code: 0 } });
      expect((await store.activeFor('shared01'))?.conditionId).toBe(exclusive.id);

      const idle = await store.create({
        kind: 'action',
        server: 'shared02',
        parameters: action('usage'),
        requestedBy: 'bob',
        exclusive: false,
      });
      expect(await store.activeFor('shared02')).toBeNull();
      expect(await store.latestFor('shared02')).toEqual(idle);
    },
  );

  it(
    'walks pending -> active -> succeeded, records progress, and frees the server at the ' + 'end',
    async () => {
      const c = await store.create({
        kind: 'serverControl',
        server: 'node04',
        parameters: power('on'),
        requestedBy: 'alice',
      });
      await store.update(c.id, 'active', { record: 'powering on', controller: 'ctl-1' });
      await store.update(c.id, 'active', { record: 'verifying: on' });
      const done = await store.update(c.id, 'succeeded', {
        record: 'power is on',
        result: { power_state: 'on' },
      });
      expect(done.condition.status.records.map((r) => r.msg)).toEqual([
        'queued by alice',
        'powering on',
        'verifying: on',
        'power is on',
      ]);
      expect(done.condition.result).toEqual({ power_state: 'on' });
      expect(done.condition.controller).toBe('ctl-1');
      expect(await store.activeFor('node04')).toBeNull();
      const next = await store.create({
        kind: 'serverControl',
        server: 'node04',
        parameters: power('off'),
        requestedBy: 'bob',
      });
      expect(next.id).not.toBe(c.id);
    },
  );

  it('lets a client wait for the outcome: answers as soon as the condition is final', async () => {
    const c = await store.create({
      kind: 'serverControl',
      server: 'node10',
      parameters: power('on'),
      requestedBy: 'alice',
    });
    const waiting = store.waitUntilFinal(c.id, 10_000);
    await store.update(c.id, 'active');
    setTimeout(() => void store.update(c.id, 'succeeded', { result: { power_state: 'on' } }), 100);
    const t0 = Date.now();
    expect((await waiting)?.state).toBe('succeeded');
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('serves many waiting clients from one shared watch, not a consumer each', async () => {
    const jsm = await jetstreamManager(nc);
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        store.create({
          kind: 'serverControl',
          server: `many${i}`,
          parameters: power('on'),
          requestedBy: 'alice',
        }),
      ),
    );
    const waits = created.map((c) => store.waitUntilFinal(c.id, 10_000));
    await new Promise((r) => setTimeout(r, 200));
    const consumers = (await jsm.streams.info(`KV_${KV_CONDITIONS}`)).state.consumer_count;
    expect(consumers).toBeLessThanOrEqual(1);
    for (const c of created) {
      await store.update(c.id, 'active');
      await store.update(c.id, 'failed', { error: 'test' });
    }
    expect((await Promise.all(waits)).map((c) => c?.state)).toEqual(created.map(() => 'failed'));
  });

  it(
    'tells once per condition when ' + 'each of a set is final: already, later, or missing',
    async () => {
      const create = (server: string) =>
        store.create({ kind: 'serverControl', server, parameters: power('on'), requestedBy: 'al' });
      const [done, later, unreadable] = await Promise.all([
        create('watch1'),
        create('watch2'),
        create('watch3'),
      ]);
      await store.update(done.id, 'active');
      await store.update(done.id, 'succeeded');
      const missing = '44444444-4444-4444-8444-444444444444';
      const told: Array<[string, string | null]> = [];
      const watch = await store.watchFinal(
        [done.id, later.id, missing, unreadable.id],
        (id, condition) => told.push([id, condition?.state ?? null]),
      );
      // Those final or missing when the watch opened are told before it resolves.
      expect(told).toEqual(
        expect.arrayContaining([
          [done.id, 'succeeded'],
          [missing, null],
        ]),
      );
      expect(told).toHaveLength(2);
      // What it read once listening is given too: callers need not read the records again.
      expect(
        Object.fromEntries([...watch.current].map(([id, c]) => [id, c?.state ?? null])),
      ).toEqual({
        [done.id]: 'succeeded',
        [later.id]: 'pending',
        [missing]: null,
        [unreadable.id]: 'pending',
      });
      await store.update(later.id, 'active');
      await store.update(later.id, 'failed', { error: 'test' });
      await buckets.conditions.put(conditionKey(unreadable.id), 'not json');
      const deadline = Date.now() + 10_000;
      while (told.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      watch.stop();
      expect(told.slice(2)).toEqual(
        expect.arrayContaining([
          [later.id, 'failed'],
          [unreadable.id, null],
        ]),
      );
      expect(told).toHaveLength(4);
    },
  );

  it(
    'stops waiting when the waiter aborts (its client left), answering the condition as it ' +
      'stands',
    async () => {
      const c = await store.create({
        kind: 'serverControl',
        server: 'node14',
        parameters: power('on'),
        requestedBy: 'alice',
      });
      const left = new AbortController();
      const t0 = Date.now();
      const waiting = store.waitUntilFinal(c.id, 30_000, left.signal);
      setTimeout(() => left.abort(), 100);
      expect((await waiting)?.state).toBe('pending');
      expect(Date.now() - t0).toBeLessThan(5_000);
    },
  );

  it('gives up waiting after the timeout, answering the condition as it stands', async () => {
    const c = await store.create({
      kind: 'serverControl',
      server: 'node11',
      parameters: power('on'),
      requestedBy: 'alice',
    });
    expect((await store.waitUntilFinal(c.id, 300))?.state).toBe('pending');
    expect(await store.waitUntilFinal('33333333-3333-4333-8333-333333333333', 300)).toBeNull();
  });

  it.each([
    ['pending', 'succeeded'],
    ['succeeded', 'failed'],
  ] as const)('refuses the illegal move %s -> %s', async (from, to) => {
    const c = await store.create({
      kind: 'serverControl',
      server: `illegal-${from}`,
      parameters: power('on'),
      requestedBy: 'alice',
    });
    if (from === 'succeeded') {
      await store.update(c.id, 'active');
      await store.update(c.id, 'succeeded');
    }
    await expect(store.update(c.id, to)).rejects.toThrow(
      `illegal condition state transition ${from} -> ${to}`,
    );
  });

  it(
    'refuses a write from a holder ' + 'whose copy is out of date (someone else wrote since)',
    async () => {
      const c = await store.create({
        kind: 'serverControl',
        server: 'node12',
        parameters: power('on'),
        requestedBy: 'alice',
      });
      const mine = await store.update(c.id, 'active', { controller: 'ctl-1' });
      await store.update(c.id, 'active', { controller: 'ctl-2', record: 'taken over' });
      await expect(
        store.updateFrom(mine, 'succeeded', { result: { power_state: 'on' } }),
      ).rejects.toThrow(StaleWriteError);
      expect((await store.get(c.id))?.controller).toBe('ctl-2');
    },
  );

  it('replaces a stale claim: its condition is final', async () => {
    const first = await store.create({
      kind: 'serverControl',
      server: 'node05',
      parameters: power('on'),
      requestedBy: 'alice',
    });
    await store.update(first.id, 'active');
    const done = await store.update(first.id, 'succeeded', { result: { power_state: 'on' } });
    // A claim the release did not remove (the controller lost NATS right after its final write).
    await buckets.active.put(
      'node05',
      JSON.stringify({
        conditionId: first.id,
        kind: 'serverControl',
        createdAt: done.condition.createdAt,
      }),
    );
    const c = await store.create({
      kind: 'serverControl',
      server: 'node05',
      parameters: power('on'),
      requestedBy: 'alice',
    });
    expect((await store.activeFor('node05'))?.conditionId).toBe(c.id);
  });

  it.each([
    ['older than any create takes: left by a create that died', 'replaced', 60_000],
    ['young: a create may be writing its record right now', 'conflict', 0],
  ] as const)(
    'a claim whose condition record is missing, %s, is %s',
    async (_, expected, ageMs) => {
      const server = `node-gone-${ageMs}`;
      const orphan = '11111111-1111-4111-8111-111111111111';
      await buckets.active.put(
        server,
        JSON.stringify({
          conditionId: orphan,
          kind: 'serverControl',
          createdAt: new Date(Date.now() - ageMs).toISOString(),
        }),
      );
      const creating = store.create({
        kind: 'serverControl',
        server,
        parameters: power('on'),
        requestedBy: 'alice',
      });
      if (expected === 'replaced') {
        const c = await creating;
        expect((await store.activeFor(server))?.conditionId).toBe(c.id);
      } else {
        await expect(creating).rejects.toThrow(ConflictError);
        expect((await store.activeFor(server))?.conditionId).toBe(orphan);
      }
    },
  );

  it(
    'fails a pending condition that was never queued (a create cut off by an outage) and ' +
      'frees its server',
    async () => {
      const old = new Date(Date.now() - 60_000).toISOString();
      const abandoned = {
        version: '1',
        id: '22222222-2222-4222-8222-222222222222',
        kind: 'serverControl',
        target: 'node08',
        parameters: power('on'),
        state: 'pending',
        status: { records: [{ ts: old, msg: 'queued by alice' }] },
        createdAt: old,
        updatedAt: old,
        requestedBy: 'alice',
      };
      await buckets.conditions.put(`c.${abandoned.id}`, JSON.stringify(abandoned));
      await buckets.active.put(
        'node08',
        JSON.stringify({ conditionId: abandoned.id, kind: 'serverControl', createdAt: old }),
      );
      const c = await store.create({
        kind: 'serverControl',
        server: 'node08',
        parameters: power('off'),
        requestedBy: 'bob',
      });
      expect((await store.activeFor('node08'))?.conditionId).toBe(c.id);
      const failed = await store.get(abandoned.id);
      expect(failed?.state).toBe('failed');
      expect(failed?.error).toMatch(/never ran/);
    },
  );

  it('keeps a pending condition that is queued but not yet taken, however old', async () => {
    const c = await store.create({
      kind: 'serverControl',
      server: 'node09',
      parameters: power('on'),
      requestedBy: 'alice',
    });
    const stored = JSON.parse((await buckets.conditions.get(`c.${c.id}`))!.string());
    stored.createdAt = new Date(Date.now() - 60_000).toISOString();
    await buckets.conditions.put(`c.${c.id}`, JSON.stringify(stored));
    await expect(
      store.create({
        kind: 'serverControl',
        server: 'node09',
        parameters: power('off'),
        requestedBy: 'bob',
      }),
    ).rejects.toThrow(ConflictError);
  });

  it('undoes the claim and the record when the queue refuses the message', async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(STREAM_CONDITIONS);
    try {
      await expect(
        store.create({
          kind: 'serverControl',
          server: 'node07',
          parameters: power('on'),
          requestedBy: 'alice',
        }),
      ).rejects.toThrow(QueueUnavailableError);
      expect(await store.activeFor('node07')).toBeNull();
      expect(await store.latestFor('node07')).toBeNull();
    } finally {
      await provision(nc);
    }
    const c = await store.create({
      kind: 'serverControl',
      server: 'node07',
      parameters: power('on'),
      requestedBy: 'alice',
    });
    expect(c.state).toBe('pending');
  });

  it(
    'keeps a condition a controller took while its publish failed: the create answers with it ' +
      'and the server stays claimed',
    async () => {
      // A publish whose answer is lost may still land and be delivered. Here a controller
      // claims the record first, then the publish fails: undoing the create now would free
      // the server while the condition runs.
      const jsm = await jetstreamManager(nc);
      const racing = new ConditionStore(nc, buckets, {
        beforePublish: async (condition) => {
          await store.update(condition.id, 'active', {
            record: 'picked up by controller c1',
            controller: 'c1',
          });
          await jsm.streams.delete(STREAM_CONDITIONS);
        },
      });
      let answer;
      try {
        answer = await racing.create({
          kind: 'serverControl',
          server: 'taken01',
          parameters: power('on'),
          requestedBy: 'alice',
        });
      } finally {
        await provision(nc);
      }
      expect(answer.state).toBe('active');
      expect(answer.controller).toBe('c1');
      expect((await store.activeFor('taken01'))?.conditionId).toBe(answer.id);
      await expect(
        store.create({
          kind: 'serverControl',
          server: 'taken01',
          parameters: power('off'),
          requestedBy: 'bob',
        }),
      ).rejects.toThrow(ConflictError);
    },
  );

  it('reports a NATS outage as QueueUnavailableError', async () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'sb-store-down-'));
    const n2 = await startEmbeddedNats({ dataDir: dir2 });
    const nc2 = await connectWithRetry({ servers: n2.url, name: 'down-test' });
    const s2 = new ConditionStore(nc2, await provision(nc2));
    await n2.stop();
    await expect(
      s2.create({
        kind: 'serverControl',
        server: 'node06',
        parameters: power('on'),
        requestedBy: 'alice',
      }),
    ).rejects.toThrow(QueueUnavailableError);
    await nc2.close().catch(() => undefined);
    rmSync(dir2, { recursive: true, force: true });
  }, 30_000);
  describe('creates repeated with the same id (idempotent retries) and cut-off creates', () => {
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    /** What a create leaves when its process dies after its KV writes, before its publish. */
    const cutOff = async (id: string, server: string, age: number, record = true) => {
      const ts = ago(age);
      if (record)
        await buckets.conditions.put(
          conditionKey(id),
          JSON.stringify({
            version: '1',
            id,
            kind: 'serverControl',
            target: server,
            parameters: power('cycle'),
            state: 'pending',
            status: { records: [{ ts, msg: 'queued by alice' }] },
            createdAt: ts,
            updatedAt: ts,
            requestedBy: 'alice',
          }),
        );
      await buckets.active.put(
        server,
        JSON.stringify({ conditionId: id, kind: 'serverControl', createdAt: ts }),
      );
      await buckets.conditions.put(
        creatingKey(id),
        JSON.stringify({ server, kind: 'serverControl', exclusive: true, createdAt: ts }),
      );
    };
    const marker = async (id: string) =>
      (await buckets.conditions.get(creatingKey(id)))?.operation === 'PUT';

    it('answers a repeat with the condition already created, and queues it once', async () => {
      const id = '33333333-3333-4333-8333-333333333301';
      const req = { id, kind: 'serverControl' as const, server: 'idem01', requestedBy: 'alice' };
      const before = await queued();
      const first = await store.create({ ...req, parameters: power('cycle') });
      const again = await store.create({ ...req, parameters: power('cycle') });
      expect(again).toEqual(first);
      expect(await queued()).toBe(before + 1);
      expect((await store.activeFor('idem01'))?.conditionId).toBe(id);
      expect(await marker(id)).toBe(false);
    });

    it('completes a create cut off before its publish when it is repeated', async () => {
      const id = '33333333-3333-4333-8333-333333333302';
      await cutOff(id, 'idem02', 1000);
      const before = await queued();
      const c = await store.create({
        id,
        kind: 'serverControl',
        server: 'idem02',
        parameters: power('cycle'),
        requestedBy: 'alice',
      });
      expect(c).toMatchObject({ id, state: 'pending' });
      expect(await queued()).toBe(before + 1);
      expect(await store.latestFor('idem02')).toMatchObject({ id });
      expect(await marker(id)).toBe(false);
    });

    it.each([
      ['a pending record never queued: failed "never queued", claim released', true],
      ['a claim whose record was never written: released', false],
    ])('sweeps %s, once a second sweep agrees', async (_what, withRecord) => {
      const id = `33333333-3333-4333-8333-33333333331${withRecord ? 1 : 2}`;
      const server = `sweep${withRecord ? 1 : 2}`;
      await cutOff(id, server, 60_000, withRecord);
      // The first sweep only notes it: a leader just elected may not have applied every write.
      expect(await store.sweepCutOffCreates(undefined, 0)).toEqual([]);
      expect((await store.activeFor(server))?.conditionId).toBe(id);
      expect(await marker(id)).toBe(true);
      if (withRecord) expect(await store.get(id)).toMatchObject({ state: 'pending' });
      const failed = await store.sweepCutOffCreates(undefined, 0);
      expect(failed).toEqual(withRecord ? [id] : []);
      expect(await store.activeFor(server)).toBeNull();
      expect(await marker(id)).toBe(false);
      if (withRecord)
        expect(await store.get(id)).toMatchObject({
          state: 'failed',
          error: expect.stringMatching(/^never queued: the API creating it stopped/),
        });
    });

    it(
      'tells the messages of concurrent actions on one server apart: sweeps the one never ' +
        'queued, leaves a queued one however old',
      async () => {
        const action = () =>
          store.create({
            kind: 'action',
            server: 'conc01',
            parameters: { command: 'usage' },
            requestedBy: 'alice',
            exclusive: false,
          });
        const [first, second, third] = [await action(), await action(), await action()];
        const old = JSON.stringify({
          server: 'conc01',
          kind: 'action',
          exclusive: false,
          createdAt: ago(60_000),
        });
        // The first is queued but not the subject's last message; the other never was.
        await buckets.conditions.put(creatingKey(first.id), old);
        const never = '33333333-3333-4333-8333-333333333331';
        await buckets.conditions.put(
          `c.${never}`,
          JSON.stringify({ ...first, id: never, createdAt: ago(60_000) }),
        );
        await buckets.conditions.put(creatingKey(never), old);

        // Two sweeps: the first only notes what it found (see the test above).
        expect(await store.sweepCutOffCreates(undefined, 0)).toEqual([]);
        expect(await store.sweepCutOffCreates(undefined, 0)).toEqual([never]);
        expect(await store.get(never)).toMatchObject({
          state: 'failed',
          error: expect.stringMatching(/^never queued: /),
        });
        for (const queuedOne of [first, second, third])
          expect(await store.get(queuedOne.id)).toMatchObject({ state: 'pending' });
        expect(await marker(first.id)).toBe(false);
      },
    );

    it(
      'leaves young creates alone, ' + 'and queued ones however old (it only drops their marker)',
      async () => {
        const young = '33333333-3333-4333-8333-333333333321';
        await cutOff(young, 'sweep3', 100);
        const c = await store.create({
          kind: 'serverControl',
          server: 'sweep4',
          parameters: power('on'),
          requestedBy: 'alice',
        });
        await buckets.conditions.put(
          creatingKey(c.id),
          JSON.stringify({
            server: 'sweep4',
            kind: 'serverControl',
            exclusive: true,
            createdAt: ago(60_000),
          }),
        );
        expect(await store.sweepCutOffCreates()).toEqual([]);
        expect(await store.get(young)).toMatchObject({ state: 'pending' });
        expect(await marker(young)).toBe(true);
        expect(await store.get(c.id)).toMatchObject({ state: 'pending' });
        expect(await marker(c.id)).toBe(false);
        expect((await store.activeFor('sweep4'))?.conditionId).toBe(c.id);
      },
    );
  });
});
