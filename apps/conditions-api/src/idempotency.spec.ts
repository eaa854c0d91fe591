import type { AddressInfo } from 'node:net';
import {
  BatchConditionResponse,
  ErrorResponse,
  ServerConditionsResponse,
} from '@switchboard/condition-types';
import { createApp, ConditionsApi } from './app';
import {
  Harness,
  JWT_SECRET,
  bearer,
  captureLogger,
  queueMarks,
  startHarness,
} from './testing/harness';

let h: Harness;
let second: ConditionsApi | undefined;
let secondUrl = '';

beforeAll(async () => {
  h = await startHarness();
  // A second API replica on the same NATS: keys live in JetStream KV, not in one process.
  second = await createApp({
    natsUrl: h.nats.url,
    inventoryFile: h.inventoryFile,
    logger: captureLogger().logger,
    jwtSecret: JWT_SECRET,
    signing: h.signing,
  });
  await second.app.listen(0, '127.0.0.1');
  secondUrl = `http://127.0.0.1:${(second.app.getHttpServer().address() as AddressInfo).port}`;
});

afterAll(async () => {
  await second?.close();
  await h?.close();
});

const post = (url: string, path: string, body: unknown, key?: string, token = h.token()) =>
  fetch(`${url}/api/v1${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...bearer(token),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    body: JSON.stringify(body),
  });

const cycle = { parameters: { action: 'set_power_state', action_parameter: 'cycle' } };
const single = (server: string) => `/servers/${server}/condition/serverControl`;

describe('Idempotency-Key on the create routes', () => {
  it(
    'answers a repeat of a key, on any API replica, with the condition it created; queues ' +
      'it once',
    async () => {
      const before = await queueMarks(h.observer);
      const first = await post(h.baseUrl, single('node03'), cycle, 'op-1');
      expect(first.status).toBe(200);
      const created = ServerConditionsResponse.parse(await first.json()).records.conditions[0];
      for (const url of [h.baseUrl, secondUrl]) {
        const again = await post(url, single('node03'), cycle, 'op-1');
        expect(again.status).toBe(200);
        const answered = ServerConditionsResponse.parse(await again.json()).records.conditions[0];
        expect(answered.id).toBe(created.id);
      }
      expect((await queueMarks(h.observer)).queue).toBe(before.queue + 1);
      // Without the key, the server is busy with that very condition.
      const other = await post(h.baseUrl, single('node03'), cycle);
      expect(other.status).toBe(409);
    },
  );

  it('keeps keys apart per token subject', async () => {
    const mine = await post(h.baseUrl, single('node04'), cycle, 'shared-key');
    expect(mine.status).toBe(200);
    const theirs = await post(
      h.baseUrl,
      single('node05'),
      cycle,
      'shared-key',
      h.token({ sub: 'someone-else' }),
    );
    expect(theirs.status).toBe(200);
  });

  it.each([
    ['another server', single('node07'), cycle],
    ['other parameters', single('node06'), { parameters: { action: 'get_power_state' } }],
  ])('refuses a key reused for %s with 422, creating nothing', async (_what, path, body) => {
    expect((await post(h.baseUrl, single('node06'), cycle, 'reused')).status).toBe(200);
    const before = await queueMarks(h.observer);
    const res = await post(h.baseUrl, path, body, 'reused');
    expect(res.status).toBe(422);
    const answer = ErrorResponse.parse(await res.json());
    expect(answer.code).toBe('idempotency_key_reused');
    expect(answer.message).toMatch(
      /^Idempotency-Key "reused" was used for another request within the last 24 h/,
    );
    expect(await queueMarks(h.observer)).toEqual(before);
  });

  it.each([
    ['empty', ''],
    ['with a space', 'a b'],
    ['too long', 'k'.repeat(256)],
  ])('refuses a malformed key (%s) with 400', async (_what, key) => {
    const res = await post(h.baseUrl, single('node08'), cycle, key);
    expect(res.status).toBe(400);
    expect(ErrorResponse.parse(await res.json()).message).toMatch(/^Idempotency-Key must be/);
  });

  it(
    'answers a repeated batch per ' + 'server with the same conditions, creating none twice',
    async () => {
      const body = { kind: 'serverControl', targets: 'node[09-12],nosuch', ...cycle };
      const before = await queueMarks(h.observer);
      const first = BatchConditionResponse.parse(
        await (await post(h.baseUrl, '/conditions', body, 'batch-1')).json(),
      );
      const again = BatchConditionResponse.parse(
        await (await post(secondUrl, '/conditions', body, 'batch-1')).json(),
      );
      const summary = (r: BatchConditionResponse) =>
        r.results.map((x) => [x.server, x.outcome, x.condition?.id]);
      expect(summary(again)).toEqual(summary(first));
      expect(first.results.filter((r) => r.outcome === 'accepted')).toHaveLength(4);
      expect((await queueMarks(h.observer)).queue).toBe(before.queue + 4);
    },
  );
});
