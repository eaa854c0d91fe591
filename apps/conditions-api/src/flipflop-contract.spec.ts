/**
 * Wire compatibility with FlipFlop's real clients, written from their Go sources (read, never
 * copied):
 * - metal-toolbox/conditionorc pkg/api/v1/conditions/client/client.go and requests.go: the
 *   routes it calls, `Content-Type: application/json` on every request, every answer decoded
 *   into a ServerResponse
 * - metal-toolbox/conditionorc pkg/api/v1/conditions/types/types.go: ServerResponse,
 *   ConditionCreate (parameters, fault)
 * - metal-toolbox/conditionorc pkg/api/v1/conditions/routes/handlers.go: the firmware-install
 *   flow's pxe_boot_persistent condition ("pxe", persistent, EFI)
 * - metal-toolbox/conditionorc internal/server/server.go: the unknown-route answer
 * - metal-toolbox/rivets condition/server_control.go: ServerControlTaskParameters (all seven
 *   keys, as Go marshals them), condition/types.go: Condition, Fault
 * - metal-toolbox/mctl cmd/power/power.go: the parameters `mctl power --action` sends
 * - metal-toolbox/flipflop README.md: the curl payload
 */
import { ApiCondition, NIL_UUID, OutcomeLine } from '@switchboard/condition-types';
import { UNKNOWN_ROUTE_MESSAGE } from './errors/error.filter';
import { decodeLikeGo, goCondition, goServerResponse } from './testing/go-decoder';
import { startHarness, Harness, NODE01_ID, bearer, uuidOf } from './testing/harness';
import { useHarness } from './testing/use-harness';
import { servedRoutes } from './testing/served-routes';

const h = useHarness();

/** As the Go client sends: JSON content type always, a body only on POST. */
async function goRequest(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) {
  const res = await h.api.app.inject({
    method,
    url,
    headers: { ...bearer(h.token()), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: res.statusCode, body: res.body, type: String(res.headers['content-type']) };
}

/** rivets' ServerControlTaskParameters as json.Marshal writes it: every key, zero values too. */
function goParameters(
  assetId: string,
  action: string,
  actionParameter: string,
  persistent: boolean,
  efi: boolean,
) {
  return {
    asset_id: assetId,
    action,
    action_parameter: actionParameter,
    set_next_boot_device_persistent: persistent,
    set_next_boot_device_efi: efi,
    validate_firmware_timeout: 0,
    validate_firmware_id: NIL_UUID,
  };
}

/** mctl's paramsFromFlags for each --action word. */
const mctlActions: Array<[string, string, boolean]> = [
  ['on', 'set_power_state', false],
  ['off', 'set_power_state', false],
  ['cycle', 'set_power_state', false],
  ['reset', 'set_power_state', false],
  ['soft', 'set_power_state', false],
  ['status', 'get_power_state', false],
  ['bmc-reset', 'power_cycle_bmc', false],
  ['boot-pxe-persistent', 'pxe_boot_persistent', true],
];

/** Finishes a server's condition as a controller would, so the next test may use the server. */
async function finish(id: string): Promise<void> {
  await h.store.update(id, 'active');
  await h.store.update(id, 'succeeded');
}

const answers: Array<{ what: string; body: string; into: 'server' | 'condition' }> = [];
const keep = (what: string, body: string, into: 'server' | 'condition' = 'server') =>
  answers.push({ what, body, into });

describe('every payload metal-toolbox mctl power sends', () => {
  it.each(mctlActions.map(([word, action, flags], i) => [word, action, flags, i]))(
    '--action %s: %s is accepted for the server named by its UUID',
    async (word, action, flags, i) => {
      const server = `node${String(3 + (i as number)).padStart(2, '0')}`;
      const id = uuidOf(server);
      const parameters = goParameters(id, action as string, word as string, !!flags, !!flags);
      const res = await goRequest('POST', `/api/v1/servers/${id}/condition/serverControl`, {
        parameters,
      });
      keep(`create --action ${word}`, res.body);
      expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
      const response = JSON.parse(res.body) as {
        records: { serverID: string; conditions: ApiCondition[] };
      };
      expect(response.records.serverID).toBe(id);
      const condition = response.records.conditions[0];
      expect(condition).toMatchObject({
        target: id,
        server,
        kind: 'serverControl',
        version: '1.1',
      });
      expect(condition.parameters).toMatchObject({ action, asset_id: id });
      keep(
        `status after --action ${word}`,
        (await goRequest('GET', `/api/v1/servers/${id}/status`)).body,
      );
      await finish(condition.id);
    },
  );

  it('still refuses a wrong power word with 400, listing the allowed values', async () => {
    const id = uuidOf('node12');
    const res = await goRequest('POST', `/api/v1/servers/${id}/condition/serverControl`, {
      parameters: goParameters(id, 'set_power_state', 'explode', false, false),
    });
    keep('bad power word', res.body);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('on, off, cycle, reset, soft'),
    });
  });

  it("refuses a validate_firmware field that is not Go's zero value", async () => {
    const id = uuidOf('node12');
    const parameters = { ...goParameters(id, 'get_power_state', 'status', false, false) };
    parameters.validate_firmware_timeout = 60;
    const res = await goRequest('POST', `/api/v1/servers/${id}/condition/serverControl`, {
      parameters,
    });
    expect(res.status).toBe(400);
    expect(res.body).toContain('validate_firmware_timeout');
  });
});

describe("conditionorc's and FlipFlop's own payloads", () => {
  it('accepts the firmware-install pxe_boot_persistent ("pxe", persistent, EFI)', async () => {
    const id = uuidOf('node13');
    const res = await goRequest('POST', `/api/v1/servers/${id}/condition/serverControl`, {
      parameters: goParameters(id, 'pxe_boot_persistent', 'pxe', true, true),
    });
    keep('firmware-install pxe', res.body);
    expect(res.status).toBe(200);
    await finish(
      (JSON.parse(res.body) as { records: { conditions: ApiCondition[] } }).records.conditions[0]
        .id,
    );
  });

  it('accepts the FlipFlop README curl payload, by the server UUID', async () => {
    const res = await goRequest('POST', `/api/v1/servers/${NODE01_ID}/condition/serverControl`, {
      exclusive: true,
      parameters: { asset_id: NODE01_ID, action: 'set_power_state', action_parameter: 'on' },
    });
    keep('README payload', res.body);
    expect(res.status).toBe(200);
    const condition = (JSON.parse(res.body) as { records: { conditions: ApiCondition[] } }).records
      .conditions[0];
    expect(condition).toMatchObject({ target: NODE01_ID, server: 'node01' });
    keep(
      'condition by id',
      (await goRequest('GET', `/api/v1/conditions/${condition.id}`)).body,
      'condition',
    );
    const outcomes = await goRequest('GET', `/api/v1/outcomes?ids=${condition.id}`);
    const line = JSON.parse(outcomes.body.trim()) as OutcomeLine;
    keep('outcome line', JSON.stringify(line.condition), 'condition');
    await finish(condition.id);
  });
});

describe('answers a Go client can decode', () => {
  it.each([
    [
      'an unknown server',
      'POST',
      `/api/v1/servers/${uuidOf('ghost')}/condition/serverControl`,
      404,
      'unknown_server',
    ],
    [
      'a server with no condition yet',
      'GET',
      `/api/v1/servers/${uuidOf('node16')}/status`,
      404,
      'no_condition',
    ],
    ['an unknown route', 'GET', '/api/v1/nothing/here', 404, 'unknown_route'],
    [
      'firmwareInstall',
      'POST',
      `/api/v1/servers/${NODE01_ID}/firmwareInstall`,
      501,
      'not_implemented',
    ],
    ['biosControl', 'POST', `/api/v1/servers/${NODE01_ID}/biosControl`, 501, 'not_implemented'],
    ['serverEnroll', 'POST', `/api/v1/serverEnroll/${NODE01_ID}`, 501, 'not_implemented'],
    ['validateFirmware', 'POST', '/api/v1/validateFirmware', 501, 'not_implemented'],
    ['serverProvision', 'POST', '/api/v1/serverProvision', 501, 'not_implemented'],
    ['DELETE /servers/{id}', 'DELETE', `/api/v1/servers/${NODE01_ID}`, 501, 'not_implemented'],
  ] as const)(
    '%s: %s %s answers %i with code %s, as JSON',
    async (what, method, url, status, code) => {
      const res = await goRequest(method, url, method === 'POST' ? { parameters: {} } : undefined);
      keep(what, res.body);
      expect(res.type).toContain('application/json');
      expect({ status: res.status, code: (JSON.parse(res.body) as { code: string }).code }).toEqual(
        {
          status,
          code,
        },
      );
    },
  );

  it("answers an unknown route in conditionorc's words", async () => {
    const res = await goRequest('GET', '/api/v1/servers');
    expect(res.status).toBe(200);
    const missing = await goRequest('POST', '/api/v1/nope');
    expect(JSON.parse(missing.body)).toMatchObject({ message: UNKNOWN_ROUTE_MESSAGE });
  });

  it('decodes every answer collected above as strictly as encoding/json into the Go types', () => {
    expect(answers.length).toBeGreaterThanOrEqual(25);
    for (const { what, body, into } of answers) {
      expect(() =>
        decodeLikeGo(body, into === 'server' ? goServerResponse : goCondition),
      ).not.toThrow();
      if (into === 'server') {
        const parsed = JSON.parse(body) as { records?: unknown; code?: unknown };
        expect({
          what,
          hasRecordsOrCode: parsed.records !== undefined || parsed.code !== undefined,
        }).toEqual({
          what,
          hasRecordsOrCode: true,
        });
      }
    }
  });

  it('the decoder is as strict as Go: a name where a UUID belongs, or a bad time, fails it', () => {
    const good = {
      records: { serverID: NODE01_ID, conditions: [{ id: NODE01_ID, target: NODE01_ID }] },
    };
    expect(() => decodeLikeGo(JSON.stringify(good), goServerResponse)).not.toThrow();
    const named = { records: { serverID: 'node08' } };
    expect(() => decodeLikeGo(JSON.stringify(named), goServerResponse)).toThrow(/invalid UUID/);
    const target = { records: { serverID: NODE01_ID, conditions: [{ target: 'node08' }] } };
    expect(() => decodeLikeGo(JSON.stringify(target), goServerResponse)).toThrow(/invalid UUID/);
    expect(() =>
      decodeLikeGo(JSON.stringify({ createdAt: '2026-01-01 10:00' }), goCondition),
    ).toThrow(/RFC 3339/);
    expect(() => decodeLikeGo('Cannot GET /x', goServerResponse)).toThrow(/invalid character/);
  });
});

describe('an empty body with a JSON content type, on every route', () => {
  it('is no body: no route answers the empty-JSON error; every answer is JSON', async () => {
    const routes = servedRoutes(h.api.app);
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const route of routes) {
      const [method, path] = route.split(' ');
      const url = path
        .replace('{server}', NODE01_ID)
        .replace('{kind}', 'serverControl')
        .replace('{id}', '9b2f1f4e-4a0c-4f53-9d61-3c1bb1c5a001')
        .replace('{name}', 'usage');
      const withQuery = /\/(outcomes|output)$/.test(url)
        ? `${url}?ids=9b2f1f4e-4a0c-4f53-9d61-3c1bb1c5a001`
        : url;
      const res = await goRequest(method as 'GET' | 'POST' | 'DELETE', withQuery);
      expect({
        route,
        emptyJsonError: /FST_ERR_CTP_EMPTY_JSON_BODY|Body cannot be empty/.test(res.body),
      }).toEqual({
        route,
        emptyJsonError: false,
      });
      if (res.status >= 400)
        expect({ route, type: res.type }).toEqual({
          route,
          type: expect.stringContaining('application/json'),
        });
    }
  });
});

describe("conditionorc's fault (ConditionCreate.fault)", () => {
  const fault = { panic: false, delayDuration: '5s', failAt: 'init' };

  it('is refused with 400 fault_not_allowed where the deployment has not enabled it', async () => {
    const id = uuidOf('node14');
    const res = await goRequest('POST', `/api/v1/servers/${id}/condition/serverControl`, {
      parameters: goParameters(id, 'get_power_state', 'status', false, false),
      fault,
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      code: 'fault_not_allowed',
      message: expect.stringContaining('FAULT_INJECTION'),
    });
  });

  describe('with FAULT_INJECTION on', () => {
    let faults: Harness;
    beforeAll(async () => {
      faults = await startHarness({ faultInjection: true });
    });
    afterAll(async () => {
      await faults?.close();
    });

    const post = (token: string, body: unknown, server = 'node14') =>
      faults.api.app.inject({
        method: 'POST',
        url: `/api/v1/servers/${uuidOf(server)}/condition/serverControl`,
        headers: { ...bearer(token), 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });

    it.each([
      [
        'an unknown failAt stage',
        { ...fault, failAt: 'somewhere' },
        'failAt must be one of init, complete',
      ],
      ['a delay that is not a Go duration', { ...fault, delayDuration: 'soon' }, 'delayDuration'],
      ['a delay over 10 minutes', { ...fault, delayDuration: '2h' }, 'at most 10m'],
    ])('refuses %s, naming it', async (_what, bad, message) => {
      const res = await post(faults.token(), {
        parameters: { action: 'get_power_state' },
        fault: bad,
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain(message);
    });

    it('is refused for a token without the admin scope', async () => {
      const res = await post(faults.token({ scope: 'write' }), {
        parameters: { action: 'get_power_state' },
        fault,
      });
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'fault_not_allowed' });
    });

    it("is carried on the condition for an admin token, in rivets' shape", async () => {
      const res = await post(faults.token(), { parameters: { action: 'get_power_state' }, fault });
      expect(res.statusCode).toBe(200);
      decodeLikeGo(res.body, goServerResponse);
      const condition = (JSON.parse(res.body) as { records: { conditions: ApiCondition[] } })
        .records.conditions[0];
      expect(condition.fault).toEqual(fault);
      expect((await faults.store.get(condition.id))?.fault).toEqual(fault);
    });
  });
});
