import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  BatchConditionResponse,
  Condition,
  ErrorResponse,
  OutputLine,
  STREAM_OUTPUT,
  ServerConditionsResponse,
  outputSubject,
} from '@switchboard/condition-types';
import { bearer, rawHttp, waitFor } from './testing/harness';
import { useHarness } from './testing/use-harness';
import { MAX_STREAMS_PER_SUBJECT } from './output/output.service';
import { StreamClient, openStream } from './testing/stream-client';
import { send } from './testing/requests';

const h = useHarness();

const auth = (claims = {}) => bearer(h.token(claims));
/** `count` well-formed condition ids, comma-separated, that name no condition. */
const manyIds = (count: number) =>
  Array.from(
    { length: count },
    (_, i) => `9b2f1f4e-4a0c-4f53-9d61-${String(i).padStart(12, '0')}`,
  ).join(',');

async function createAction(server: string): Promise<Condition> {
  const res = await send(h, 'POST', `/api/v1/servers/${server}/condition/action`, {
    parameters: { command: 'usage' },
  });
  return ServerConditionsResponse.parse(res.json()).records.conditions[0];
}

/** What the controller does while a script runs: one OutputLine per line, published in order. */
async function print(
  condition: Condition,
  lines: string[],
  stream: OutputLine['stream'] = 'stdout',
): Promise<OutputLine[]> {
  const js = jetstream(h.observer);
  const sent: OutputLine[] = [];
  for (const line of lines) {
    const message: OutputLine = {
      conditionId: condition.id,
      server: condition.target,
      stream,
      line,
      ts: new Date().toISOString(),
    };
    await js.publish(outputSubject(condition.id), JSON.stringify(message));
    sent.push(message);
  }
  return sent;
}

/** What the controller does when the script has ended: active, then final. */
async function finish(condition: Condition): Promise<void> {
  const { state } = (await h.store.get(condition.id))!;
  if (state === 'pending') await h.store.update(condition.id, 'active');
  await h.store.update(condition.id, 'succeeded', { result: { exit_code: 0 } });
}

const follow = (path: string, headers: Record<string, string> = auth()) =>
  openStream(h.port, path, headers);
const followOne = (condition: Condition, query = '', headers?: Record<string, string>) =>
  follow(`/api/v1/conditions/${condition.id}/output${query}`, headers);

async function outputConsumers(): Promise<string[]> {
  const jsm = await jetstreamManager(h.observer);
  const names: string[] = [];
  // A consumer deleted while the server builds the list comes back as a null entry.
  for await (const info of jsm.consumers.list(STREAM_OUTPUT)) if (info) names.push(info.name);
  return names;
}

const noConsumersLeft = () =>
  waitFor(
    async () => (await outputConsumers()).length === 0,
    5000,
    'the output consumers to be deleted',
  );

function auditLine(conditionId: string): Record<string, unknown> | undefined {
  return h
    .logs()
    .find(
      (l) =>
        l.event === 'http.request' &&
        l.conditionId === conditionId &&
        String(l.route).endsWith('/output'),
    );
}

async function expectError(
  answer: StreamClient | { status: number; json(): unknown },
  status: number,
): Promise<ErrorResponse> {
  expect(answer.status).toBe(status);
  if ('ended' in answer) {
    await answer.ended;
    return ErrorResponse.parse(JSON.parse(answer.text()));
  }
  return ErrorResponse.parse(answer.json());
}

describe('GET /api/v1/conditions/{id}/output', () => {
  it(
    'sends the lines as they are ' + 'printed, in order, and ends once the condition is final',
    async () => {
      const condition = await createAction('node01');
      const client = await followOne(condition);
      expect(client.status).toBe(200);
      expect(client.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(client.headers['cache-control']).toBe('no-store');

      await print(condition, ['one', 'two']);
      expect(await client.waitForLines(2)).toEqual(['one', 'two']);
      await print(condition, ['three'], 'stderr');
      expect(await client.waitForLines(3)).toEqual(['one', 'two', 'three']);
      await finish(condition);

      expect(await client.ended).toEqual(['one', 'two', 'three']);
      await noConsumersLeft();
      expect(auditLine(condition.id)).toMatchObject({
        route: '/api/v1/conditions/:id/output',
        servers: 'node01',
        status: 200,
        outcome: 'complete',
        lines: 3,
        format: 'text',
      });
    },
  );

  it('gives a client that comes late the lines printed before it came, then the rest', async () => {
    const condition = await createAction('node02');
    await print(condition, ['early 1', 'early 2']);
    const client = await followOne(condition);
    expect(await client.waitForLines(2)).toEqual(['early 1', 'early 2']);
    await print(condition, ['late']);
    await finish(condition);
    expect(await client.ended).toEqual(['early 1', 'early 2', 'late']);
  });

  it(
    'answers the whole output of a finished condition at once, and one that printed ' +
      'nothing with an empty body',
    async () => {
      const done = await createAction('node03');
      await print(done, ['x', 'y']);
      await finish(done);
      expect(await (await followOne(done)).ended).toEqual(['x', 'y']);

      const silent = await createAction('node03');
      await finish(silent);
      expect(await (await followOne(silent)).ended).toEqual([]);
      await noConsumersLeft();
    },
  );

  it('sends NDJSON, one OutputLine per line, with Accept: application/x-ndjson', async () => {
    const condition = await createAction('node04');
    const sent = [
      ...(await print(condition, ['to stdout'])),
      ...(await print(condition, ['to stderr', '{"not": "parsed"}'], 'stderr')),
    ];
    await finish(condition);
    const client = await followOne(condition, '', { ...auth(), accept: 'application/x-ndjson' });
    expect(client.headers['content-type']).toBe('application/x-ndjson');
    expect((await client.ended).map((l) => OutputLine.parse(JSON.parse(l)))).toEqual(sent);
  });

  it('ends at the time allowed (?timeout=, in seconds) with what was printed so far', async () => {
    const condition = await createAction('node05');
    await print(condition, ['only line']);
    const started = Date.now();
    const client = await followOne(condition, '?timeout=1');
    expect(await client.ended).toEqual(['only line']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(4000);
    await noConsumersLeft();
    expect(auditLine(condition.id)).toMatchObject({ outcome: 'timeout', lines: 1 });
    expect((await h.store.get(condition.id))?.state).toBe('pending');
    await finish(condition);
  });

  it.each([
    [
      'an unknown condition',
      '/api/v1/conditions/9b2f1f4e-4a0c-4f53-9d61-3c1bb1c5a001/output',
      404,
      'condition 9b2f1f4e-4a0c-4f53-9d61-3c1bb1c5a001 not found',
    ],
    ['an id that is not a UUID', '/api/v1/conditions/nope/output', 400, /^invalid id "nope"/],
    [
      'a timeout of 0',
      '/api/v1/conditions/9b2f1f4e-4a0c-4f53-9d61-3c1bb1c5a001/output?timeout=0',
      400,
      /timeout must be at least 1 second/,
    ],
    [
      'a timeout over 24 h',
      '/api/v1/conditions/9b2f1f4e-4a0c-4f53-9d61-3c1bb1c5a001/output?timeout=86401',
      400,
      /at most 86400 seconds/,
    ],
  ])('answers %s with an ErrorResponse', async (_name, url, status, message) => {
    const res = await rawHttp(h.port, 'GET', url, undefined, auth());
    expect((await expectError(res, status)).message).toMatch(message);
  });
});

describe('GET /api/v1/output?ids=...', () => {
  it(
    'interleaves several conditions as they print, each text line after its server, and ' +
      'ends when all are final',
    async () => {
      const batch = await send(h, 'POST', '/api/v1/conditions', {
        kind: 'action',
        targets: 'node[06-07]',
        parameters: { command: 'usage' },
      });
      const [a, b] = BatchConditionResponse.parse(batch.json()).results.map((r) => r.condition!);
      const other = await createAction('node08');
      await print(a, ['a before']);

      const client = await follow(`/api/v1/output?ids=${a.id},${b.id}`);
      expect(client.status).toBe(200);
      expect(await client.waitForLines(1)).toEqual(['node06: a before']);
      await print(b, ['b one']);
      await print(other, ['not asked for']);
      await print(a, ['a two']);
      expect(await client.waitForLines(3)).toEqual([
        'node06: a before',
        'node07: b one',
        'node06: a two',
      ]);
      await finish(a);
      await print(b, ['b last']);
      await finish(b);

      expect(await client.ended).toEqual([
        'node06: a before',
        'node07: b one',
        'node06: a two',
        'node07: b last',
      ]);
      await finish(other);
      await noConsumersLeft();
    },
  );

  it('sends NDJSON for a batch too, without prefixes', async () => {
    const condition = await createAction('node08');
    const sent = await print(condition, ['plain']);
    await finish(condition);
    const client = await follow(`/api/v1/output?ids=${condition.id}`, {
      ...auth(),
      accept: 'application/x-ndjson',
    });
    expect((await client.ended).map((l) => JSON.parse(l) as unknown)).toEqual(sent);
  });

  it.each([
    ['no ids', '', 400, 'invalid ids: give at least one condition id: ?ids=<id>,<id>'],
    [
      'an id that is not a UUID',
      '?ids=9b2f1f4e-4a0c-4f53-9d61-3c1bb1c5a001,node01',
      400,
      'invalid ids: "node01" is not a condition id (a UUID)',
    ],
    [
      'more than 1024 ids',
      `?ids=${manyIds(1025)}`,
      400,
      'invalid ids: 1025 conditions; at most 1024 per request',
    ],
    [
      '1024 ids of which none exists (a long URL is not refused as such)',
      `?ids=${manyIds(1024)}`,
      404,
      /^1024 conditions not found: 9b2f1f4e-4a0c-4f53-9d61-000000000000, /,
    ],
  ])('answers %s with an ErrorResponse', async (_name, query, status, message) => {
    const res = await rawHttp(h.port, 'GET', `/api/v1/output${query}`, undefined, auth());
    expect((await expectError(res, status)).message).toMatch(message);
  });
});

describe('a client that leaves', () => {
  it('takes its consumers with it, for one condition and for a batch', async () => {
    const [a, b] = [await createAction('node09'), await createAction('node10')];
    const one = await followOne(a);
    const many = await follow(`/api/v1/output?ids=${a.id},${b.id}`);
    await print(a, ['first']);
    await one.waitForLines(1);
    await many.waitForLines(1);
    expect(await outputConsumers()).toHaveLength(2);

    one.close();
    many.close();
    await noConsumersLeft();
    await waitFor(
      async () => auditLine(a.id) !== undefined,
      2000,
      'the audit line of the closed stream',
    );
    expect(auditLine(a.id)).toMatchObject({
      status: 200,
      outcome: 'disconnected',
      unfinished: true,
    });
    await finish(a);
    await finish(b);
  });
});

describe('access', () => {
  let rack2: Condition;
  let outside: Condition;

  beforeAll(async () => {
    rack2 = await createAction('node11');
    outside = await createAction('node13');
    await finish(rack2);
    await finish(outside);
  });

  const rack2Token = () => auth({ sub: 'rack2-reader', scope: 'read', servers: '@rack2' });

  it('lets a read token follow a condition of its servers', async () => {
    expect((await followOne(rack2, '', rack2Token())).status).toBe(200);
  });

  it.each([
    ['without a token', () => followOne(rack2, '', {}), 401, /^no bearer token/],
    [
      'with write only',
      () => followOne(rack2, '', auth({ scope: 'write' })),
      403,
      'token lacks scope read',
    ],
    [
      'of a condition on another server',
      () => followOne(outside, '', rack2Token()),
      403,
      'token may not act on server "node13"; its servers claim is "@rack2"',
    ],
    [
      'of a batch reaching past the claim',
      () => follow(`/api/v1/output?ids=${rack2.id},${outside.id}`, rack2Token()),
      403,
      'token may not act on server "node13"; its servers claim is "@rack2"',
    ],
    [
      'of a batch without a token',
      () => follow(`/api/v1/output?ids=${rack2.id}`, {}),
      401,
      /^no bearer token/,
    ],
  ])('refuses to follow %s', async (_name, open, status, message) => {
    const client = await open();
    expect((await expectError(client, status)).message).toMatch(message);
  });
});

describe('open streams per token subject', () => {
  it(
    `are bounded (${MAX_STREAMS_PER_SUBJECT}): one more is 429 until one closes; other ` +
      `subjects are not affected`,
    async () => {
      const condition = await createAction('node14');
      const greedy = auth({ sub: 'greedy', scope: 'read' });
      const clients = await Promise.all(
        Array.from({ length: MAX_STREAMS_PER_SUBJECT }, () => followOne(condition, '', greedy)),
      );
      expect(clients.map((c) => c.status)).toEqual(clients.map(() => 200));

      const refused = await followOne(condition, '', greedy);
      expect((await expectError(refused, 429)).message).toBe(
        `too many output streams for "greedy": at most ${MAX_STREAMS_PER_SUBJECT} open at ` +
          `once; close one first`,
      );
      const other = await followOne(condition, '', auth({ sub: 'someone-else', scope: 'read' }));
      expect(other.status).toBe(200);

      clients[0].close();
      await waitFor(
        async () => (await followOne(condition, '?timeout=1', greedy)).status === 200,
        5000,
        'a slot to free up',
      );
      for (const c of [...clients, other]) c.close();
      await noConsumersLeft();
      await finish(condition);
    },
  );
});

describe('shutting down', () => {
  it(
    'cuts open streams (the answer is visibly incomplete) and removes their consumers, ' +
      'without waiting for the conditions',
    async () => {
      const condition = await createAction('node12');
      const client = await followOne(condition);
      await print(condition, ['running']);
      await client.waitForLines(1);

      const started = Date.now();
      await h.api.close();
      expect(Date.now() - started).toBeLessThan(5000);
      await expect(client.ended).rejects.toThrow('answer cut short after 1 lines');
      await noConsumersLeft();
      expect(auditLine(condition.id)).toMatchObject({
        status: 200,
        outcome: 'shutdown',
        lines: 1,
        unfinished: true,
      });
    },
  );
});
