import type { Msg, Subscription } from '@nats-io/nats-core';
import {
  ApiCondition,
  CancelRequest,
  Condition,
  ServerConditionsResponse,
  cancelSubject,
} from '@switchboard/condition-types';
import { bearer, onTheWire, queueMarks } from './testing/harness';
import { useHarness } from './testing/use-harness';
import { claimOf, expectError, send } from './testing/requests';

const h = useHarness();

const as = (claims: Record<string, unknown> = {}) =>
  bearer(h.token({ sub: 'alice', scope: 'write', ...claims }));

const cancel = (id: string, headers = as()) =>
  send(h, 'DELETE', `/api/v1/conditions/${id}`, undefined, headers);

async function create(
  server: string,
  kind: 'action' | 'serverControl' = 'action',
): Promise<Condition> {
  const parameters =
    kind === 'action'
      ? { command: 'usage' }
      : { action: 'set_power_state', action_parameter: 'cycle' };
  const res = await send(h, 'POST', `/api/v1/servers/${server}/condition/${kind}`, {
    parameters,
  });
  return ServerConditionsResponse.parse(res.json()).records.conditions[0];
}

/** A controller taking the condition: pending → active, with its name on it. */
const start = (c: Condition) =>
  h.store.update(c.id, 'active', { controller: 'controller-a', record: 'started' });

/** A controller listening for cancel requests of one condition, answering `answer`. */
async function controllerAnswering(
  id: string,
  answer: unknown,
): Promise<{ received: CancelRequest[]; sub: Subscription }> {
  const received: CancelRequest[] = [];
  const sub = h.observer.subscribe(cancelSubject(id), {
    callback: (_err, msg: Msg) => {
      received.push(CancelRequest.parse(msg.json()));
      msg.respond(JSON.stringify(answer));
    },
  });
  await h.observer.flush(); // the server has the subscription before the API asks
  return { received, sub };
}

describe('DELETE /api/v1/conditions/{id}', () => {
  it(
    'fails a pending condition at once ("cancelled by <subject>"), releasing its server: ' + '200',
    async () => {
      const condition = await create('node01');
      expect((await claimOf(h, 'node01'))?.conditionId).toBe(condition.id);

      const res = await cancel(condition.id);
      expect(res.status).toBe(200);
      const cancelled = ApiCondition.parse(res.json());
      expect(cancelled).toMatchObject({
        id: condition.id,
        state: 'failed',
        error: 'cancelled by alice',
      });
      expect(cancelled.status.records.at(-1)?.msg).toBe('cancelled by alice');
      expect(onTheWire((await h.store.get(condition.id))!)).toEqual(cancelled);
      expect(await claimOf(h, 'node01')).toBeNull();
      // The server is free again.
      expect((await create('node01')).state).toBe('pending');
    },
  );

  it('cancels a pending serverControl too: nothing has touched the BMC yet', async () => {
    const condition = await create('node02', 'serverControl');
    expect(ApiCondition.parse((await cancel(condition.id)).json()).state).toBe('failed');
  });

  it(
    'asks the controller running ' + 'an active action to stop it: 202 once it acknowledges',
    async () => {
      const condition = await create('node03');
      await start(condition);
      const controller = await controllerAnswering(condition.id, { ok: true });
      try {
        const res = await cancel(condition.id);
        expect(res.status).toBe(202);
        expect(ApiCondition.parse(res.json())).toMatchObject({
          id: condition.id,
          state: 'active',
          controller: 'controller-a',
        });
        expect(controller.received).toEqual([{ conditionId: condition.id, by: 'alice' }]);
      } finally {
        controller.sub.unsubscribe();
      }
    },
  );

  it(
    'answers 409 when no controller ' + 'acknowledges: none listening, or one that says why not',
    async () => {
      const condition = await create('node04');
      await start(condition);
      expectError(
        await cancel(condition.id),
        409,
        `no controller acknowledged the cancel of condition ${condition.id} (held by ` +
          `controller controller-a): no controller is listening for cancel requests`,
      );

      const controller = await controllerAnswering(condition.id, {
        ok: false,
        error: 'the command already ended; its outcome is being recorded',
      });
      try {
        expectError(
          await cancel(condition.id),
          409,
          `no controller acknowledged the cancel of condition ${condition.id} (held by ` +
            `controller controller-a): the command already ended; its outcome is being ` +
            `recorded`,
        );
      } finally {
        controller.sub.unsubscribe();
      }
      expect((await h.store.get(condition.id))?.state).toBe('active');
    },
  );

  it('answers 409 when the controller does not answer in time', async () => {
    const condition = await create('node08');
    await start(condition);
    const silent = h.observer.subscribe(cancelSubject(condition.id), { callback: () => undefined });
    await h.observer.flush();
    try {
      const started = Date.now();
      expectError(
        await cancel(condition.id),
        409,
        `no controller acknowledged the cancel of condition ${condition.id} (held by ` +
          `controller controller-a) within 5 s`,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
    } finally {
      silent.unsubscribe();
    }
  });

  it('answers 409 for a serverControl in progress: stopping it half-way is not safe', async () => {
    const condition = await create('node05', 'serverControl');
    await start(condition);
    expectError(
      await cancel(condition.id),
      409,
      /a serverControl in progress cannot be cancelled safely$/,
    );
    expect((await h.store.get(condition.id))?.state).toBe('active');
  });

  it.each(['succeeded', 'failed'] as const)(
    'answers 409 for a condition already %s, changing nothing',
    async (state) => {
      const condition = await create('node06');
      await start(condition);
      await h.store.update(
        condition.id,
        state,
        state === 'failed' ? { error: 'exit 1' } : { result: { exit_code: 0 } },
      );
      const before = await h.store.get(condition.id);
      expectError(await cancel(condition.id), 409, `condition ${condition.id} already ${state}`);
      expect(await h.store.get(condition.id)).toEqual(before);
    },
  );

  it.each([
    [
      'an unknown condition',
      '9b2f1f4e-4a0c-4f53-9d61-3c1bb1c5a001',
      404,
      'condition 9b2f1f4e-4a0c-4f53-9d61-3c1bb1c5a001 not found',
    ],
    ['an id that is not a UUID', 'node01', 400, /^invalid id "node01"/],
  ])('answers %s', async (_name, id, status, message) => {
    expectError(await cancel(id), status, message);
  });

  it('writes one audit line: who, which condition and server, and what happened', async () => {
    const condition = await create('node07');
    await cancel(condition.id, as({ sub: 'audit-cancel' }));
    const lines = h.logs().filter((l) => l.event === 'http.request' && l.who === 'audit-cancel');
    expect(lines).toEqual([
      expect.objectContaining({
        method: 'DELETE',
        route: '/api/v1/conditions/:id',
        conditionId: condition.id,
        servers: 'node07',
        kind: 'action',
        action: 'usage',
        status: 200,
        outcome: 'cancelled',
      }),
    ]);
  });
});

describe('who may cancel', () => {
  let onRack2: Condition;
  let outside: Condition;

  beforeAll(async () => {
    onRack2 = await create('node09');
    outside = await create('node13');
  });

  it.each([
    ['without a token', () => ({}), 401, /^no bearer token/],
    ['with read only', () => as({ scope: 'read' }), 403, 'token lacks scope write'],
    [
      'on a server outside its servers claim',
      () => as({ servers: '@rack2' }),
      403,
      'token may not act on server "node13"; its servers claim is "@rack2"',
    ],
  ])('refuses %s, changing nothing', async (_name, headers, status, message) => {
    const before = await queueMarks(h.observer);
    expectError(await cancel(outside.id, headers()), status, message);
    expect((await h.store.get(outside.id))?.state).toBe('pending');
    expect(await queueMarks(h.observer)).toEqual(before);
  });

  it('lets a write token cancel on its own servers', async () => {
    expect((await cancel(onRack2.id, as({ servers: '@rack2' }))).status).toBe(200);
  });
});

describe("cancelling another subject's action", () => {
  const SECRET = '--db-password=Tr0ub4dor-and-3-horses';

  /** An action of bob's with a secret among its arguments, made with his own token. */
  async function bobsAction(server: string): Promise<Condition> {
    const res = await h.api.app.inject({
      method: 'POST',
      url: `/api/v1/servers/${server}/condition/action`,
      headers: bearer(h.token({ sub: 'bob', scope: 'write' })),
      payload: { parameters: { command: 'usage', arguments: ['--verbose', SECRET] } },
    });
    return ServerConditionsResponse.parse(JSON.parse(res.body)).records.conditions[0];
  }

  it('shows a write-only token the arguments redacted, one for one', async () => {
    const condition = await bobsAction('node16');
    const res = await cancel(condition.id, as({ sub: 'mallory', scope: 'write' }));
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.json())).not.toContain('Tr0ub4dor');
    expect(ApiCondition.parse(res.json()).parameters).toEqual({
      command: 'usage',
      arguments: ['[redacted]', '[redacted]'],
    });
    // What is stored is untouched.
    expect((await h.store.get(condition.id))?.parameters).toEqual({
      command: 'usage',
      arguments: ['--verbose', SECRET],
    });
  });

  it('says nothing of them in a 409 either', async () => {
    const condition = await bobsAction('node14');
    await cancel(condition.id, as({ sub: 'bob' }));
    const res = await cancel(condition.id, as({ sub: 'mallory', scope: 'write' }));
    expect(res.status).toBe(409);
    expect(JSON.stringify(res.json())).not.toContain('Tr0ub4dor');
  });

  it.each<[string, Record<string, unknown>]>([
    ['its requester', { sub: 'bob', scope: 'write' }],
    ['a token that may read', { sub: 'mallory', scope: 'read write' }],
  ])('shows them whole to %s', async (_name, claims) => {
    const condition = await bobsAction('node15');
    const res = await cancel(condition.id, as(claims));
    expect(ApiCondition.parse(res.json()).parameters).toMatchObject({
      arguments: ['--verbose', SECRET],
    });
  });
});
