import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient } from './api-client';
import {
  ApiProtocolError,
  ApiRequestError,
  ApiUnreachableError,
  CreateOutcomeUnknownError,
} from './api-errors';
import { ExitCode } from './exit-codes';
import { FakeApi } from './test-support/fake-api';

const BASE = 'http://api.test:9001';
const CONFLICTING = '5f0c1c52-4c1f-4d43-9f0e-2f4f3c7b9a11';

function answering(status: number, body: unknown, statusText = ''): typeof fetch {
  return async () =>
    new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, statusText });
}

async function thrown(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

async function drain(lines: AsyncIterable<unknown>): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const line of lines) all.push(line);
  return all;
}

describe('ApiClient against the contract', () => {
  it(
    'creates a single-server condition with POST ' +
      '/api/v1/servers/{s}/condition/serverControl and a bearer token',
    async () => {
      const api = FakeApi.fleet(2);
      const client = new ApiClient({ baseUrl: BASE, token: 'tok-123', fetch: api.fetch });
      const answer = await client.createCondition('node01', 'serverControl', {
        action: 'get_power_state',
      });
      expect(answer.outcome).toBe('accepted');
      expect(api.requests[0]).toMatchObject({
        method: 'POST',
        path: '/api/v1/servers/node01/condition/serverControl',
        headers: { authorization: 'Bearer tok-123', 'content-type': 'application/json' },
        body: { parameters: { action: 'get_power_state' } },
      });
    },
  );

  it('sends no Authorization header without a token', async () => {
    const api = FakeApi.fleet(1);
    await new ApiClient({ baseUrl: BASE, fetch: api.fetch }).listServers();
    expect(api.requests[0].headers.authorization).toBeUndefined();
  });

  it('turns 404 into an unknown server and 409 into a conflict naming the condition', async () => {
    const api = new FakeApi([{ name: 'node01', busyWith: CONFLICTING }]);
    const client = new ApiClient({ baseUrl: BASE, fetch: api.fetch });
    expect(
      await client.createCondition('node99', 'serverControl', { action: 'get_power_state' }),
    ).toEqual({
      outcome: 'unknown',
      message: 'server "node99" is not in the inventory',
    });
    expect(
      await client.createCondition('node01', 'serverControl', { action: 'get_power_state' }),
    ).toMatchObject({
      outcome: 'conflict',
      conditionId: CONFLICTING,
    });
  });

  it('sends a range to POST /api/v1/conditions', async () => {
    const api = FakeApi.fleet(3);
    const answer = await new ApiClient({ baseUrl: BASE, fetch: api.fetch }).createBatch(
      'serverControl',
      'node[01-04]',
      {
        action: 'set_power_state',
        action_parameter: 'on',
      },
    );
    expect(api.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/v1/conditions',
      body: { kind: 'serverControl', targets: 'node[01-04]' },
    });
    expect(answer.results.map((r) => [r.server, r.outcome])).toEqual([
      ['node01', 'accepted'],
      ['node02', 'accepted'],
      ['node03', 'accepted'],
      ['node04', 'unknown'],
    ]);
  });

  it('tells a server with no condition from a server not in the inventory', async () => {
    const api = FakeApi.fleet(1);
    const client = new ApiClient({ baseUrl: BASE, fetch: api.fetch });
    expect((await client.serverStatus('node01')).found).toBe('none');
    expect((await client.serverStatus('node02')).found).toBe('unknown');
  });

  it('reads GET /servers', async () => {
    const api = new FakeApi([
      { name: 'node01', id: '7c9e6679-7425-40de-944b-e07fc1f90ae7', groups: ['rack1'] },
    ]);
    expect(await new ApiClient({ baseUrl: BASE, fetch: api.fetch }).listServers()).toEqual([
      {
        name: 'node01',
        id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        platform: 'ipmi',
        driver: 'ipmi',
        ranks: ['default'],
        groups: ['rack1'],
        uuid: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      },
    ]);
  });
});

describe('ApiClient errors', () => {
  it('lists the issues of a 400 and exits 2', async () => {
    const client = new ApiClient({
      baseUrl: BASE,
      fetch: answering(
        400,
        {
          statusCode: 400,
          error: 'Bad Request',
          message: 'invalid parameters for serverControl: parameters.action_parameter: needed',
          issues: [
            {
              path: 'parameters.action_parameter',
              message: 'action set_power_state needs action_parameter',
            },
          ],
        },
        'Bad Request',
      ),
    });
    const err = await thrown(
      client.createBatch('serverControl', 'node[01-02]', { action: 'get_power_state' }),
    );
    expect(err).toBeInstanceOf(ApiRequestError);
    const e = err as ApiRequestError;
    expect(e.exitCode).toBe(ExitCode.Usage);
    expect(e.message).toBe(
      'the API refused POST /api/v1/conditions (400 Bad Request): invalid parameters for ' +
        'serverControl: parameters.action_parameter: needed',
    );
    expect(e.details()).toEqual([
      '  parameters.action_parameter: action set_power_state needs action_parameter',
    ]);
  });

  it("shows a 503's message (queue unavailable) and exits 3", async () => {
    const client = new ApiClient({
      baseUrl: BASE,
      createRetryMs: 0,
      fetch: answering(503, {
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'condition queue unavailable: NATS is not connected',
      }),
    });
    const err = (await thrown(
      client.createCondition('node01', 'serverControl', { action: 'get_power_state' }),
    )) as ApiRequestError;
    expect(err.exitCode).toBe(ExitCode.Api);
    expect(err.message).toMatch(
      /\(503 Service Unavailable\): condition queue unavailable: NATS is not connected$/,
    );
  });

  it('points at the token on 401', async () => {
    const client = new ApiClient({
      baseUrl: BASE,
      fetch: answering(401, { statusCode: 401, error: 'Unauthorized', message: 'bad token' }),
    });
    const err = (await thrown(client.listServers())) as ApiRequestError;
    expect(err.exitCode).toBe(ExitCode.Api);
    expect(err.details()).toEqual(['check the token (MCTL_TOKEN, or token in the config file)']);
  });

  it('does not mistake a missing route for an unknown server', async () => {
    const client = new ApiClient({
      baseUrl: BASE,
      fetch: answering(404, {
        statusCode: 404,
        error: 'Not Found',
        message: 'Cannot POST /api/v1/servers/node01/condition/serverControl',
      }),
    });
    const err = (await thrown(
      client.createCondition('node01', 'serverControl', { action: 'get_power_state' }),
    )) as ApiRequestError;
    expect(err.exitCode).toBe(ExitCode.Api);
    expect(err.details()[0]).toMatch(/is http:\/\/api\.test:9001 the Switchboard conditions-api\?/);
  });

  it('names the URL when nothing listens there', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const err = await thrown(new ApiClient({ baseUrl: `http://127.0.0.1:${port}` }).listServers());
    expect(err).toBeInstanceOf(ApiUnreachableError);
    expect(err.message).toBe(
      `cannot reach the Switchboard API at http://127.0.0.1:${port}: connection refused ` +
        `(is conditions-api running?)`,
    );
  });

  it('gives up on a request that gets no answer', async () => {
    const server = createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const err = await thrown(
        new ApiClient({ baseUrl: `http://127.0.0.1:${port}`, requestTimeoutMs: 200 }).listServers(),
      );
      expect(err).toBeInstanceOf(ApiUnreachableError);
      expect(err.message).toMatch(/no answer within 200 ms$/);
      // A wait for outcomes is bounded by what is left of the wait, not by the 30 s default.
      const started = Date.now();
      const poll = await thrown(
        drain(
          new ApiClient({ baseUrl: `http://127.0.0.1:${port}` }).followOutcomes([CONFLICTING], {
            waitMs: 50,
            timeoutMs: 100,
          }),
        ),
      );
      expect(poll.message).toMatch(/no answer within 100 ms$/);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses an answer that is not the contract (another service on the port)', async () => {
    const client = new ApiClient({ baseUrl: BASE, fetch: answering(200, '<html>hello</html>') });
    const err = await thrown(client.listCommands());
    expect(err).toBeInstanceOf(ApiProtocolError);
    expect((err as ApiProtocolError).exitCode).toBe(ExitCode.Api);
    expect(err.message).toMatch(
      /^unexpected answer to GET http:\/\/api\.test:9001\/api\/v1\/commands.*same version\?\)$/,
    );
    const lines = await thrown(
      drain(client.followOutcomes([CONFLICTING], { waitMs: 0, timeoutMs: 1000 })),
    );
    expect(lines).toBeInstanceOf(ApiProtocolError);
    expect(lines.message).toMatch(
      /\/api\/v1\/outcomes\?ids=5f0c.*an answer line is not an OutcomeLine/,
    );
  });
});

describe('ApiClient for actions', () => {
  it('reads GET /commands, broken commands as problems', async () => {
    const api = FakeApi.fleet(1);
    api.problems = [{ command: 'sel', file: 'sel', message: 'no default.sh' }];
    const listing = await new ApiClient({ baseUrl: BASE, fetch: api.fetch }).listCommands();
    expect(listing.commands.map((c) => c.name)).toEqual(['hello']);
    expect(listing.problems).toEqual([{ command: 'sel', file: 'sel', message: 'no default.sh' }]);
  });

  it.each([
    [200, { outcome: 'cancelled' }, {}],
    [202, { outcome: 'cancelling' }, {}],
    [
      409,
      { outcome: 'refused', message: 'condition x already succeeded' },
      {
        statusCode: 409,
        code: 'not_cancellable',
        error: 'Conflict',
        message: 'condition x already succeeded',
      },
    ],
    [
      404,
      { outcome: 'unknown', message: 'condition x not found' },
      {
        statusCode: 404,
        code: 'unknown_condition',
        error: 'Not Found',
        message: 'condition x not found',
      },
    ],
  ])('DELETE /conditions/{id} answering %i is %j', async (status, expected, body) => {
    const seen: string[] = [];
    const client = new ApiClient({
      baseUrl: BASE,
      fetch: async (input, init) => {
        seen.push(`${init?.method} ${String(input)}`);
        return answering(status, body)(input, init);
      },
    });
    expect(await client.cancelCondition(CONFLICTING)).toEqual(expected);
    expect(seen).toEqual([`DELETE ${BASE}/api/v1/conditions/${CONFLICTING}`]);
  });

  it(
    "asks for NDJSON when opening an output stream, and reports a refusal in the API's " + 'words',
    async () => {
      const headers: Array<Record<string, string>> = [];
      const ok = new ApiClient({
        baseUrl: BASE,
        token: 'tok',
        fetch: async (_input, init) => {
          headers.push(init?.headers as Record<string, string>);
          return new Response('{"x":1}\n', { status: 200 });
        },
      });
      const body = await ok.openStream('/output?ids=a', new AbortController().signal);
      expect(await new Response(body).text()).toBe('{"x":1}\n');
      expect(headers).toEqual([{ accept: 'application/x-ndjson', authorization: 'Bearer tok' }]);

      const refused = new ApiClient({
        baseUrl: BASE,
        fetch: answering(403, {
          statusCode: 403,
          error: 'Forbidden',
          message: 'token lacks scope read',
        }),
      });
      const err = (await thrown(
        refused.openStream('/output?ids=a', new AbortController().signal),
      )) as ApiRequestError;
      expect(err.message).toBe(
        'the API refused GET /api/v1/output?ids=a (403 Forbidden): token lacks scope read',
      );
    },
  );
});

describe('ApiClient create retries (Idempotency-Key)', () => {
  const refused = () =>
    Promise.reject(
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
    );
  const cutOff = () =>
    Promise.reject(
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'UND_ERR_SOCKET' } }),
    );
  const unavailable = async () =>
    new Response(JSON.stringify({ statusCode: 503, error: 'Service Unavailable', message: 'x' }), {
      status: 503,
    });

  /** Answers each attempt with the next of `plan`, then as `api` does; records every attempt. */
  function scripted(plan: Array<() => Promise<Response>>, api = FakeApi.fleet(4)) {
    const attempts: Array<{ url: string; key?: string }> = [];
    const fetchFn: typeof fetch = async (input, init) => {
      const headers = (init?.headers ?? {}) as Record<string, string>;
      attempts.push({ url: String(input), key: headers['idempotency-key'] });
      const next = plan.shift();
      return next ? next() : api.fetch(input, init);
    };
    return { attempts, fetchFn, api };
  }

  it(
    'sends the create again with ' + 'the same key, to the next replica, until one answers',
    async () => {
      const { attempts, fetchFn, api } = scripted([refused, cutOff, unavailable]);
      const lines: string[] = [];
      const client = new ApiClient({
        baseUrl: 'http://a:9001',
        otherUrls: ['http://b:9001'],
        fetch: fetchFn,
        onRetry: (line) => lines.push(line),
      });
      const answer = await client.createBatch('serverControl', 'node[01-02]', {
        action: 'get_power_state',
      });
      expect(answer.results.map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
      expect(attempts.map((a) => new URL(a.url).host)).toEqual([
        'a:9001',
        'b:9001',
        'a:9001',
        'b:9001',
      ]);
      expect(new Set(attempts.map((a) => a.key)).size).toBe(1);
      expect(attempts[0].key).toMatch(/^[0-9a-f-]{36}$/);
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(
        /^cannot reach the Switchboard API at http:\/\/a:9001: connection refused .*; retrying the create at http:\/\/b:9001 with the same Idempotency-Key \(.* of 60 s\)$/,
      );
      expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
      // What follows (waiting for the outcomes) goes to the replica that answered.
      expect(client.baseUrl).toBe('http://b:9001');
    },
  );

  it('sends a fresh key with each new create', async () => {
    const { attempts, fetchFn } = scripted([]);
    const client = new ApiClient({ baseUrl: BASE, fetch: fetchFn });
    await client.createCondition('node01', 'serverControl', { action: 'get_power_state' });
    await client.createCondition('node02', 'serverControl', { action: 'get_power_state' });
    expect(attempts[0].key).not.toBe(attempts[1].key);
  });

  it.each([
    ['refused and 503 only: nothing can have been created', [refused, unavailable], ExitCode.Api],
    [
      'a connection cut after sending: it may have been created',
      [cutOff, refused],
      ExitCode.OutcomeUnknown,
    ],
  ])('out of time, %s -> exit %i', async (_what, plan, code) => {
    const forever = [...plan, ...Array.from({ length: 50 }, () => plan[plan.length - 1])];
    const { fetchFn } = scripted(forever);
    const client = new ApiClient({ baseUrl: BASE, fetch: fetchFn, createRetryMs: 600 });
    const err = (await thrown(
      client.createCondition('node01', 'serverControl', { action: 'get_power_state' }),
    )) as ApiRequestError | CreateOutcomeUnknownError;
    expect(err.exitCode).toBe(code);
    if (code === ExitCode.OutcomeUnknown)
      expect(err.message).toMatch(
        /^the create may have been received, but no answer came \(.*\); its conditions may exist/,
      );
  });
});
