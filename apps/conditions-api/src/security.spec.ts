import {
  BatchConditionResponse,
  Condition,
  ServerConditionsResponse,
  activeKey,
  conditionKey,
} from '@switchboard/condition-types';
import {
  BMC_PASSWORD,
  Claims,
  JWT_SECRET,
  NODE01_ID,
  bearer,
  queueMarks,
  signToken,
} from './testing/harness';
import { useHarness } from './testing/use-harness';
import { Answer, Method, expectError, send } from './testing/requests';

const h = useHarness();

/** Every request here names its own headers: who asks is what these cases are about. */
const call = (method: Method, url: string, headers: Record<string, string>, payload?: unknown) =>
  send(h, method, url, payload, headers);

const as = (claims: Claims) => bearer(h.token(claims));

const UNKNOWN_ID = '9b2f1f4e-4a0c-4f53-9d61-3c1bb1c5a001';
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Every protected route, with a request that would be valid for an admin. */
const routes: Array<[string, 'GET' | 'POST' | 'DELETE', string, unknown?]> = [
  [
    'create one',
    'POST',
    '/api/v1/servers/node01/condition/serverControl',
    { parameters: { action: 'get_power_state' } },
  ],
  ['status', 'GET', '/api/v1/servers/node01/status'],
  ['latest of a kind', 'GET', '/api/v1/servers/node01/condition/serverControl'],
  ['one condition', 'GET', `/api/v1/conditions/${UNKNOWN_ID}`],
  [
    'batch',
    'POST',
    '/api/v1/conditions',
    { kind: 'serverControl', targets: 'node01', parameters: { action: 'get_power_state' } },
  ],
  ['inventory', 'GET', '/api/v1/servers'],
  ['cancel', 'DELETE', `/api/v1/conditions/${UNKNOWN_ID}`],
  ['output of one', 'GET', `/api/v1/conditions/${UNKNOWN_ID}/output`],
  ['output of several', 'GET', `/api/v1/output?ids=${UNKNOWN_ID}`],
  ['commands', 'GET', '/api/v1/commands'],
  ['one command', 'GET', '/api/v1/commands/usage'],
];

describe('authentication', () => {
  const refused: Array<[string, () => Record<string, string>, string | RegExp]> = [
    ['no token', () => ({}), 'no bearer token: send "Authorization: Bearer <token>"'],
    [
      'Basic credentials',
      () => ({ authorization: 'Basic YWRtaW46YWRtaW4=' }),
      'malformed Authorization header: the scheme must be Bearer',
    ],
    [
      'an empty Bearer',
      () => ({ authorization: 'Bearer ' }),
      'malformed Authorization header: expected "Bearer <token>"',
    ],
    ['a token that is not a JWT', () => bearer('not-a-jwt'), 'malformed token'],
    [
      'a bad signature',
      () => bearer(signToken({}, 'another-secret-that-is-32-bytes-or-longer')),
      'bad token signature',
    ],
    ['an expired token', () => as({ exp: now() - 5 }), /^token expired at \d{4}-/],
    ['a token not valid yet', () => as({ nbf: now() + 3600 }), /^token not valid before \d{4}-/],
    [
      'alg none',
      () =>
        bearer(
          `${b64({ alg: 'none', typ: 'JWT' })}.` +
            `${b64({ sub: 'root', scope: 'admin', exp: now() + 60 })}.`,
        ),
      'token algorithm "none" is not accepted; only HS256',
    ],
    [
      'HS384',
      () => bearer(signToken({}, JWT_SECRET, 'HS384')),
      'token algorithm "HS384" is not accepted; only HS256',
    ],
    ['no exp', () => as({ exp: undefined }), 'token has no expiry (exp); tokens must expire'],
    ['no sub', () => as({ sub: undefined }), 'token has no subject (sub)'],
  ];
  const cases = routes.flatMap(([route, method, url, body]) =>
    refused.map(
      ([why, headers, reason]) => [route, why, method, url, body, headers, reason] as const,
    ),
  );
  let before: Awaited<ReturnType<typeof queueMarks>>;

  beforeAll(async () => {
    before = await queueMarks(h.observer);
  });

  it.each(cases)(
    '%s: refuses %s with 401 and the reason',
    async (_route, _why, method, url, body, headers, reason) => {
      const res = await call(method, url, headers(), body);
      expectError(res, 401, reason);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="switchboard"/);
    },
  );

  it('queued, claimed and recorded nothing for any of them', async () => {
    expect(await queueMarks(h.observer)).toEqual(before);
  });

  it.each([
    '/healthz',
    '/readyz',
    '/api/v1/docs',
    '/api/v1/docs/json',
    '/api/v1/docs/swagger-ui.css',
  ])('answers %s without a token', async (url) => {
    expect((await call('GET', url, {})).status).toBe(200);
  });

  it('documents the bearer scheme in the OpenAPI document, with the probes open', async () => {
    const doc = (await call('GET', '/api/v1/docs/json', {})).json<{
      security: unknown;
      components: { securitySchemes: unknown };
      paths: Record<string, { get: { security?: unknown } }>;
    }>();
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.securitySchemes).toMatchObject({
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    });
    expect(doc.paths['/healthz'].get.security).toEqual([]);
  });
});

describe('scopes', () => {
  // Each creation targets its own server so that a 409 never hides the answer of the guard.
  const table: Array<
    [
      string,
      'GET' | 'POST' | 'DELETE',
      string,
      unknown,
      string | string[] | undefined,
      number | string,
    ]
  > = [
    ['read', 'GET', '/api/v1/servers/node01/status', undefined, 'read', 404],
    ['read', 'GET', '/api/v1/servers', undefined, 'read', 200],
    ['read', 'GET', `/api/v1/conditions/${UNKNOWN_ID}`, undefined, 'read', 404],
    [
      'read',
      'POST',
      '/api/v1/servers/node02/condition/serverControl',
      { parameters: { action: 'get_power_state' } },
      'read',
      'token lacks scope write',
    ],
    [
      'read',
      'POST',
      '/api/v1/conditions',
      { kind: 'action', targets: 'node02', parameters: { command: 'usage' } },
      'read',
      'token lacks scope write',
    ],
    [
      'write',
      'POST',
      '/api/v1/servers/node03/condition/serverControl',
      { parameters: { action: 'get_power_state' } },
      'write',
      200,
    ],
    [
      'write',
      'POST',
      '/api/v1/conditions',
      { kind: 'action', targets: 'node04', parameters: { command: 'usage' } },
      'write',
      200,
    ],
    // write implies nothing else, not even read
    ['write', 'GET', '/api/v1/servers/node03/status', undefined, 'write', 'token lacks scope read'],
    ['write', 'GET', '/api/v1/servers', undefined, 'write', 'token lacks scope read'],
    [
      'write',
      'GET',
      `/api/v1/conditions/${UNKNOWN_ID}`,
      undefined,
      'write',
      'token lacks scope read',
    ],
    [
      'read and write as an array',
      'GET',
      '/api/v1/servers/node03/status',
      undefined,
      ['read', 'write'],
      200,
    ],
    [
      'admin',
      'POST',
      '/api/v1/servers/node05/condition/serverControl',
      { parameters: { action: 'get_power_state' } },
      'admin',
      200,
    ],
    ['admin', 'GET', '/api/v1/servers/node05/condition/serverControl', undefined, 'admin', 200],
    ['read', 'GET', '/api/v1/commands', undefined, 'read', 200],
    ['read', 'GET', `/api/v1/conditions/${UNKNOWN_ID}/output`, undefined, 'read', 404],
    ['read', 'GET', `/api/v1/output?ids=${UNKNOWN_ID}`, undefined, 'read', 404],
    [
      'read',
      'DELETE',
      `/api/v1/conditions/${UNKNOWN_ID}`,
      undefined,
      'read',
      'token lacks scope write',
    ],
    ['write', 'DELETE', `/api/v1/conditions/${UNKNOWN_ID}`, undefined, 'write', 404],
    ['write', 'GET', '/api/v1/commands', undefined, 'write', 'token lacks scope read'],
    [
      'write',
      'GET',
      `/api/v1/conditions/${UNKNOWN_ID}/output`,
      undefined,
      'write',
      'token lacks scope read',
    ],
    [
      'write',
      'GET',
      `/api/v1/output?ids=${UNKNOWN_ID}`,
      undefined,
      'write',
      'token lacks scope read',
    ],
    ['no scope at all', 'GET', '/api/v1/servers', undefined, undefined, 'token lacks scope read'],
    [
      'a scope this API does not know',
      'GET',
      '/api/v1/servers',
      undefined,
      'superuser',
      'token lacks scope read',
    ],
  ];

  it.each(table)(
    'a token with %s: %s %s → %p',
    async (_name, method, url, body, scope, expected) => {
      const res = await call(method, url, as({ sub: 'scoped', scope }), body);
      if (typeof expected === 'number') {
        expect({ status: res.status, body: res.body }).toEqual({
          status: expected,
          body: expect.any(String),
        });
      } else {
        expectError(res, 403, expected);
        expect(res.headers['www-authenticate']).toContain(
          `error="insufficient_scope", scope="${expected.split(' ').pop()}"`,
        );
      }
    },
  );
});

describe('requestedBy', () => {
  it(
    'is the token subject, on the ' + 'single and the batch route, in the answer and in KV',
    async () => {
      const one = await call(
        'POST',
        '/api/v1/servers/node06/condition/serverControl',
        as({ sub: 'alice' }),
        { parameters: { action: 'get_power_state' } },
      );
      const condition = ServerConditionsResponse.parse(one.json()).records.conditions[0];
      expect(condition.requestedBy).toBe('alice');
      expect(
        Condition.parse((await h.buckets.conditions.get(conditionKey(condition.id)))?.json())
          .requestedBy,
      ).toBe('alice');

      const batch = await call('POST', '/api/v1/conditions', as({ sub: 'bob@example.org' }), {
        kind: 'action',
        targets: 'node[07-08]',
        parameters: { command: 'usage' },
      });
      const results = BatchConditionResponse.parse(batch.json()).results;
      expect(results.map((r) => [r.server, r.outcome, r.condition?.requestedBy])).toEqual([
        ['node07', 'accepted', 'bob@example.org'],
        ['node08', 'accepted', 'bob@example.org'],
      ]);
    },
  );
});

describe('a token restricted by a servers claim (@rack2 = node[09-12])', () => {
  const rack2 = () => as({ sub: 'rack2-operator', scope: 'read write', servers: '@rack2' });
  const power = { parameters: { action: 'get_power_state' } };
  let outsideId: string;

  beforeAll(async () => {
    const res = await call('POST', '/api/v1/servers/node13/condition/serverControl', as({}), power);
    outsideId = ServerConditionsResponse.parse(res.json()).records.conditions[0].id;
  });

  it('creates and reads conditions of its servers', async () => {
    const res = await call(
      'POST',
      '/api/v1/servers/node09/condition/serverControl',
      rack2(),
      power,
    );
    expect(res.status).toBe(200);
    const id = ServerConditionsResponse.parse(res.json()).records.conditions[0].id;
    expect((await call('GET', '/api/v1/servers/node09/status', rack2())).status).toBe(200);
    expect((await call('GET', `/api/v1/conditions/${id}`, rack2())).status).toBe(200);
  });

  it.each<[string, 'GET' | 'POST', string, unknown, string]>([
    [
      'create on another server',
      'POST',
      '/api/v1/servers/node14/condition/serverControl',
      power,
      'token may not act on server "node14"; its servers claim is "@rack2"',
    ],
    [
      'create on another server named by id',
      'POST',
      `/api/v1/servers/${NODE01_ID}/condition/serverControl`,
      power,
      'token may not act on server "node01"',
    ],
    [
      'create on a server not in the inventory (no 404: the token learns nothing)',
      'POST',
      '/api/v1/servers/ghost01/condition/serverControl',
      power,
      'token may not act on server "ghost01"',
    ],
    [
      'read the status of another server',
      'GET',
      '/api/v1/servers/node13/status',
      undefined,
      'token may not act on server "node13"',
    ],
    [
      'read the latest of a kind of another server',
      'GET',
      '/api/v1/servers/node13/condition/serverControl',
      undefined,
      'token may not act on server "node13"',
    ],
  ])('refuses to %s with 403 naming it', async (_name, method, url, body, message) => {
    const before = await queueMarks(h.observer);
    expectError(await call(method, url, rack2(), body), 403, message);
    expect(await queueMarks(h.observer)).toEqual(before);
  });

  it('refuses to read a condition of another server, even to wait for it', async () => {
    expectError(
      await call('GET', `/api/v1/conditions/${outsideId}`, rack2()),
      403,
      'token may not act on server "node13"',
    );
    const started = Date.now();
    expectError(await call('GET', `/api/v1/conditions/${outsideId}?wait=5000`, rack2()), 403);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it(
    'refuses a whole batch that reaches past the claim, listing the servers, and creates ' +
      'nothing',
    async () => {
      const before = await queueMarks(h.observer);
      const res = await call('POST', '/api/v1/conditions', rack2(), {
        kind: 'serverControl',
        targets: 'node[07-11],ghost1',
        parameters: { action: 'get_power_state' },
      });
      expectError(
        res,
        403,
        'token may not act on servers ghost1,node[07-08]; its servers claim is "@rack2"',
      );
      expect(await queueMarks(h.observer)).toEqual(before);
      expect(await h.buckets.active.get(activeKey('node10'))).toBeNull();
    },
  );

  it('creates a batch within the claim', async () => {
    const res = await call('POST', '/api/v1/conditions', rack2(), {
      kind: 'serverControl',
      targets: 'node[10-12]',
      parameters: { action: 'get_power_state' },
    });
    expect(BatchConditionResponse.parse(res.json()).results.map((r) => r.outcome)).toEqual([
      'accepted',
      'accepted',
      'accepted',
    ]);
  });

  it('lists only its servers', async () => {
    const res = await call('GET', '/api/v1/servers', rack2());
    expect(res.json<{ records: Array<{ name: string }> }>().records.map((r) => r.name)).toEqual([
      'node09',
      'node10',
      'node11',
      'node12',
    ]);
  });

  it('restricts an admin token too', async () => {
    expectError(
      await call(
        'GET',
        '/api/v1/servers/node13/status',
        as({ scope: 'admin', servers: 'node[09-12]' }),
      ),
      403,
      'token may not act on server "node13"',
    );
  });

  it('answers 401 for a claim that is not a range expression', async () => {
    expectError(
      await call('GET', '/api/v1/servers/node09/status', as({ servers: 'node[09-' })),
      401,
      /^token servers claim is not a valid range expression: /,
    );
  });
});

describe('bounded work per request', () => {
  const batch = (targets: string, claims: Claims = {}) =>
    call('POST', '/api/v1/conditions', as(claims), {
      kind: 'serverControl',
      targets,
      parameters: { action: 'get_power_state' },
    });

  it.each<[string, string, string]>([
    [
      'a 4 KB zero padding (100,000 names of 4 KB: 400 MB)',
      `n[${'0'.repeat(4000)}1-100000]`,
      `"${'0'.repeat(40)}…" pads numbers to 4001 digits; at most 20`,
    ],
    [
      'names longer than a DNS name',
      `${'n'.repeat(250)}[1000-1999]`,
      `"${'n'.repeat(40)}…" makes names of 254 characters; at most 253`,
    ],
    ['more servers than a batch takes', 'n[1-10001]', 'expands to more than 10000 names'],
    ['the same, spread over items', 'n[1-6000],m[1-6000]', 'expands to more than 10000 names'],
  ])('refuses %s with 400 naming the limit, creating nothing', async (_name, targets, reason) => {
    const before = await queueMarks(h.observer);
    const err = expectError(await batch(targets), 400, `invalid targets: ${reason}`);
    expect(err.issues).toEqual([{ path: 'targets', message: reason }]);
    expect(await queueMarks(h.observer)).toEqual(before);
  });

  it(
    'refuses a restricted token from ' + 'the first names outside its claim, not the whole range',
    async () => {
      const err = expectError(await batch('n[1-10000]', { servers: '@rack2' }), 403);
      expect(err.message).toBe(
        'token may not act on servers n[1-100] and more; its servers claim is "@rack2"',
      );
    },
  );

  it('still refuses a restricted token whose targets are mostly inside its claim', async () => {
    expectError(
      await batch('node[09-12],ghost', { servers: '@rack2' }),
      403,
      'token may not act on server "ghost"; its servers claim is "@rack2"',
    );
  });
});

describe('the audit log', () => {
  function lineFor(filter: (line: Record<string, unknown>) => boolean): Record<string, unknown> {
    const lines = h.logs().filter((l) => l.event === 'http.request' && filter(l));
    expect(lines).toHaveLength(1);
    return lines[0];
  }

  it.each<
    [
      string,
      () => Promise<Answer>,
      (l: Record<string, unknown>) => boolean,
      Record<string, unknown>,
    ]
  >([
    [
      'an accepted creation',
      () =>
        call('POST', '/api/v1/servers/node15/condition/serverControl', as({ sub: 'audit-1' }), {
          parameters: { action: 'set_power_state', action_parameter: 'cycle' },
        }),
      (l) => l.who === 'audit-1',
      {
        method: 'POST',
        route: '/api/v1/servers/:server/condition/:kind',
        servers: 'node15',
        kind: 'serverControl',
        action: 'set_power_state cycle',
        status: 200,
        outcome: 'accepted',
      },
    ],
    [
      'a request without a token',
      () => call('GET', '/api/v1/servers/audit-anonymous/status', {}),
      (l) => l.path === '/api/v1/servers/audit-anonymous/status',
      {
        who: 'anonymous',
        method: 'GET',
        route: '/api/v1/servers/:server/status',
        servers: 'audit-anonymous',
        status: 401,
        outcome: 'unauthenticated',
        reason: 'no bearer token: send "Authorization: Bearer <token>"',
      },
    ],
    [
      'a token without the scope',
      () =>
        call('POST', '/api/v1/conditions', as({ sub: 'audit-2', scope: 'read' }), {
          kind: 'action',
          targets: 'node16',
          parameters: { command: 'usage' },
        }),
      (l) => l.who === 'audit-2',
      {
        method: 'POST',
        route: '/api/v1/conditions',
        status: 403,
        outcome: 'forbidden',
        reason: 'token lacks scope write',
      },
    ],
    [
      'a server outside the servers claim',
      () => call('GET', '/api/v1/servers/node15/status', as({ sub: 'audit-5', servers: 'node16' })),
      (l) => l.who === 'audit-5',
      {
        route: '/api/v1/servers/:server/status',
        servers: 'node15',
        status: 403,
        outcome: 'forbidden',
        reason: 'token may not act on server "node15"; its servers claim is "node16"',
      },
    ],
    [
      'a batch outside the servers claim',
      () =>
        call('POST', '/api/v1/conditions', as({ sub: 'audit-3', servers: 'node16' }), {
          kind: 'action',
          targets: 'node[15-16]',
          parameters: { command: 'usage' },
        }),
      (l) => l.who === 'audit-3',
      {
        route: '/api/v1/conditions',
        kind: 'action',
        action: 'usage',
        targets: 'node[15-16]',
        servers: 'node[15-16]',
        status: 403,
        outcome: 'forbidden',
        reason: 'token may not act on server "node15"; its servers claim is "node16"',
      },
    ],
    [
      'an invalid body',
      () =>
        call('POST', '/api/v1/servers/node16/condition/serverControl', as({ sub: 'audit-4' }), {
          parameters: { action: 'explode' },
        }),
      (l) => l.who === 'audit-4',
      {
        servers: 'node16',
        kind: 'serverControl',
        status: 400,
        outcome: 'invalid',
        reason: expect.stringContaining('parameters.action'),
      },
    ],
  ])(
    'has one line for %s: who, what, which servers, outcome, reason',
    async (_name, request, filter, expected) => {
      await request();
      expect(lineFor(filter)).toMatchObject(expected);
    },
  );

  it('never carries a token, the JWT secret or a BMC password, nor does any answer', async () => {
    const tokens = [
      h.token({ sub: 'leak-check' }),
      signToken({ sub: 'forger' }, 'some-other-secret-0123456789abcdefghij'),
      h.token({ exp: now() - 1 }),
      h.token({ exp: undefined }),
    ];
    const answers: string[] = [];
    for (const token of tokens) {
      for (const [, method, url, body] of routes)
        answers.push((await call(method, url, bearer(token), body)).body);
      answers.push(
        (await call('GET', '/api/v1/servers', { authorization: `Basic ${token}` })).body,
      );
    }
    answers.push(
      (
        await call('POST', '/api/v1/servers/node16/condition/action', bearer(tokens[0]), {
          parameters: { command: 'usage', arguments: ['--password', BMC_PASSWORD] },
        })
      ).body.replace(BMC_PASSWORD, ''),
    );
    const logged = h.logText();
    expect(logged.length).toBeGreaterThan(1000);
    for (const secret of [
      JWT_SECRET,
      BMC_PASSWORD,
      ...tokens,
      ...tokens.map((t) => t.split('.')[2]),
    ]) {
      expect(logged).not.toContain(secret);
      for (const answer of answers) expect(answer).not.toContain(secret);
    }
  });
});

describe('injection', () => {
  it.each([
    'usage; touch /tmp/x',
    '$(touch /tmp/x)',
    '`touch /tmp/x`',
    'usage && id',
    'usage|sh',
    'usage\nid',
    "'usage'",
    '"usage"',
    '../../bin/sh',
  ])('refuses the action command %p', async (command) => {
    const before = await queueMarks(h.observer);
    const err = expectError(
      await call('POST', '/api/v1/servers/login1/condition/action', as({}), {
        parameters: { command },
      }),
      400,
    );
    expect(err.issues?.[0].path).toBe('parameters.command');
    expect(await queueMarks(h.observer)).toEqual(before);
  });

  it.each([
    [
      'a power state with a command',
      'serverControl',
      { action: 'set_power_state', action_parameter: 'on; reboot' },
    ],
    [
      'a boot device with a substitution',
      'serverControl',
      { action: 'set_next_boot_device', action_parameter: '$(reboot)' },
    ],
  ])('refuses %s', async (_name, kind, parameters) => {
    expectError(
      await call('POST', `/api/v1/servers/login1/condition/${kind}`, as({}), { parameters }),
      400,
    );
  });

  it('carries shell metacharacters in arguments as data, byte for byte, to the queue', async () => {
    const marker = `/tmp/switchboard-injection-${process.pid}`;
    const args = [
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `; touch ${marker}`,
      `' "; touch ${marker}; echo "`,
      `line1 && touch ${marker}`,
      '*',
      '~root',
      '$HOME',
      '&& id',
      '| id',
      '> /etc/passwd',
    ];
    const res = await call('POST', '/api/v1/servers/login1/condition/action', as({}), {
      parameters: { command: 'usage', arguments: args },
    });
    expect(res.status).toBe(200);
    const condition = ServerConditionsResponse.parse(res.json()).records.conditions[0];
    expect(condition.parameters).toEqual({ command: 'usage', arguments: args });
    expect(
      Condition.parse((await h.buckets.conditions.get(conditionKey(condition.id)))?.json())
        .parameters,
    ).toEqual({ command: 'usage', arguments: args });
    const { existsSync } = await import('node:fs');
    expect(existsSync(marker)).toBe(false);
  });

  it.each([
    [
      'a server name with a command',
      'GET',
      '/api/v1/servers/node01%3Btouch%20%2Ftmp%2Fx/status',
      undefined,
      404,
    ],
    [
      'a target expression with a substitution',
      'POST',
      '/api/v1/conditions',
      { kind: 'action', targets: '$(touch /tmp/x)', parameters: { command: 'usage' } },
      400,
    ],
    [
      'a target expression with a semicolon',
      'POST',
      '/api/v1/conditions',
      { kind: 'action', targets: 'node01;id', parameters: { command: 'usage' } },
      400,
    ],
  ])('refuses %s', async (_name, method, url, body, status) => {
    expectError(await call(method as 'GET' | 'POST', url, as({}), body), status);
  });
});
