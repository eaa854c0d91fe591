import {
  ApiCondition,
  BatchConditionResponse,
  Condition,
  ConditionKind,
  conditionKey,
  ServerConditionsResponse,
} from '@switchboard/condition-types';
import { verifyCondition } from '@switchboard/condition-signing';
import { bearer, Harness, startHarness } from './testing/harness';

// Every condition the API queues is signed with its key, so that the controllers can tell it
// from a record someone else wrote into NATS: single and batch creates, every kind, idempotent
// repeats, faults. Answers carry no signature.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ faultInjection: true });
});
afterAll(() => h?.close());

const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${h.baseUrl}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(h.token()), ...headers },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res.json();
};

const single = async (server: string, kind: ConditionKind, body: unknown, key?: string) =>
  ServerConditionsResponse.parse(
    await post(`/servers/${server}/condition/${kind}`, body, key ? { 'idempotency-key': key } : {}),
  ).records.conditions;

const batch = async (kind: ConditionKind, targets: string, parameters: unknown) =>
  BatchConditionResponse.parse(
    await post('/conditions', { kind, targets, parameters }),
  ).results.map((r) => r.condition!);

/** The record in KV, checked with the API's keys as a controller checks it. */
async function storedRecord(id: string): Promise<Condition> {
  const entry = await h.buckets.conditions.get(conditionKey(id));
  expect(
    verifyCondition(entry?.json(), h.signing, { storedAt: entry!.created, maxSkewMs: 5000 }),
  ).toEqual({ ok: true });
  return Condition.parse(entry?.json());
}

describe('conditions the API creates', () => {
  it.each<[string, () => Promise<ApiCondition[]>]>([
    [
      'a single serverControl',
      () => single('node01', 'serverControl', { parameters: { action: 'get_power_state' } }),
    ],
    [
      'an action with arguments',
      () =>
        single('node02', 'action', {
          parameters: { command: 'usage', arguments: ['--since', 'nœud 🔌', ''] },
        }),
    ],
    [
      'an estate change',
      () =>
        single('node03', 'estate', {
          parameters: { action: 'change', machine_type: 'compute-large' },
        }),
    ],
    [
      'a condition with a fault',
      () =>
        single('node04', 'serverControl', {
          parameters: { action: 'get_power_state' },
          fault: { panic: false, delayDuration: '1s', failAt: 'init' },
        }),
    ],
    [
      'a batch of serverControl',
      () =>
        batch('serverControl', 'node[05-07]', {
          action: 'set_power_state',
          action_parameter: 'on',
        }),
    ],
    ['a batch of actions over a group', () => batch('action', '@rack2', { command: 'usage' })],
    [
      'an idempotent create and its repeat',
      async () => {
        const body = { parameters: { action: 'get_power_state' } };
        const first = await single('node08', 'serverControl', body, 'sign-1');
        const again = await single('node08', 'serverControl', body, 'sign-1');
        expect(again).toEqual(first);
        return first;
      },
    ],
  ])('are signed in KV and answered without the signature: %s', async (_name, create) => {
    const answers = await create();
    expect(answers.length).toBeGreaterThan(0);
    for (const answer of answers) {
      expect(answer).not.toHaveProperty('signature');
      const record = await storedRecord(answer.id);
      expect(record.signature?.kid).toBe(h.signing.current.kid);
      expect(record).toMatchObject({
        id: answer.id,
        kind: answer.kind,
        target: answer.server,
        parameters: answer.parameters,
        requestedBy: 'tester',
        state: 'pending',
      });
      expect(record.fault).toEqual(answer.fault);
    }
  });

  it('lists no signature in the OpenAPI document of its answers', async () => {
    const doc = await (await fetch(`${h.baseUrl}/api/v1/docs/json`)).text();
    expect(doc).not.toContain('"signature"');
    expect(doc).toContain('"errorCode"');
  });

  it('signs its writes on a cancel too: the record stays one a controller can check', async () => {
    const [created] = await single('node13', 'action', { parameters: { command: 'usage' } });
    const res = await fetch(`${h.baseUrl}/api/v1/conditions/${created.id}`, {
      method: 'DELETE',
      headers: bearer(h.token()),
    });
    expect(res.status).toBe(200);
    expect(await storedRecord(created.id)).toMatchObject({ state: 'failed' });
  });
});
