import { activeKey } from '@switchboard/condition-types';
import { ErrorResponse, ServerConditionsResponse } from '@switchboard/condition-types';
import { bearer, rawHttp, waitFor } from './testing/harness';
import { useHarness } from './testing/use-harness';

const h = useHarness();

const auth = () => bearer(h.token());
const post = (server: string) =>
  rawHttp(
    h.port,
    'POST',
    `/api/v1/servers/${server}/condition/serverControl`,
    JSON.stringify({ parameters: { action: 'get_power_state' } }),
    auth(),
  );
const readyStatus = async () => (await rawHttp(h.port, 'GET', '/readyz')).status;

describe('NATS outage', () => {
  let before: string;

  it('is ready and accepts conditions while NATS runs', async () => {
    expect(await readyStatus()).toBe(200);
    const res = await post('node01');
    expect(res.status).toBe(200);
    before = ServerConditionsResponse.parse(res.json()).records.conditions[0].id;
  });

  it(
    'answers 503 at once while NATS ' + 'is down, creates nothing, and /readyz says not ready',
    async () => {
      await h.stopNats();
      await waitFor(async () => (await readyStatus()) === 503, 5000, '/readyz to answer 503');
      const ready = ErrorResponse.parse((await rawHttp(h.port, 'GET', '/readyz')).json());
      expect(ready.message).toContain('NATS');
      expect((await rawHttp(h.port, 'GET', '/healthz')).status).toBe(200);

      const started = Date.now();
      const res = await post('node02');
      expect(Date.now() - started).toBeLessThan(500);
      expect(res.status).toBe(503);
      expect(ErrorResponse.parse(res.json()).message).toMatch(/NATS is not connected/);

      const batch = await rawHttp(
        h.port,
        'POST',
        '/api/v1/conditions',
        JSON.stringify({
          kind: 'action',
          targets: 'node[03-04]',
          parameters: { command: 'usage' },
        }),
        auth(),
      );
      expect(batch.status).toBe(503);
      expect(
        (await rawHttp(h.port, 'GET', '/api/v1/servers/node01/status', undefined, auth())).status,
      ).toBe(503);
      expect(
        (await rawHttp(h.port, 'DELETE', `/api/v1/conditions/${before}`, undefined, auth())).status,
      ).toBe(503);
      expect(
        (await rawHttp(h.port, 'GET', `/api/v1/conditions/${before}/output`, undefined, auth()))
          .status,
      ).toBe(503);
      // The inventory does not need NATS, and neither does checking a token.
      expect((await rawHttp(h.port, 'GET', '/api/v1/servers', undefined, auth())).status).toBe(200);
      expect((await rawHttp(h.port, 'GET', '/api/v1/servers')).status).toBe(401);
    },
  );

  it(
    'is ready again once nats-server is back on the same port and data directory, with ' +
      'nothing half-created',
    async () => {
      await h.startNats();
      await waitFor(
        async () => (await readyStatus()) === 200,
        20_000,
        '/readyz to answer 200 again',
      );

      // The observer connection reconnects on its own; give it the same chance.
      await waitFor(
        async () =>
          !h.observer.isClosed() &&
          (await h.buckets.active.get(activeKey('node01')).then(
            () => true,
            () => false,
          )),
        10_000,
        'observer reconnect',
      );
      for (const server of ['node02', 'node03', 'node04'])
        expect(await h.buckets.active.get(activeKey(server))).toBeNull();
      const kept = await h.buckets.active.get(activeKey('node01'));
      expect(kept?.json<{ conditionId: string }>().conditionId).toBe(before);

      const res = await post('node02');
      expect(res.status).toBe(200);
      expect(
        (
          await rawHttp(h.port, 'GET', '/api/v1/servers/node01/status', undefined, auth())
        ).json<ServerConditionsResponse>().records.conditions[0].id,
      ).toBe(before);
    },
  );
});
