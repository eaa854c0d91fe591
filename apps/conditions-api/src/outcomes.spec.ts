import { ErrorResponse, OutcomeLine, ServerConditionsResponse } from '@switchboard/condition-types';
import { ConditionsService } from './conditions/conditions.service';
import { MAX_WAITS_PER_SUBJECT, WaitLimits } from './conditions/wait-limits';
import { startHarness, Harness, bearer, waitFor } from './testing/harness';
import { useHarness } from './testing/use-harness';

const h = useHarness();

const UNKNOWN_ID = '9b2f1f4e-4a0c-4f53-9d61-3c1bb1c5a001';

async function queue(server: string, on: Harness = h): Promise<string> {
  const res = await fetch(`${on.baseUrl}/api/v1/servers/${server}/condition/serverControl`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(on.token()) },
    body: JSON.stringify({ parameters: { action: 'get_power_state' } }),
  });
  expect(res.status).toBe(200);
  return ServerConditionsResponse.parse(await res.json()).records.conditions[0].id;
}

async function finish(id: string, state: 'succeeded' | 'failed' = 'succeeded'): Promise<void> {
  await h.store.update(id, 'active', { controller: 'test' });
  await h.store.update(
    id,
    state,
    state === 'succeeded' ? { result: { power_state: 'on' } } : { error: 'BMC unreachable' },
  );
}

/** The answer's lines, each as it arrives. */
async function* lines(res: Response): AsyncGenerator<OutcomeLine> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      yield OutcomeLine.parse(JSON.parse(buffered.slice(0, newline)));
      buffered = buffered.slice(newline + 1);
    }
  }
  expect(buffered).toBe('');
}

const follow = (query: string, token = h.token(), signal?: AbortSignal, on: Harness = h) =>
  fetch(`${on.baseUrl}/api/v1/outcomes?${query}`, { headers: bearer(token), signal });

describe('GET /api/v1/outcomes', () => {
  it(
    'without wait, answers every ' + 'condition as it stands, null for an id that names none',
    async () => {
      const [done, pending] = [await queue('node02'), await queue('node03')];
      await finish(done);
      const res = await follow(`ids=${done},${pending},${UNKNOWN_ID}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-ndjson');
      const got = new Map<string, OutcomeLine>();
      for await (const line of lines(res)) got.set(line.id, line);
      expect(got.get(done)?.condition).toMatchObject({
        state: 'succeeded',
        result: { power_state: 'on' },
      });
      expect(got.get(pending)?.condition).toMatchObject({ state: 'pending', server: 'node03' });
      expect(got.get(UNKNOWN_ID)?.condition).toBeNull();
      expect(got.size).toBe(3);
      await finish(pending);
    },
  );

  it('with wait, sends each condition the moment it is final, then ends', async () => {
    const [first, second] = [await queue('node04'), await queue('node05')];
    await finish(first);
    const res = await follow(`ids=${first},${second}&wait=20000`);
    const reading = lines(res);

    const firstLine = await reading.next();
    expect(firstLine.value).toMatchObject({ id: first, condition: { state: 'succeeded' } });
    // The second is not final yet: its line is only sent once it is.
    const secondLine = reading.next();
    const early = await Promise.race([
      secondLine.then(() => 'line'),
      new Promise((r) => setTimeout(() => r('nothing yet'), 300)),
    ]);
    expect(early).toBe('nothing yet');
    await finish(second, 'failed');
    expect((await secondLine).value).toMatchObject({
      id: second,
      condition: { state: 'failed', error: 'BMC unreachable' },
    });
    expect((await reading.next()).done).toBe(true);
  });

  it('sends an outcome arriving while the one before is being sent, even the last', async () => {
    const service = h.api.app.get(ConditionsService);
    const [first, second] = [await queue('node12'), await queue('node13')];
    const stays = new AbortController().signal;
    const outcomes = (await service.follow([first, second], 20_000)).outcomes(stays);
    // Another waiter on the second: the API's shared watch tells both in one dispatch, so
    // once the probe has heard, so has `outcomes`.
    const probe = (await service.follow([second], 20_000)).outcomes(stays);
    const probed = probe.next();
    const firstOut = outcomes.next();
    await finish(first);
    expect((await firstOut).value).toMatchObject({ id: first });
    // `outcomes` is paused at the first line, as while the answer writes it to the socket, when
    // the second, the last one it waits for, becomes final.
    await finish(second);
    expect((await probed).value).toMatchObject({ id: second });
    expect((await outcomes.next()).value).toMatchObject({
      id: second,
      condition: { state: 'succeeded' },
    });
    expect((await outcomes.next()).done).toBe(true);
    expect((await probe.next()).done).toBe(true);
  });

  it('when the wait runs out, sends the unfinished as they stand and ends', async () => {
    const id = await queue('node06');
    const t0 = Date.now();
    const res = await follow(`ids=${id}&wait=400`);
    const all: OutcomeLine[] = [];
    for await (const line of lines(res)) all.push(line);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    expect(all).toEqual([
      expect.objectContaining({ id, condition: expect.objectContaining({ state: 'pending' }) }),
    ]);
    await finish(id);
  });

  it('logs a client that leaves before the end as disconnected', async () => {
    const id = await queue('node07');
    const leaving = new AbortController();
    const res = await follow(`ids=${id}&wait=60000`, h.token(), leaving.signal);
    expect(res.status).toBe(200);
    leaving.abort();
    await waitFor(
      async () =>
        h
          .logs()
          .some(
            (l) =>
              l.event === 'http.request' &&
              l.route === '/api/v1/outcomes' &&
              l.outcome === 'disconnected',
          ),
      5000,
      'the audit line of the abandoned request',
    );
    await finish(id);
  });

  it(
    'at shutdown, answers an open wait with the conditions as they stand, so the API stops ' +
      'at once',
    async () => {
      const own = await startHarness();
      try {
        const id = await queue('node02', own);
        const res = await follow(`ids=${id}&wait=60000`, own.token(), undefined, own);
        const reading = lines(res).next();
        const t0 = Date.now();
        await own.api.close();
        expect((await reading).value).toMatchObject({ id, condition: { state: 'pending' } });
        expect(Date.now() - t0).toBeLessThan(10_000);
      } finally {
        await own.close();
      }
    },
  );

  it(
    `holds ${MAX_WAITS_PER_SUBJECT} waits of one subject at once; the next is 429 before ` +
      `anything is read`,
    async () => {
      const limits = h.api.app.get(WaitLimits);
      const id = await queue('node10');
      const waiter = h.token({ sub: 'waiter', scope: 'read' });
      // The places of waiters already waiting (the limiter itself is specified in
      // wait-limits.spec).
      const held = Array.from({ length: MAX_WAITS_PER_SUBJECT }, () => limits.acquire('waiter'));
      try {
        for (const res of [
          await follow(`ids=${id}&wait=60000`, waiter),
          await fetch(`${h.baseUrl}/api/v1/conditions/${id}?wait=60000`, {
            headers: bearer(waiter),
          }),
        ]) {
          expect(res.status).toBe(429);
          expect(ErrorResponse.parse(await res.json()).message).toBe(
            `too many waits for "waiter": at most ${MAX_WAITS_PER_SUBJECT} at once; retry ` +
              `when one has ended`,
          );
        }
        // Another subject waits as before.
        const other = await follow(`ids=${id}`, h.token({ sub: 'someone-else' }));
        expect(other.status).toBe(200);
        await other.text();
        // A place given back is taken again.
        held.pop()?.();
        const again = await follow(`ids=${id}`, waiter);
        expect(again.status).toBe(200);
        await again.text();
      } finally {
        for (const release of held) release();
        await finish(id);
      }
      expect(limits.held).toBe(0);
    },
  );

  it('gives the place of a wait back when its client leaves', async () => {
    const limits = h.api.app.get(WaitLimits);
    const id = await queue('node11');
    const leaving = new AbortController();
    const res = await follow(`ids=${id}&wait=60000`, h.token(), leaving.signal);
    expect(res.status).toBe(200);
    expect(limits.held).toBe(1);
    leaving.abort();
    await waitFor(async () => limits.held === 0, 5000, 'the place given back');
    await finish(id);
  });

  it(
    'refuses a token whose servers ' + 'claim does not cover every condition, streaming nothing',
    async () => {
      const [mine, other] = [await queue('node08'), await queue('node09')];
      const res = await follow(`ids=${mine},${other}&wait=1000`, h.token({ servers: 'node08' }));
      expect(res.status).toBe(403);
      expect(ErrorResponse.parse(await res.json()).message).toContain('node09');
      await Promise.all([finish(mine), finish(other)]);
    },
  );

  it.each([
    ['no ids', '', 'ids'],
    ['an id that is not a UUID', 'ids=node01', 'ids'],
    ['a wait past the bound', `ids=${UNKNOWN_ID}&wait=60001`, 'wait'],
  ])('answers 400 for %s, naming the parameter', async (_, query, param) => {
    const res = await follow(query);
    expect(res.status).toBe(400);
    expect(ErrorResponse.parse(await res.json()).issues?.[0].path).toBe(param);
  });
});
