import type { ApiCondition, OutcomeLine } from '@switchboard/condition-types';
import type { ApiClient } from './api-client';
import { ApiRequestError, ApiUnreachableError } from './api-errors';
import { condition } from './test-support/conditions';
import { waitForOutcomes } from './wait-for-outcome';

/**
 * What the API says of one condition in one answer: the condition, null (it is gone), or the whole
 * request fails.
 */
type Step = ApiCondition | null | Error;
type Client = Pick<ApiClient, 'followOutcomes'>;

/**
 * A followOutcomes that plays a script per condition id, one step per request that names it
 * (the last step repeats). Each request answers after a few milliseconds, as a wait would.
 */
function scripted(
  scripts: Record<string, Step[]>,
): Client & { calls: Array<{ ids: string[]; waitMs: number }> } {
  const calls: Array<{ ids: string[]; waitMs: number }> = [];
  return {
    calls,
    async *followOutcomes(ids, opts) {
      calls.push({ ids: [...ids], waitMs: opts.waitMs });
      await new Promise((r) => setTimeout(r, 2));
      for (const id of ids) {
        const script = scripts[id];
        const step = script.length > 1 ? script.shift()! : script[0];
        if (step instanceof Error) throw step;
        yield { id, condition: step } satisfies OutcomeLine;
      }
    },
  };
}

const fast = { intervalMs: 1, timeoutMs: 2000 };

describe('waitForOutcomes', () => {
  it(
    'asks until each condition is final and reports it once, asking again only for the ' +
      'unfinished',
    async () => {
      const a = condition({ target: 'node01', state: 'pending' });
      const b = condition({ target: 'node02', state: 'pending' });
      const client = scripted({
        [a.id]: [
          { ...a, state: 'active' },
          { ...a, state: 'succeeded', result: { power_state: 'on' } },
        ],
        [b.id]: [{ ...b, state: 'failed', error: 'BMC unreachable' }],
      });
      const settled: string[] = [];
      const results = await waitForOutcomes(
        client,
        [
          { server: 'node01', conditionId: a.id, condition: a },
          { server: 'node02', conditionId: b.id, condition: b },
        ],
        { ...fast, onSettled: (r) => settled.push(r.server) },
      );
      expect(results.map((r) => [r.server, r.outcome, r.reason])).toEqual(
        expect.arrayContaining([
          ['node01', 'succeeded', undefined],
          ['node02', 'failed', 'BMC unreachable'],
        ]),
      );
      expect(settled.sort()).toEqual(['node01', 'node02']);
      expect(client.calls.map((c) => c.ids)).toEqual([[a.id, b.id], [a.id]]);
    },
  );

  it(
    'stops early when its signal ' + 'aborts (Ctrl-C), saying so rather than naming a timeout',
    async () => {
      const a = condition({ target: 'node01', state: 'pending' });
      const stop = new AbortController();
      const client: Client = {
        // A wait that only the signal ends; the last look (no wait) answers at once.
        async *followOutcomes(_ids, opts) {
          if (opts.waitMs === 0) return yield { id: a.id, condition: { ...a, state: 'active' } };
          await new Promise((_resolve, reject) =>
            opts.signal?.addEventListener('abort', () => reject(opts.signal?.reason)),
          );
        },
      };
      setTimeout(() => stop.abort(), 20);
      const results = await waitForOutcomes(
        client,
        [{ server: 'node01', conditionId: a.id, condition: a }],
        { intervalMs: 1, timeoutMs: 60_000, signal: stop.signal },
      );
      expect(results.map((r) => [r.server, r.outcome, r.reason])).toEqual([
        ['node01', 'timeout', 'still active when mctl stopped waiting'],
      ]);
    },
  );

  it('does not ask about a condition that was already final when created', async () => {
    const a = condition({ state: 'succeeded' });
    const client = scripted({});
    const results = await waitForOutcomes(
      client,
      [{ server: 'node01', conditionId: a.id, condition: a }],
      fast,
    );
    expect(results[0].outcome).toBe('succeeded');
    expect(client.calls).toEqual([]);
  });

  it('stops at the timeout and reports what is still running, with its state', async () => {
    const a = condition({ state: 'pending' });
    const client = scripted({ [a.id]: [{ ...a, state: 'active' }] });
    const started = Date.now();
    const [result] = await waitForOutcomes(client, [{ server: 'node01', conditionId: a.id }], {
      intervalMs: 20,
      timeoutMs: 150,
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result).toMatchObject({
      server: 'node01',
      outcome: 'timeout',
      state: 'active',
      reason: 'still active after 150 ms',
    });
  });

  it('asks the API to wait no longer than what is left of the bound', async () => {
    const a = condition({ state: 'pending' });
    const waits: number[] = [];
    const client: Client = {
      async *followOutcomes(ids, opts) {
        waits.push(opts.waitMs);
        yield { id: ids[0], condition: { ...a, state: 'succeeded' } };
      },
    };
    await waitForOutcomes(client, [{ server: 'node01', conditionId: a.id }], {
      intervalMs: 1,
      timeoutMs: 5000,
      startedAt: Date.now() - 4000,
    });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeLessThanOrEqual(1000);
  });

  it('counts the time already spent (startedAt) against the bound', async () => {
    const a = condition({ state: 'pending' });
    const client = scripted({ [a.id]: [a] });
    const [result] = await waitForOutcomes(client, [{ server: 'node01', conditionId: a.id }], {
      intervalMs: 1,
      timeoutMs: 5000,
      startedAt: Date.now() - 6000,
    });
    expect(result.outcome).toBe('timeout');
    // Only the last look, which waits for nothing.
    expect(client.calls).toEqual([{ ids: [a.id], waitMs: 0 }]);
  });

  it('rides out an API that is briefly unreachable or answers 503', async () => {
    const a = condition({ state: 'pending' });
    const client = scripted({
      [a.id]: [
        new ApiUnreachableError('http://api', 'connection refused'),
        new ApiRequestError('GET', '/api/v1/outcomes', 503, 'Service Unavailable', undefined),
        { ...a, state: 'succeeded' },
      ],
    });
    const [result] = await waitForOutcomes(client, [{ server: 'node01', conditionId: a.id }], fast);
    expect(result.outcome).toBe('succeeded');
  });

  it(
    'reports a condition unfinished ' + 'at the timeout as it stands then, not as it was created',
    async () => {
      const a = condition({ state: 'pending' });
      const client: Client = {
        async *followOutcomes(ids, opts) {
          // The API sends an unfinished condition only when the wait runs out.
          await new Promise((r) => setTimeout(r, opts.waitMs));
          yield {
            id: ids[0],
            condition: { ...a, state: opts.waitMs === 0 ? 'active' : 'pending' },
          };
        },
      };
      const [result] = await waitForOutcomes(
        client,
        [{ server: 'node01', conditionId: a.id, condition: a }],
        { intervalMs: 1, timeoutMs: 100 },
      );
      expect(result).toMatchObject({
        outcome: 'timeout',
        state: 'active',
        reason: 'still active after 100 ms',
      });
    },
  );

  it('says it lost track when the API stays unreachable until the timeout', async () => {
    const a = condition({ state: 'pending' });
    const client = scripted({
      [a.id]: [new ApiUnreachableError('http://api', 'connection refused')],
    });
    const [result] = await waitForOutcomes(
      client,
      [{ server: 'node01', conditionId: a.id, condition: a }],
      { intervalMs: 10, timeoutMs: 60 },
    );
    expect(result).toMatchObject({ outcome: 'timeout', state: 'pending' });
    expect(result.reason).toMatch(
      /^lost track after 60 ms: cannot reach the Switchboard API at http:\/\/api: connection refused$/,
    );
  });

  it('reports a condition that disappeared as an error, and goes on with the others', async () => {
    const a = condition({ target: 'node01', state: 'pending' });
    const b = condition({ target: 'node02', state: 'pending' });
    const client = scripted({ [a.id]: [null], [b.id]: [{ ...b, state: 'succeeded' }] });
    const results = await waitForOutcomes(
      client,
      [
        { server: 'node01', conditionId: a.id },
        { server: 'node02', conditionId: b.id },
      ],
      fast,
    );
    expect(results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          server: 'node01',
          outcome: 'error',
          reason: `condition ${a.id} no longer exists`,
        }),
        expect.objectContaining({ server: 'node02', outcome: 'succeeded' }),
      ]),
    );
  });

  it('gives up at once when the API refuses the request itself (401)', async () => {
    const a = condition({ state: 'pending' });
    const refusal = new ApiRequestError('GET', '/api/v1/outcomes', 401, 'Unauthorized', undefined);
    const client = scripted({ [a.id]: [refusal] });
    await expect(
      waitForOutcomes(client, [{ server: 'node01', conditionId: a.id }], fast),
    ).rejects.toBe(refusal);
  });

  it(
    'names at most `idsPerRequest` conditions per request, with at most `concurrency` ' +
      'requests in flight',
    async () => {
      let inFlight = 0;
      let peak = 0;
      const sizes: number[] = [];
      const conditions = Array.from({ length: 20 }, (_, i) =>
        condition({ target: `node${i}`, state: 'pending' }),
      );
      const client: Client = {
        async *followOutcomes(ids) {
          sizes.push(ids.length);
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((r) => setTimeout(r, 5));
          inFlight--;
          for (const id of ids)
            yield {
              id,
              condition: { ...conditions.find((c) => c.id === id)!, state: 'succeeded' },
            };
        },
      };
      const results = await waitForOutcomes(
        client,
        conditions.map((c) => ({ server: c.target, conditionId: c.id })),
        { ...fast, concurrency: 2, idsPerRequest: 6 },
      );
      expect(results).toHaveLength(20);
      expect(results.every((r) => r.outcome === 'succeeded')).toBe(true);
      expect(sizes).toEqual([6, 6, 6, 2]);
      expect(peak).toBe(2);
    },
  );
});
