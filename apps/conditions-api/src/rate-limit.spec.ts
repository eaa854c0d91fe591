import { activeKey } from '@switchboard/condition-types';
import { bearer, queueMarks } from './testing/harness';
import { useHarness } from './testing/use-harness';
import { expectError, send } from './testing/requests';

const LIMIT = 3;
const h = useHarness({ rateLimitPerMinute: LIMIT });

const as = (subject: string) => bearer(h.token({ sub: subject }));
const post = (subject: string, url: string, payload: object) =>
  send(h, 'POST', url, payload, as(subject));

const one = (subject: string, server: string) =>
  post(subject, `/api/v1/servers/${server}/condition/serverControl`, {
    parameters: { action: 'get_power_state' },
  });
const batch = (subject: string, targets: string) =>
  post(subject, '/api/v1/conditions', {
    kind: 'action',
    targets,
    parameters: { command: 'usage' },
  });

describe(`rate limit (${LIMIT} condition requests per subject per minute)`, () => {
  it(
    'shares one budget between both creating routes, then answers 429 with Retry-After and ' +
      'queues nothing',
    async () => {
      expect((await one('alice', 'node01')).status).toBe(200);
      expect((await batch('alice', 'node[02-03]')).status).toBe(200);
      // A conflict still costs a request: the limit counts asking, not succeeding.
      const third = await one('alice', 'node01');
      expect(third.status).toBe(409);
      expect(third.headers['x-ratelimit-remaining']).toBe('0');

      const before = await queueMarks(h.observer);
      for (const refused of [await one('alice', 'node04'), await batch('alice', 'node05')]) {
        expectError(
          refused,
          429,
          /^rate limit exceeded for "alice": at most 3 condition requests per minute; retry in \d+ s$/,
        );
        expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      }
      expect(await queueMarks(h.observer)).toEqual(before);
      expect(await h.buckets.active.get(activeKey('node04'))).toBeNull();
    },
  );

  it('counts each subject on its own', async () => {
    expect((await one('bob', 'node06')).status).toBe(200);
  });

  it('does not limit reads', async () => {
    for (let i = 0; i < LIMIT + 2; i++) {
      const res = await send(h, 'GET', '/api/v1/servers/node01/status', undefined, as('alice'));
      expect(res.status).toBe(200);
    }
  });

  it('writes the refusal to the audit log', () => {
    const limited = h.logs().filter((l) => l.event === 'http.request' && l.status === 429);
    expect(limited).toHaveLength(2);
    expect(limited[0]).toMatchObject({
      who: 'alice',
      outcome: 'rate_limited',
      reason: expect.stringContaining('rate limit exceeded'),
    });
  });
});
