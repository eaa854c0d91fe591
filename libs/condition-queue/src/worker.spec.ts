import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Condition, ConditionKind } from '@switchboard/condition-types';
import {
  cancelSubject,
  conditionKey,
  conditionSubject,
  KV_CONTROLLERS,
  STREAM_CONDITIONS,
} from '@switchboard/condition-types';
import { randomSigningKeys } from '@switchboard/condition-signing';
import { ConditionStore } from '@switchboard/condition-store';
import pino from 'pino';
import { ConditionFailure, LivenessLost } from './errors';
import { ConditionHandler, HandlerRegistry, Task } from './handler';
import { startTestNats, TestNats } from './test-support/nats';
import { startWorker, Worker, WorkerOptions } from './worker';

// The queue against a real nats-server: conditions created through the store, handlers that
// stand in for the controller's, and the KV records and stream as the proof.

const logger = pino({ level: 'silent' });
const PARAMETERS: Record<ConditionKind, unknown> = {
  serverControl: { action: 'get_power_state' },
  action: { command: 'usage' },
};
const RESULTS = {
  serverControl: { power_state: 'on' },
  action: { exit_code: 0, script: 'usage/default.sh' },
} as const;

let nats: TestNats;
const workers: Worker[] = [];
let servers = 0;

beforeAll(async () => {
  nats = await startTestNats('worker');
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop(0)));
});

afterAll(async () => {
  await nats?.stop();
});

async function start(id: string, handlers: HandlerRegistry, extra: Partial<WorkerOptions> = {}) {
  const worker = await startWorker({
    nc: nats.nc,
    buckets: nats.buckets,
    id,
    handlers,
    fanout: 4,
    heartbeatIntervalMs: 500,
    heartbeatExpiryMs: 3000,
    workingIntervalMs: 1000,
    heldRetryDelayMs: 200,
    pullExpiresMs: 1000,
    signing: nats.signing,
    logger,
    ...extra,
  });
  workers.push(worker);
  return worker;
}

function create(kind: ConditionKind): Promise<Condition> {
  servers++;
  return nats.store.create({
    kind,
    server: `server-${servers}`,
    parameters: PARAMETERS[kind],
    requestedBy: 'test',
  });
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const finalOf = (id: string) =>
  waitFor(`condition ${id} final`, async () => {
    const c = await nats.store.get(id);
    return c && (c.state === 'succeeded' || c.state === 'failed') ? c : undefined;
  });

const messagesLeft = async () =>
  (await (await jetstreamManager(nats.nc)).streams.info(STREAM_CONDITIONS)).state.messages;

/** A handler that does what `act` says and remembers every task it was given. */
function handler<K extends ConditionKind>(
  kind: K,
  act: (task: Task) => Promise<void> = async () => undefined,
  opts: { cancellable?: boolean } = {},
): ConditionHandler<K> & { tasks: Task[] } {
  const tasks: Task[] = [];
  return {
    kind,
    cancellable: opts.cancellable,
    tasks,
    async handle(task) {
      tasks.push(task);
      await act(task);
      return {
        state: 'succeeded',
        result: RESULTS[kind],
        record: `${kind} done`,
      };
    },
  };
}

describe('HandlerRegistry', () => {
  it('refuses a second handler for one kind', () => {
    const registry = new HandlerRegistry().register(handler('action'));
    expect(() => registry.register(handler('action'))).toThrow(
      'a handler for action conditions is already registered',
    );
  });

  it('lists its kinds and the cancellable ones', () => {
    const registry = new HandlerRegistry()
      .register(handler('serverControl'))
      .register(handler('action', undefined, { cancellable: true }));
    expect(registry.kinds).toEqual(['serverControl', 'action']);
    expect(registry.cancellableKinds).toEqual(['action']);
  });
});

describe('a worker', () => {
  it("gives each condition to its kind's handler, writes the outcome and acks", async () => {
    const power = handler('serverControl', (task) => task.progress.record('reading power'));
    const action = handler('action');
    await start('w-route', new HandlerRegistry().register(power).register(action));

    const [a, b] = await Promise.all([create('serverControl'), create('action')]);
    const [doneA, doneB] = await Promise.all([finalOf(a.id), finalOf(b.id)]);

    expect(power.tasks.map((t) => t.condition.id)).toEqual([a.id]);
    expect(action.tasks.map((t) => t.condition.id)).toEqual([b.id]);
    expect(power.tasks[0].takeover).toBeUndefined();
    expect(doneA).toMatchObject({ state: 'succeeded', controller: 'w-route' });
    expect(doneA.status.records.map((r) => r.msg)).toEqual([
      'queued by test',
      'picked up by controller w-route',
      'reading power',
      'serverControl done',
    ]);
    expect(doneB.state).toBe('succeeded');
    await waitFor('both messages acked', async () =>
      (await messagesLeft()) === 0 ? 1 : undefined,
    );
  });

  it(
    'works on no more conditions ' + 'at once than its fanout, and on all of them in the end',
    async () => {
      let running = 0;
      let most = 0;
      const busy = handler('serverControl', async () => {
        running++;
        most = Math.max(most, running);
        await sleep(300);
        running--;
      });
      await start('w-fanout', new HandlerRegistry().register(busy), { fanout: 2 });

      const created = await Promise.all(Array.from({ length: 7 }, () => create('serverControl')));
      const done = await Promise.all(created.map((c) => finalOf(c.id)));

      expect(done.every((c) => c.state === 'succeeded')).toBe(true);
      expect(busy.tasks).toHaveLength(7);
      expect(most).toBeLessThanOrEqual(2);
    },
  );

  it.each([
    [
      'a kind without a handler',
      new HandlerRegistry().register(handler('action')),
      'this controller has no handler for serverControl conditions (it handles action)',
    ],
    [
      'a ConditionFailure',
      new HandlerRegistry().register(
        handler('serverControl', async () => {
          throw new ConditionFailure('platform p cannot read the power state');
        }),
      ),
      'platform p cannot read the power state',
    ],
    [
      'a bug in the handler',
      new HandlerRegistry().register(
        handler('serverControl', async () => {
          throw new TypeError('x is undefined');
        }),
      ),
      'internal error in the controller: x is undefined',
    ],
  ])('fails the condition on %s, saying why', async (_case, registry, error) => {
    await start(`w-fail-${servers}`, registry);
    const c = await create('serverControl');
    const done = await finalOf(c.id);
    expect(done).toMatchObject({ state: 'failed', error });
  });

  it('hands a running condition back on stop, and another replica takes it over', async () => {
    const first = handler('serverControl', async (task) => {
      await task.progress.record('step one');
      await new Promise((_, reject) =>
        task.signal.addEventListener('abort', () => reject(task.signal.reason)),
      );
    });
    const w1 = await start('w-first', new HandlerRegistry().register(first));
    const c = await create('serverControl');
    await waitFor('the first replica to run it', async () => first.tasks[0]);

    await w1.stop(0);
    const handedBack = await nats.store.get(c.id);
    expect(handedBack?.state).toBe('active');
    expect(handedBack?.status.records.map((r) => r.msg)).toContain(
      'handed back by controller w-first: shutting down',
    );

    const second = handler('serverControl');
    await start('w-second', new HandlerRegistry().register(second));
    const done = await finalOf(c.id);
    expect(done).toMatchObject({ state: 'succeeded', controller: 'w-second' });
    expect(second.tasks[0].takeover?.previousRecords.map((r) => r.msg)).toContain('step one');
  });

  it(
    'stops its work before the others may take it over when its heartbeat cannot be renewed, ' +
      'and resumes it once it can',
    async () => {
      const reasons: unknown[] = [];
      let runs = 0;
      const running = handler('serverControl', async (task) => {
        if (runs++ > 0) return;
        await task.progress.record('step one');
        await new Promise((_, reject) =>
          task.signal.addEventListener('abort', () => {
            reasons.push(task.signal.reason);
            reject(task.signal.reason);
          }),
        );
      });
      await start('w-silent', new HandlerRegistry().register(running));
      const c = await create('serverControl');
      await waitFor('it to run', async () => running.tasks[0]);

      // The heartbeat bucket gone: every renewal fails, as while its leader is being elected.
      const jsm = await jetstreamManager(nats.nc);
      const bucket = `KV_${KV_CONTROLLERS}`;
      const config = (await jsm.streams.info(bucket)).config;
      const silencedAt = Date.now();
      await jsm.streams.delete(bucket);
      try {
        await waitFor('the work to stop', async () => reasons[0]);
        // Others take over at 3000 ms (the expiry); it stopped a beat before.
        expect(Date.now() - silencedAt).toBeLessThan(3000);
        expect(reasons[0]).toBeInstanceOf(LivenessLost);
        const stopped = await nats.store.get(c.id);
        expect(stopped?.state).toBe('active');
        expect(stopped?.status.records.at(-1)?.msg).toMatch(
          /^stopped by controller w-silent: heartbeat not renewed for \d+ ms/,
        );
      } finally {
        await jsm.streams.add(config);
      }
      const done = await finalOf(c.id);
      expect(done).toMatchObject({ state: 'succeeded', controller: 'w-silent' });
      expect(running.tasks[1].takeover?.previousRecords.map((r) => r.msg)).toContain('step one');
    },
  );

  it('drops a message whose record stays missing once it is older than the grace', async () => {
    await start('w-missing', new HandlerRegistry().register(handler('serverControl')), {
      missingRecordGraceMs: 1500,
    });
    const js = jetstream(nats.nc);
    await js.publish(
      conditionSubject('serverControl', 'server-gone'),
      JSON.stringify({ id: '6f1c1d1e-0000-4000-8000-0000000000aa' }),
    );
    const published = Date.now();
    await waitFor('the message to be dropped', async () =>
      (await messagesLeft()) === 0 ? true : undefined,
    );
    expect(Date.now() - published).toBeGreaterThanOrEqual(1500);
  });

  it('stops a cancellable kind on a cancel request and refuses the others', async () => {
    const running = handler(
      'action',
      (task) =>
        new Promise((resolve) => task.cancellation.signal.addEventListener('abort', resolve)),
      { cancellable: true },
    );
    const waiting = handler('serverControl', (task) =>
      sleep(1500, undefined, { signal: task.signal }),
    );
    await start('w-cancel', new HandlerRegistry().register(running).register(waiting));
    const [act, ctl] = await Promise.all([create('action'), create('serverControl')]);
    await waitFor('both running', async () =>
      running.tasks.length && waiting.tasks.length ? 1 : undefined,
    );

    const ask = async (id: string) =>
      (
        await nats.nc.request(cancelSubject(id), JSON.stringify({ conditionId: id, by: 'alice' }), {
          timeout: 5000,
        })
      ).json();
    await expect(ask(act.id)).resolves.toEqual({ ok: true });
    await expect(ask(ctl.id)).resolves.toEqual({
      ok: false,
      error:
        `condition ${ctl.id} is a serverControl condition: ` +
        'only actions can be cancelled while they run',
    });
    expect(running.tasks[0].cancellation.by).toBe('alice');
    expect((await finalOf(act.id)).state).toBe('succeeded');
    expect((await finalOf(ctl.id)).state).toBe('succeeded');
  });
});

describe('a worker given a record no Switchboard process signed', () => {
  // The records are written through stores holding other keys, or none, and changed in KV
  // directly: what someone with NATS access but not the key can do.
  const forge = {
    unsigned: () => new ConditionStore(nats.nc, nats.buckets),
    'signed with another key': () =>
      new ConditionStore(nats.nc, nats.buckets, { signing: randomSigningKeys() }),
  };

  it.each([
    ['unsigned', 'signature_missing', /carries no signature/],
    ['signed with another key', 'signature_invalid', /which this controller does not hold/],
  ] as const)(
    'fails it %s with the code, runs nothing, and acks it',
    async (how, errorCode, reason) => {
      const power = handler('serverControl');
      await start(`w-forged-${servers}`, new HandlerRegistry().register(power));
      servers++;
      const forged = await forge[how]().create({
        kind: 'serverControl',
        server: `server-${servers}`,
        parameters: PARAMETERS.serverControl,
        requestedBy: 'mallory',
      });
      const done = await finalOf(forged.id);
      expect(done).toMatchObject({
        state: 'failed',
        errorCode,
        error: expect.stringMatching(reason),
      });
      expect(done.signature).toBeUndefined();
      expect(power.tasks).toEqual([]);
      await waitFor('the message acked', async () =>
        (await messagesLeft()) === 0 ? 1 : undefined,
      );
    },
  );

  it('fails a signed record whose parameters were changed in KV, and runs nothing', async () => {
    const power = handler('serverControl', () => sleep(200));
    const worker = await start('w-changed', new HandlerRegistry().register(power));
    await worker.stop(0); // hold the queue while the record is changed
    const c = await create('serverControl');
    const entry = await nats.buckets.conditions.get(conditionKey(c.id));
    const record = entry!.json<Record<string, unknown>>();
    await nats.buckets.conditions.put(
      conditionKey(c.id),
      JSON.stringify({
        ...record,
        parameters: { action: 'set_power_state', action_parameter: 'off' },
      }),
    );
    await start('w-changed-2', new HandlerRegistry().register(power));
    const done = await finalOf(c.id);
    expect(done).toMatchObject({
      state: 'failed',
      errorCode: 'signature_invalid',
      error: expect.stringMatching(/does not match its content/),
    });
    expect(power.tasks).toEqual([]);
  });
});
