import { servedRoutes } from './testing/served-routes';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  ApiCondition,
  BatchConditionResponse,
  CommandsResponse,
  ESTATE_COMMANDS,
  Condition,
  ErrorResponse,
  STREAM_CONDITIONS,
  ServerConditionsResponse,
  conditionKey,
  conditionSubject,
  latestConditionKey,
} from '@switchboard/condition-types';
import {
  startHarness,
  BMC_PASSWORD,
  NODE01_ID,
  NODE02_ID,
  bearer,
  onTheWire,
  rawHttp,
  uuidOf,
} from './testing/harness';
import { useHarness } from './testing/use-harness';
import { Method, claimOf, expectError, send } from './testing/requests';

const h = useHarness();

/** A request with an admin token, unless other headers are given. */
const call = (method: Method, url: string, payload?: unknown, headers?: Record<string, string>) =>
  send(h, method, url, payload, headers);

const create = (server: string, kind: string, body: unknown) =>
  call('POST', `/api/v1/servers/${server}/condition/${kind}`, body);

async function messagesOn(subject: string): Promise<number> {
  const jsm = await jetstreamManager(h.observer);
  const info = await jsm.streams.info(STREAM_CONDITIONS, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}

describe('POST /api/v1/servers/{server}/condition/{kind}', () => {
  it.each([
    [
      'serverControl by name',
      'node03',
      'node03',
      'serverControl',
      { parameters: { action: 'set_power_state', action_parameter: 'on' } },
    ],
    [
      'serverControl by id (target is the name)',
      NODE02_ID,
      'node02',
      'serverControl',
      { parameters: { action: 'get_power_state' } },
    ],
    [
      'action with default arguments',
      'login1',
      'login1',
      'action',
      { parameters: { command: 'usage' } },
    ],
  ])(
    'creates %s: 200 answer, queued once, recorded in KV',
    async (_name, path, name, kind, body) => {
      const res = await create(path, kind, body);
      expect(res.status).toBe(200);
      const answer = ServerConditionsResponse.parse(res.json());
      expect(answer.message).toBe('condition set');
      expect(answer.records.serverID).toBe(uuidOf(name));
      expect(answer.records.server).toBe(name);
      expect(answer.records.conditions).toHaveLength(1);
      const condition = answer.records.conditions[0];
      expect(condition).toMatchObject({
        kind,
        target: uuidOf(name),
        server: name,
        state: 'pending',
        requestedBy: 'tester',
      });

      const subject = conditionSubject(condition.kind, name);
      expect(await messagesOn(subject)).toBe(1);
      const jsm = await jetstreamManager(h.observer);
      const msg = await jsm.streams.getMessage(STREAM_CONDITIONS, { last_by_subj: subject });
      expect(msg?.header?.get('Nats-Msg-Id')).toBe(condition.id);
      expect(onTheWire(Condition.parse(msg?.json()))).toEqual(condition);

      const record = await h.buckets.conditions.get(conditionKey(condition.id));
      expect(onTheWire(Condition.parse(record?.json()))).toEqual(condition);
      expect((await h.buckets.conditions.get(latestConditionKey(name)))?.string()).toBe(
        condition.id,
      );
      expect((await claimOf(h, name))?.conditionId).toBe(condition.id);
    },
  );

  it(
    'accepts the FlipFlop README payload for the server with that id (legacy assetID, ' +
      'exclusive ignored)',
    async () => {
      const res = await create('node01', 'serverControl', {
        exclusive: true,
        parameters: { assetID: NODE01_ID, action: 'set_power_state', action_parameter: 'cycle' },
      });
      expect(res.status).toBe(200);
      const condition = ServerConditionsResponse.parse(res.json()).records.conditions[0];
      expect(condition.parameters).toEqual({
        asset_id: NODE01_ID,
        action: 'set_power_state',
        action_parameter: 'cycle',
      });
      expect(condition).toMatchObject({ target: NODE01_ID, server: 'node01' });
    },
  );

  it('answers 409 naming the pending condition while the server has one', async () => {
    const first = await create('node04', 'serverControl', {
      parameters: { action: 'get_power_state' },
    });
    const id = ServerConditionsResponse.parse(first.json()).records.conditions[0].id;
    const second = expectError(
      await create('node04', 'action', { parameters: { command: 'usage' } }),
      409,
    );
    expect(second.conditionId).toBe(id);
    expect(second.message).toContain(id);
    expect(await messagesOn(conditionSubject('action', 'node04'))).toBe(0);
  });

  it(
    'gives exactly one 200 and nine 409s naming the winner when ten requests race for one ' +
      'server',
    async () => {
      const answers = await Promise.all(
        Array.from({ length: 10 }, () =>
          rawHttp(
            h.port,
            'POST',
            '/api/v1/servers/node05/condition/serverControl',
            JSON.stringify({ parameters: { action: 'set_power_state', action_parameter: 'off' } }),
            bearer(h.token()),
          ),
        ),
      );
      const ok = answers.filter((a) => a.status === 200);
      const conflicts = answers.filter((a) => a.status === 409);
      expect(ok).toHaveLength(1);
      expect(conflicts).toHaveLength(9);
      const winner = ServerConditionsResponse.parse(ok[0].json()).records.conditions[0].id;
      for (const c of conflicts) expect(ErrorResponse.parse(c.json()).conditionId).toBe(winner);
      expect(await messagesOn(conditionSubject('serverControl', 'node05'))).toBe(1);
      expect((await claimOf(h, 'node05'))?.conditionId).toBe(winner);
    },
  );

  it('answers 404 for a server not in the inventory', async () => {
    const err = expectError(
      await create('ghost01', 'serverControl', { parameters: { action: 'get_power_state' } }),
      404,
    );
    expect(err.message).toBe('server "ghost01" is not in the inventory');
  });

  it('answers 400 for an unknown kind', async () => {
    const err = expectError(await create('node06', 'firmwareInstall', { parameters: {} }), 400);
    expect(err.issues?.[0].path).toBe('kind');
    expect(err.message).toContain('"firmwareInstall"');
  });

  it.each([
    [
      'a power action without its parameter',
      'serverControl',
      { action: 'set_power_state' },
      'parameters.action_parameter',
      'needs action_parameter',
    ],
    [
      'a boot device as a power parameter',
      'serverControl',
      { action: 'set_power_state', action_parameter: 'pxe' },
      'parameters.action_parameter',
      'got "pxe"',
    ],
    [
      'an unknown action',
      'serverControl',
      { action: 'explode' },
      'parameters.action',
      'Invalid option',
    ],
    [
      'an asset id that is not a UUID',
      'serverControl',
      { asset_id: 'node06', action: 'get_power_state' },
      'parameters.asset_id',
      'asset_id must be a UUID',
    ],
    [
      'a flag of the wrong type',
      'serverControl',
      {
        action: 'set_next_boot_device',
        action_parameter: 'pxe',
        set_next_boot_device_persistent: 'yes',
      },
      'parameters.set_next_boot_device_persistent',
      'expected boolean',
    ],
    [
      'boot flags on a power action',
      'serverControl',
      { action: 'set_power_state', action_parameter: 'on', set_next_boot_device_efi: true },
      'parameters.set_next_boot_device_efi',
      'applies only to',
    ],
    ['parameters that are not an object', 'serverControl', 'on', 'parameters', 'expected object'],
    [
      'an action command with a path',
      'action',
      { command: '../etc/passwd' },
      'parameters.command',
      'command must be a command name',
    ],
    [
      'an action argument that is not a string',
      'action',
      { command: 'usage', arguments: [42] },
      'parameters.arguments.0',
      'expected string',
    ],
  ])('answers 400 for %s, naming the field', async (_name, kind, parameters, path, message) => {
    const err = expectError(await create('node06', kind, { parameters }), 400);
    expect(err.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path, message: expect.stringContaining(message) }),
      ]),
    );
    expect(err.message).toContain(path);
    expect(await claimOf(h, 'node06')).toBeNull();
  });

  it.each([
    [
      'in the parameters',
      { parameters: { action: 'get_power_state', force: true, colour: 'red' } },
      'parameters',
      'Unrecognized keys: "force", "colour"',
    ],
    [
      'at the top level',
      { parameters: { action: 'get_power_state' }, priority: 1 },
      '(body)',
      'Unrecognized key: "priority"',
    ],
  ])('answers 400 naming an unknown field %s', async (_where, body, path, message) => {
    const err = expectError(await create('node06', 'serverControl', body), 400);
    expect(err.issues).toContainEqual({ path, message });
  });

  it.each([
    ["another server's id", 'node02', NODE01_ID, [NODE01_ID, 'node02', NODE02_ID]],
    [
      'an id on a server that has none (its id is derived from its name)',
      'node06',
      NODE01_ID,
      [NODE01_ID, 'node06', uuidOf('node06')],
    ],
  ])(
    'answers 400 for an asset_id that is %s, naming both',
    async (_name, server, assetId, mentions) => {
      const err = expectError(
        await create(server, 'serverControl', {
          parameters: { asset_id: assetId, action: 'get_power_state' },
        }),
        400,
      );
      for (const m of mentions) expect(err.message).toContain(m);
      expect(err.issues?.[0].path).toBe('parameters.asset_id');
    },
  );

  it('matches asset_id to the inventory id regardless of case', async () => {
    const res = await create('node02', 'serverControl', {
      parameters: { asset_id: NODE02_ID.toUpperCase(), action: 'get_power_state' },
    });
    // node02 may already hold a condition from the table above: either way the id matched.
    expect([200, 409]).toContain(res.status);
  });

  it(
    'logs one line per request with who, route, condition id, server, kind, action and ' +
      'outcome, and no body',
    async () => {
      const res = await create('node07', 'serverControl', {
        parameters: { action: 'set_power_state', action_parameter: 'soft' },
      });
      const id = ServerConditionsResponse.parse(res.json()).records.conditions[0].id;
      const lines = h.logs().filter((l) => l.event === 'http.request' && l.conditionId === id);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        who: 'tester',
        method: 'POST',
        route: '/api/v1/servers/:server/condition/:kind',
        servers: 'node07',
        kind: 'serverControl',
        action: 'set_power_state soft',
        outcome: 'accepted',
        status: 200,
      });
      // Bodies are never logged: no line carries the parameters or the body.
      expect(h.logs().filter((l) => 'parameters' in l || 'body' in l)).toEqual([]);
    },
  );
});

describe('reading conditions', () => {
  let id: string;

  it(
    'answers 404 for the status ' + 'of a server without conditions, then 200 once it has one',
    async () => {
      expectError(await call('GET', '/api/v1/servers/node08/status'), 404);
      const created = await create('node08', 'serverControl', {
        parameters: { action: 'get_power_state' },
      });
      id = ServerConditionsResponse.parse(created.json()).records.conditions[0].id;
      const res = await call('GET', '/api/v1/servers/node08/status');
      expect(res.status).toBe(200);
      const answer = ServerConditionsResponse.parse(res.json());
      expect(answer.records).toMatchObject({
        serverID: uuidOf('node08'),
        server: 'node08',
        state: 'pending',
      });
      expect(answer.records.conditions.map((c) => c.id)).toEqual([id]);
    },
  );

  it('answers the status by server id as well', async () => {
    const res = await call('GET', `/api/v1/servers/${NODE01_ID}/status`);
    expect(res.status).toBe(200);
    expect(ServerConditionsResponse.parse(res.json()).records).toMatchObject({
      serverID: NODE01_ID,
      server: 'node01',
    });
  });

  it(
    "answers conditionorc's read form for the kind of the latest condition, 404 for " +
      'another kind',
    async () => {
      const res = await call('GET', '/api/v1/servers/node08/condition/serverControl');
      expect(res.status).toBe(200);
      expect(ServerConditionsResponse.parse(res.json()).records.conditions[0].id).toBe(id);
      const other = expectError(await call('GET', '/api/v1/servers/node08/condition/action'), 404);
      expect(other.message).toContain(id);
      expectError(await call('GET', '/api/v1/servers/node08/condition/bogus'), 400);
    },
  );

  it('answers GET /conditions/{id}: the condition, 404 unknown, 400 not a UUID', async () => {
    const res = await call('GET', `/api/v1/conditions/${id}`);
    expect(res.status).toBe(200);
    expect(ApiCondition.parse(res.json())).toMatchObject({
      id,
      server: 'node08',
      state: 'pending',
    });
    expectError(await call('GET', '/api/v1/conditions/9b2f1f4e-4a0c-4f53-9d61-3c1bb1c5a001'), 404);
    const bad = expectError(await call('GET', '/api/v1/conditions/not-a-uuid'), 400);
    expect(bad.issues?.[0].path).toBe('id');
  });

  it(
    'with ?wait, answers as soon as the condition is final, or as it stands when the wait ' +
      'runs out',
    async () => {
      const created = await create('node13', 'serverControl', {
        parameters: { action: 'get_power_state' },
      });
      const cid = created.json<ServerConditionsResponse>().records.conditions[0].id;
      const t0 = Date.now();
      const stillPending = await call('GET', `/api/v1/conditions/${cid}?wait=300`);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
      expect(ApiCondition.parse(stillPending.json()).state).toBe('pending');

      const { ConditionStore } = await import('@switchboard/condition-store');
      const store = new ConditionStore(h.observer, h.buckets);
      const waiting = call('GET', `/api/v1/conditions/${cid}?wait=10000`);
      await store.update(cid, 'active');
      await store.update(cid, 'succeeded', { result: { power_state: 'off' } });
      expect(ApiCondition.parse((await waiting).json())).toMatchObject({
        state: 'succeeded',
        result: { power_state: 'off' },
      });
    },
  );

  it(
    'with ?wait, answers at shutdown with the condition as it stands, so the API stops at ' +
      'once',
    async () => {
      const own = await startHarness();
      try {
        const created = await fetch(
          `${own.baseUrl}/api/v1/servers/node02/condition/serverControl`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...bearer(own.token()) },
            body: JSON.stringify({ parameters: { action: 'get_power_state' } }),
          },
        );
        const cid = ServerConditionsResponse.parse(await created.json()).records.conditions[0].id;
        const waiting = fetch(`${own.baseUrl}/api/v1/conditions/${cid}?wait=60000`, {
          headers: bearer(own.token()),
        });
        await new Promise((r) => setTimeout(r, 200));
        const t0 = Date.now();
        await own.api.close();
        expect(Date.now() - t0).toBeLessThan(10_000);
        expect(ApiCondition.parse(await (await waiting).json()).state).toBe('pending');
      } finally {
        await own.close();
      }
    },
  );

  it.each(['abc', '-1', '60001', '1.5'])('refuses ?wait=%s naming the parameter', async (wait) => {
    const cid = '9b2f1f4e-4a0c-4f53-9d61-3c1bb1c5a001';
    const bad = expectError(await call('GET', `/api/v1/conditions/${cid}?wait=${wait}`), 400);
    expect(bad.issues?.[0].path).toBe('wait');
  });
});

describe('POST /api/v1/conditions (batch)', () => {
  it(
    'creates one condition per server of ranges and groups, reporting conflicts and ' +
      'unknown names',
    async () => {
      const held = await create('node10', 'action', { parameters: { command: 'usage' } });
      const heldId = ServerConditionsResponse.parse(held.json()).records.conditions[0].id;

      const res = await call('POST', '/api/v1/conditions', {
        kind: 'serverControl',
        targets: 'node[09-10],@rack2,ghost[1-2],@nogroup',
        parameters: { action: 'set_power_state', action_parameter: 'on' },
      });
      expect(res.status).toBe(200);
      const answer = BatchConditionResponse.parse(res.json());
      const byServer = Object.fromEntries(answer.results.map((r) => [r.server, r]));
      expect(Object.keys(byServer).sort()).toEqual([
        '@nogroup',
        'ghost1',
        'ghost2',
        'node09',
        'node10',
        'node11',
        'node12',
      ]);
      for (const name of ['node09', 'node11', 'node12']) {
        expect(byServer[name]).toMatchObject({
          outcome: 'accepted',
          condition: { server: name, kind: 'serverControl', state: 'pending' },
        });
        expect((await claimOf(h, name))?.conditionId).toBe(byServer[name].condition?.id);
        expect(await messagesOn(conditionSubject('serverControl', name))).toBe(1);
      }
      expect(byServer.node10).toMatchObject({
        outcome: 'conflict',
        conflictingConditionId: heldId,
      });
      for (const name of ['ghost1', 'ghost2', '@nogroup'])
        expect(byServer[name].outcome).toBe('unknown');
      expect(answer.message).toBe('7 servers: 3 accepted, 1 conflict, 3 unknown');
    },
  );

  it('validates the parameters once, before creating anything', async () => {
    const err = expectError(
      await call('POST', '/api/v1/conditions', {
        kind: 'serverControl',
        targets: 'node[13-14]',
        parameters: { action: 'set_power_state' },
      }),
      400,
    );
    expect(err.issues?.[0].path).toBe('parameters.action_parameter');
    expect(await claimOf(h, 'node13')).toBeNull();
    expect(await claimOf(h, 'node14')).toBeNull();
  });

  it.each([
    [
      'a malformed range',
      { kind: 'serverControl', targets: 'node[01-', parameters: { action: 'get_power_state' } },
      'targets',
    ],
    ['an unknown kind', { kind: 'reboot', targets: 'node01', parameters: {} }, 'kind'],
    [
      'an empty target list',
      { kind: 'action', targets: '', parameters: { command: 'usage' } },
      'targets',
    ],
    ['a missing kind', { targets: 'node01', parameters: {} }, 'kind'],
  ])('answers 400 for %s', async (_name, body, path) => {
    const err = expectError(await call('POST', '/api/v1/conditions', body), 400);
    expect(err.issues?.map((i) => i.path)).toContain(path);
  });

  it(
    'reports a per-server error when a serverControl asset_id matches only one of the ' + 'servers',
    async () => {
      const res = await call('POST', '/api/v1/conditions', {
        kind: 'serverControl',
        targets: 'node15,node16',
        parameters: { asset_id: NODE01_ID, action: 'get_power_state' },
      });
      const answer = BatchConditionResponse.parse(res.json());
      expect(answer.results.map((r) => [r.server, r.outcome])).toEqual([
        ['node15', 'error'],
        ['node16', 'error'],
      ]);
      expect(answer.results[0].reason).toContain(NODE01_ID);
      expect(await claimOf(h, 'node15')).toBeNull();
    },
  );
});

describe('GET /api/v1/servers', () => {
  it('lists the inventory public view without BMC details or passwords', async () => {
    const res = await call('GET', '/api/v1/servers');
    expect(res.status).toBe(200);
    expect(res.body).not.toContain(BMC_PASSWORD);
    expect(res.body).not.toMatch(/password|bmc|attributes/i);
    const { records } = res.json<{ records: Array<Record<string, unknown>> }>();
    expect(records).toHaveLength(17);
    expect(records[0]).toEqual({
      name: 'node01',
      uuid: NODE01_ID,
      id: NODE01_ID,
      platform: 'ipmi',
      driver: 'ipmi',
      ranks: ['default'],
      groups: [],
    });
    expect(records.find((r) => r.name === 'node09')?.groups).toEqual(['rack2']);
  });
});

describe('without a commands directory (COMMANDS_DIR unset)', () => {
  it('lists only the built-in estate commands, and says why', async () => {
    const res = await call('GET', '/api/v1/commands');
    expect(res.status).toBe(200);
    expect(CommandsResponse.parse(res.json())).toEqual({
      message:
        'no commands directory configured (COMMANDS_DIR is not set): ' +
        'only the built-in estate commands',
      commands: [...ESTATE_COMMANDS],
      problems: [],
    });
    expect(expectError(await call('GET', '/api/v1/commands/usage'), 404).message).toBe(
      'unknown command "usage": no commands directory configured (COMMANDS_DIR is not set)',
    );
  });

  it(
    'queues any well-formed action ' + 'command, holding its server: the controller is the judge',
    async () => {
      const res = await create('node14', 'action', { parameters: { command: 'anything-at-all' } });
      expect(res.status).toBe(200);
      const id = ServerConditionsResponse.parse(res.json()).records.conditions[0].id;
      expect((await claimOf(h, 'node14'))?.conditionId).toBe(id);
    },
  );
});

describe('health', () => {
  it('answers /healthz and /readyz outside the prefix', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', nats: 'connected' });
    expectError(await call('GET', '/api/v1/healthz'), 404);
  });
});

describe('OpenAPI', () => {
  it('serves the document with the paths and the schemas of the contract', async () => {
    const res = await call('GET', '/api/v1/docs/json');
    expect(res.status).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    const dig = (...keys: string[]): unknown =>
      keys.reduce<unknown>((at, k) => (at as Record<string, unknown> | undefined)?.[k], doc);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/v1/servers/{server}/condition/{kind}',
        '/api/v1/servers/{server}/status',
        '/api/v1/conditions/{id}',
        '/api/v1/conditions',
        '/api/v1/servers',
        '/api/v1/conditions/{id}/output',
        '/api/v1/output',
        '/api/v1/outcomes',
        '/api/v1/commands',
        '/api/v1/commands/{name}',
        // conditionorc's routes Switchboard does not serve: 501.
        '/api/v1/serverEnroll',
        '/api/v1/serverEnroll/{server}',
        '/api/v1/serverProvision',
        '/api/v1/servers/{server}',
        '/api/v1/servers/{server}/biosControl',
        '/api/v1/servers/{server}/firmwareInstall',
        '/api/v1/validateFirmware',
        '/healthz',
        '/readyz',
      ].sort(),
    );
    const schemas = ['components', 'schemas'];
    expect(dig(...schemas, 'ServerControlParameters', 'properties', 'action', 'enum')).toEqual([
      'set_power_state',
      'get_power_state',
      'set_next_boot_device',
      'power_cycle_bmc',
      'pxe_boot_persistent',
    ]);
    expect(dig(...schemas, 'ServerControlParameters', 'additionalProperties')).toBe(false);
    expect(
      dig(...schemas, 'CreateConditionBody', 'properties', 'parameters', 'anyOf'),
    ).toContainEqual({ $ref: '#/components/schemas/ServerControlParameters' });
    expect(
      dig(
        ...schemas,
        'ServerConditionsResponse',
        'properties',
        'records',
        'properties',
        'conditions',
        'items',
      ),
    ).toEqual({ $ref: '#/components/schemas/Condition' });
    expect(dig(...schemas, 'ErrorResponse', 'required')).toEqual([
      'statusCode',
      'code',
      'error',
      'message',
    ]);
    expect(
      dig('paths', '/api/v1/servers/{server}/condition/{kind}', 'post', 'responses', '409'),
    ).toBeDefined();
    expect(
      Object.keys(dig('paths', '/api/v1/conditions/{id}', 'delete', 'responses') as object),
    ).toEqual(expect.arrayContaining(['200', '202', '409']));
    expect(
      dig(
        'paths',
        '/api/v1/conditions/{id}/output',
        'get',
        'responses',
        '200',
        'content',
        'application/x-ndjson',
        'schema',
        '$ref',
      ),
    ).toBe('#/components/schemas/OutputLine');
    expect(dig(...schemas, 'OutputLine', 'properties', 'stream', 'enum')).toEqual([
      'stdout',
      'stderr',
    ]);
    expect(dig(...schemas, 'CommandsResponse', 'properties', 'commands', 'items')).toEqual({
      $ref: '#/components/schemas/CommandSummary',
    });
    expect(dig(...schemas, 'CommandSummary', 'required')).toEqual(
      expect.arrayContaining(['name', 'has_context', 'concurrent', 'timeout_seconds']),
    );
    expect(JSON.stringify(doc)).not.toContain('$schema');
  });

  it('documents every route it serves, each with a summary, its answer and refusals', async () => {
    const doc = (await call('GET', '/api/v1/docs/json')).json<{
      paths: Record<string, Record<string, { summary?: string; responses: object }>>;
    }>();
    const served = servedRoutes(h.api.app);
    expect(served.length).toBeGreaterThanOrEqual(14);
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(served.sort());
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const statuses = Object.keys(operation.responses);
        expect({ route: `${method} ${path}`, summary: Boolean(operation.summary) }).toEqual({
          route: `${method} ${path}`,
          summary: true,
        });
        // Every route answers something, if only 501 (conditionorc's routes not served here).
        expect(statuses.some((s) => s.startsWith('2') || s === '501')).toBe(true);
        if (!['/healthz', '/readyz'].includes(path)) expect(statuses).toContain('401');
      }
    }
  });

  it('serves the Swagger UI and its assets', async () => {
    const page = await rawHttp(h.port, 'GET', '/api/v1/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('swagger-ui-bundle.js');
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-ui-init.js']) {
      expect((await rawHttp(h.port, 'GET', `/api/v1/docs/${asset}`)).status).toBe(200);
    }
    expect((await rawHttp(h.port, 'GET', '/api/v1/docs/swagger-ui-init.js')).body).toContain(
      'ServerControlParameters',
    );
    expectError(await rawHttp(h.port, 'GET', '/api/v1/docs/package.jsonx'), 404);
    expectError(await rawHttp(h.port, 'GET', '/api/v1/docs/..%2f..%2fpackage.json'), 404);
  });
});

describe('hostile input', () => {
  const long = 'a'.repeat(5000);
  const cases: Array<[string, 'GET' | 'POST', string, number]> = [
    ['../ as the server', 'GET', '/api/v1/servers/../status', 404],
    ['encoded ../ as the server', 'GET', '/api/v1/servers/%2e%2e%2f/status', 404],
    ['NUL as the server', 'POST', '/api/v1/servers/%00/condition/serverControl', 404],
    ['NUL in the kind', 'POST', '/api/v1/servers/node01/condition/serverControl%00', 400],
    ['NUL as a condition id', 'GET', '/api/v1/conditions/%00', 400],
    [
      '5000 characters as the server',
      'POST',
      `/api/v1/servers/${long}/condition/serverControl`,
      414,
    ],
    ['5000 characters as the kind', 'GET', `/api/v1/servers/node01/condition/${long}`, 414],
    ['5000 characters as a condition id', 'GET', `/api/v1/conditions/${long}`, 414],
    [
      'encoded unicode as the server',
      'POST',
      '/api/v1/servers/%C3%BCn%C3%AFc%C3%B8d%C3%A9/condition/serverControl',
      404,
    ],
    ['an emoji as the kind', 'POST', '/api/v1/servers/node01/condition/%F0%9F%92%A5', 400],
    ['a malformed percent-encoding', 'GET', '/api/v1/servers/%E0%A4%A/status', 400],
    ['a bare percent sign', 'GET', '/api/v1/conditions/%', 400],
    ['NATS wildcards as the server', 'GET', '/api/v1/servers/node*.%3E/status', 404],
  ];

  it.each(cases)(
    'answers %s with an ErrorResponse (real HTTP)',
    async (_name, method, path, status) => {
      const res = await rawHttp(
        h.port,
        method,
        path,
        method === 'POST'
          ? JSON.stringify({ parameters: { action: 'get_power_state' } })
          : undefined,
        bearer(h.token()),
      );
      const err = expectError(res, status);
      expect(err.message.length).toBeGreaterThan(0);
      expect(err.message.length).toBeLessThan(400);
    },
  );

  it.each([
    ['raw unicode as the server', '/api/v1/servers/ünïcødé/status', 404],
    ['raw unicode as the kind', '/api/v1/servers/node01/condition/😀', 400],
  ])('answers %s (inject)', async (_name, url, status) => {
    expectError(
      await call(
        url.includes('condition') ? 'POST' : 'GET',
        url,
        url.includes('condition') ? { parameters: {} } : undefined,
      ),
      status,
    );
  });

  it('answers 413 for a body over 64 KiB', async () => {
    const body = JSON.stringify({
      parameters: { command: 'usage', arguments: ['x'.repeat(70 * 1024)] },
    });
    const err = expectError(
      await rawHttp(
        h.port,
        'POST',
        '/api/v1/servers/node06/condition/action',
        body,
        bearer(h.token()),
      ),
      413,
    );
    expect(err.error).toBe('Payload Too Large');
    expect(await claimOf(h, 'node06')).toBeNull();
  });

  it.each([
    ['malformed JSON', '{"parameters": {"action": ', {}, 400],
    ['an empty JSON body', '', {}, 400],
    [
      'a prototype-poisoning key',
      '{"__proto__": {"x": 1}, "parameters": {"action": "get_power_state"}}',
      {},
      400,
    ],
    ['a text body', 'parameters=1', { 'content-type': 'text/plain' }, 400],
    ['a form body', 'parameters=1', { 'content-type': 'application/x-www-form-urlencoded' }, 400],
    ['an XML body', '<parameters/>', { 'content-type': 'application/xml' }, 415],
  ])('answers %s with a 4xx', async (_name, body, headers, status) => {
    const res = await rawHttp(
      h.port,
      'POST',
      '/api/v1/servers/node06/condition/serverControl',
      body,
      { ...bearer(h.token()), ...headers },
    );
    expectError(res, status);
    expect(await claimOf(h, 'node06')).toBeNull();
  });

  it('answers 404 in the ErrorResponse shape for unknown routes', async () => {
    const err = expectError(await call('GET', '/api/v1/nothing-here'), 404);
    expect(err.error).toBe('Not Found');
  });
});
