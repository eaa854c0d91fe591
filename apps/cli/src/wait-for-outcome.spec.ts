import type { Condition } from '@switchboard/condition-types';
import type { ApiClient } from './api-client';
import { ApiRequestError, ApiUnreachableError } from './api-errors';
import { condition } from './test-support/conditions';
import { waitForOutcomes } from './wait-for-outcome';

type Step = Condition | Error;

/** A getCondition that plays a script per condition id; the last step repeats. */
function scripted(scripts: Record<string, Step[]>): Pick<ApiClient, 'getCondition'> & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async getCondition(id: string) {
      calls.push(id);
      const script = scripts[id];
      const step = script.length > 1 ? script.shift()! : script[0];
      if (step instanceof Error) throw step;
      return step;
    },
  };
}

const fast = { intervalMs: 1, timeoutMs: 2000 };

describe('waitForOutcomes', () => {
  it('polls each condition until it is final and reports it once', async () => {
    const a = condition({ target: 'node01', state: 'pending' });
    const b = condition({ target: 'node02', state: 'pending' });
    const client = scripted({
      [a.id]: [{ ...a, state: 'active' }, { ...a, state: 'succeeded', result: { power_state: 'on' } }],
      [b.id]: [{ ...b, state: 'failed', error: 'BMC unreachable' }],
    });
    const settled: string[] = [];
    const results = await waitForOutcomes(client, [
      { server: 'node01', conditionId: a.id, condition: a },
      { server: 'node02', conditionId: b.id, condition: b },
    ], { ...fast, onSettled: (r) => settled.push(r.server) });
    expect(results.map((r) => [r.server, r.outcome, r.reason])).toEqual(
      expect.arrayContaining([
        ['node01', 'succeeded', undefined],
        ['node02', 'failed', 'BMC unreachable'],
      ]),
    );
    expect(settled.sort()).toEqual(['node01', 'node02']);
    expect(client.calls.filter((id) => id === b.id)).toHaveLength(1);
  });

  it('stops early when its signal aborts (Ctrl-C), saying so rather than naming a timeout', async () => {
    const a = condition({ target: 'node01', state: 'pending' });
    const stop = new AbortController();
    const client = {
      getCondition: (_id: string, opts: { signal?: AbortSignal } = {}) =>
        // A long poll that only the signal ends.
        new Promise<Condition>((_resolve, reject) => opts.signal?.addEventListener('abort', () => reject(opts.signal?.reason))),
    };
    setTimeout(() => stop.abort(), 20);
    const results = await waitForOutcomes(client, [{ server: 'node01', conditionId: a.id, condition: a }], { intervalMs: 1, timeoutMs: 60_000, signal: stop.signal });
    expect(results.map((r) => [r.server, r.outcome, r.reason])).toEqual([['node01', 'timeout', 'still pending when mctl stopped waiting']]);
  });

  it('does not poll a condition that was already final when created', async () => {
    const a = condition({ state: 'succeeded' });
    const client = scripted({});
    const results = await waitForOutcomes(client, [{ server: 'node01', conditionId: a.id, condition: a }], fast);
    expect(results[0].outcome).toBe('succeeded');
    expect(client.calls).toEqual([]);
  });

  it('stops at the timeout and reports what is still running, with its state', async () => {
    const a = condition({ state: 'pending' });
    const client = scripted({ [a.id]: [{ ...a, state: 'active' }] });
    const started = Date.now();
    const [result] = await waitForOutcomes(client, [{ server: 'node01', conditionId: a.id }], { intervalMs: 20, timeoutMs: 150 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result).toMatchObject({ server: 'node01', outcome: 'timeout', state: 'active', reason: 'still active after 150 ms' });
  });

  it('counts the time already spent (startedAt) against the bound', async () => {
    const a = condition({ state: 'pending' });
    const client = scripted({ [a.id]: [a] });
    const [result] = await waitForOutcomes(client, [{ server: 'node01', conditionId: a.id }], { intervalMs: 1, timeoutMs: 5000, startedAt: Date.now() - 6000 });
    expect(result.outcome).toBe('timeout');
    expect(client.calls).toEqual([]);
  });

  it('rides out an API that is briefly unreachable or answers 503', async () => {
    const a = condition({ state: 'pending' });
    const client = scripted({
      [a.id]: [
        new ApiUnreachableError('http://api', 'connection refused'),
        new ApiRequestError('GET', '/api/v1/conditions/x', 503, 'Service Unavailable', undefined),
        { ...a, state: 'succeeded' },
      ],
    });
    const [result] = await waitForOutcomes(client, [{ server: 'node01', conditionId: a.id }], fast);
    expect(result.outcome).toBe('succeeded');
  });

  it('says it lost track when the API stays unreachable until the timeout', async () => {
    const a = condition({ state: 'pending' });
    const client = scripted({ [a.id]: [new ApiUnreachableError('http://api', 'connection refused')] });
    const [result] = await waitForOutcomes(client, [{ server: 'node01', conditionId: a.id, condition: a }], { intervalMs: 10, timeoutMs: 60 });
    expect(result).toMatchObject({ outcome: 'timeout', state: 'pending' });
    expect(result.reason).toMatch(/^lost track after 60 ms: cannot reach the Switchboard API at http:\/\/api: connection refused$/);
  });

  it('reports a condition that disappeared (404) as an error', async () => {
    const a = condition({ state: 'pending' });
    const client = scripted({ [a.id]: [new ApiRequestError('GET', `/api/v1/conditions/${a.id}`, 404, 'Not Found', undefined)] });
    const [result] = await waitForOutcomes(client, [{ server: 'node01', conditionId: a.id }], fast);
    expect(result).toMatchObject({ outcome: 'error', reason: `condition ${a.id} no longer exists` });
  });

  it('gives up at once when the API refuses the poll itself (401)', async () => {
    const a = condition({ state: 'pending' });
    const refusal = new ApiRequestError('GET', '/api/v1/conditions/x', 401, 'Unauthorized', undefined);
    const client = scripted({ [a.id]: [refusal] });
    await expect(waitForOutcomes(client, [{ server: 'node01', conditionId: a.id }], fast)).rejects.toBe(refusal);
  });

  it('keeps at most `concurrency` polls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const conditions = Array.from({ length: 20 }, (_, i) => condition({ target: `node${i}`, state: 'pending' }));
    const client: Pick<ApiClient, 'getCondition'> = {
      async getCondition(id) {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return { ...conditions.find((c) => c.id === id)!, state: 'succeeded' };
      },
    };
    const results = await waitForOutcomes(client, conditions.map((c) => ({ server: c.target, conditionId: c.id })), { ...fast, concurrency: 4 });
    expect(results).toHaveLength(20);
    expect(peak).toBe(4);
  });
});
