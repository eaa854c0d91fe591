import { ServerConditionsResponse } from '@switchboard/condition-types';
import { MAX_WAITS_PER_SUBJECT, WaitLimits } from './conditions/wait-limits';
import { Harness, bearer, startHarness, waitFor } from './testing/harness';

/**
 * Clients that give up on their long waits (`?wait=`, `GET /outcomes`) and leave: their places
 * among the waits are given back at once, so the next waits are admitted, and the API still
 * stops promptly (aborted fetches leave the client's spare connections open on the server).
 */
describe('waits whose clients left', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(() => h?.close());

  async function queue(server: string): Promise<string> {
    const res = await fetch(`${h.baseUrl}/api/v1/servers/${server}/condition/serverControl`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(h.token()) },
      body: JSON.stringify({ parameters: { action: 'get_power_state' } }),
    });
    expect(res.status).toBe(200);
    return ServerConditionsResponse.parse(await res.json()).records.conditions[0].id;
  }

  const waitRoutes = {
    'GET /conditions/{id}?wait=': (id: string) => `/api/v1/conditions/${id}?wait=60000`,
    'GET /outcomes?wait=': (id: string) => `/api/v1/outcomes?ids=${id}&wait=60000`,
  };

  it(
    `gives back every place of ${MAX_WAITS_PER_SUBJECT} aborted waits, admits new ones, and ` +
      'stops promptly',
    async () => {
      const limits = h.api.app.get(WaitLimits);
      const ids = await Promise.all(
        Array.from({ length: 8 }, (_, i) => queue(`node${String(i + 1).padStart(2, '0')}`)),
      );
      const token = h.token({ sub: 'leaver', scope: 'read' });
      const routes = Object.values(waitRoutes);
      const leaving = Array.from({ length: MAX_WAITS_PER_SUBJECT }, () => new AbortController());
      const waits = leaving.map((client, i) =>
        fetch(`${h.baseUrl}${routes[i % routes.length](ids[i % ids.length])}`, {
          headers: bearer(token),
          signal: client.signal,
        }).then(
          (res) => res.status,
          () => 'aborted',
        ),
      );
      await waitFor(async () => limits.held === MAX_WAITS_PER_SUBJECT, 20_000, 'every wait held');
      const over = await fetch(`${h.baseUrl}${waitRoutes['GET /outcomes?wait='](ids[0])}`, {
        headers: bearer(token),
      });
      expect(over.status).toBe(429);
      await over.text();

      for (const client of leaving) client.abort();
      await waitFor(async () => limits.held === 0, 5000, 'every place given back');
      // Both routes admit this subject again, as many waits as before.
      for (const [route, path] of Object.entries(waitRoutes)) {
        const res = await fetch(`${h.baseUrl}${path(ids[0]).replace('60000', '200')}`, {
          headers: bearer(token),
        });
        expect({ route, status: res.status }).toEqual({ route, status: 200 });
        await res.text();
      }
      expect(await Promise.all(waits)).not.toContain(429);

      // Shutdown: no wait is left to answer, and the connections left behind do not hold it.
      const t0 = Date.now();
      await h.api.close();
      expect(Date.now() - t0).toBeLessThan(4000);
    },
    90_000,
  );
});
