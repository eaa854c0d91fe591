import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import { randomSigningKeys, signCondition } from '@switchboard/condition-signing';
import {
  Condition,
  CONDITION_VERSION,
  ConditionKind,
  conditionKey,
  conditionSubject,
} from '@switchboard/condition-types';
import { createCondition, TestController, waitFor, waitForFinal } from '../test-support/harness';
import { Scene, startScene } from '../test-support/scene';

// Someone with NATS access but not the condition signing key writes condition records into KV
// and publishes their messages, as the API would: the real controller must run none of them,
// fail each with a code, and run what the API signed. The proof that nothing ran is outside the
// controller: the simulated BMCs' own event logs and a command that appends every invocation to
// a file.

type Record = { [field: string]: unknown };

const work = mkdtempSync(join(tmpdir(), 'sb-forged-'));
const invocations = join(work, 'invocations');
const powerOff = { action: 'set_power_state', action_parameter: 'off' };

describe('conditions not written by the API', () => {
  let scene: Scene;
  let ctl: TestController;

  beforeAll(async () => {
    scene = await startScene({
      name: 'forged',
      bmcs: [
        { name: 'victim01', initialPower: 'on' },
        { name: 'victim02', initialPower: 'on' },
        { name: 'legit01', initialPower: 'off' },
        { name: 'legit02', initialPower: 'on' },
      ],
      commands: {
        // Appends who ran it, where, with what: the record of every run.
        record: { scripts: { 'default.sh': `echo "$name $*" >> ${invocations}` } },
        slow: { scripts: { 'default.sh': `sleep 2; echo "$name slow" >> ${invocations}` } },
      },
    });
    // Records are written again long after being signed only by an attacker: 1 s is plenty here.
    ctl = await scene.startController({
      id: 'ctl-guard',
      clockSkewMs: 1000,
      heldRetryDelayMs: 300,
    });
  });

  afterAll(async () => {
    await scene?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const ran = (): string[] =>
    existsSync(invocations) ? readFileSync(invocations, 'utf8').trim().split('\n') : [];

  /** A pending record as the API writes one, but by the attacker: not signed. */
  function pending(kind: ConditionKind, target: string, parameters: unknown): Record {
    const ts = new Date().toISOString();
    return Condition.parse({
      version: CONDITION_VERSION,
      id: randomUUID(),
      kind,
      target,
      parameters,
      state: 'pending',
      status: { records: [{ ts, msg: 'queued by mallory' }] },
      createdAt: ts,
      updatedAt: ts,
      requestedBy: 'mallory',
      client: 'mallory',
    }) as Record;
  }

  /** What the API would have signed: a record as captured from KV while it was pending. */
  const signed = (record: Record): Record =>
    JSON.parse(JSON.stringify(signCondition(record, scene.nats.signing)));

  /** The attack: the record into the conditions bucket, its message onto the conditions stream. */
  async function inject(record: Record): Promise<string> {
    const id = String(record.id);
    await scene.nats.buckets.conditions.put(conditionKey(id), JSON.stringify(record));
    await jetstream(scene.nats.nc).publish(
      conditionSubject(record.kind as ConditionKind, String(record.target)),
      JSON.stringify(record),
    );
    return id;
  }

  const logEvents = (): Array<{ [key: string]: unknown }> =>
    readFileSync(ctl.logFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));

  it.each<[string, () => Promise<Record>, string, RegExp]>([
    [
      'unsigned',
      async () => pending('action', 'victim01', { command: 'record', arguments: ['unsigned'] }),
      'signature_missing',
      /carries no signature/,
    ],
    [
      'signed with a key of its own',
      async () =>
        signCondition(
          pending('serverControl', 'victim01', powerOff),
          randomSigningKeys(),
        ) as Record,
      'signature_invalid',
      /signed with key [0-9a-f]{16}, which this controller does not hold/,
    ],
    [
      'validly signed, then sent to another server',
      async () => ({
        ...signed(pending('serverControl', 'legit02', { action: 'get_power_state' })),
        target: 'victim02',
      }),
      'signature_invalid',
      /does not match its content/,
    ],
    [
      'validly signed, then its arguments changed',
      async () => {
        const record = signed(
          pending('action', 'victim01', { command: 'record', arguments: ['a'] }),
        );
        return { ...record, parameters: { command: 'record', arguments: ['a', '--all'] } };
      },
      'signature_invalid',
      /does not match its content/,
    ],
    [
      'validly signed, then its parameters changed (status to power off)',
      async () => ({
        ...signed(pending('serverControl', 'victim01', { action: 'get_power_state' })),
        parameters: powerOff,
      }),
      'signature_invalid',
      /does not match its content/,
    ],
    [
      'validly signed, then its kind changed (an action made a power off)',
      async () => ({
        ...signed(pending('action', 'victim02', { command: 'record', arguments: [] })),
        kind: 'serverControl',
        parameters: powerOff,
      }),
      'signature_invalid',
      /does not match its content/,
    ],
    [
      'validly signed, then requestedBy changed',
      async () => ({
        ...signed(pending('action', 'victim01', { command: 'record', arguments: ['who'] })),
        requestedBy: 'admin',
      }),
      'signature_invalid',
      /does not match its content/,
    ],
    [
      'a signed record replayed under another id',
      async () => ({
        ...signed(pending('action', 'victim02', { command: 'record', arguments: ['copy'] })),
        id: randomUUID(),
      }),
      'signature_invalid',
      /does not match its content/,
    ],
    [
      'the signed pending version of a condition that ran, written again (a replay)',
      async () => {
        const legit = await createCondition(
          scene.nats.store,
          'legit02',
          { command: 'record', arguments: ['once'] },
          'action',
        );
        expect((await waitForFinal(scene.nats.store, legit.id, 20_000)).state).toBe('succeeded');
        expect(ran()).toContain('legit02 once');
        await sleep(Math.max(0, Date.parse(legit.updatedAt) + 1500 - Date.now()));
        return JSON.parse(JSON.stringify(legit));
      },
      'signature_stale',
      /stored this version of the record \d+ s after the time it was signed at: .*replay/,
    ],
  ])('refuses a condition %s: failed with its code, nothing run', async (_n, forge, code, why) => {
    const record = await forge();
    const before = ran();
    const id = await inject(record);

    const done = await waitForFinal(scene.nats.store, id, 20_000);
    expect(done).toMatchObject({
      state: 'failed',
      errorCode: code,
      error: expect.stringMatching(why),
    });
    expect(done.error).toMatch(/^refused: .*; it was not run$/);
    expect(done.signature).toBeUndefined();
    // Nothing ran: no script, no driver call, no chassis command at any BMC but legit ones.
    await sleep(300);
    expect(ran()).toEqual(before);
    expect(ctl.calls.filter((c) => c.server.startsWith('victim'))).toEqual([]);
    for (const victim of ['victim01', 'victim02']) {
      expect(scene.fleet.get(victim).events()).toEqual([]);
      expect(scene.fleet.get(victim).power()).toBe('on');
    }
    const refused = logEvents().find(
      (e) => e.event === 'condition.refused' && e.conditionId === id,
    );
    expect(refused).toMatchObject({ level: 50, code, requestedBy: expect.any(String) });
    expect(readFileSync(ctl.logFile, 'utf8')).not.toContain(
      readFileSync(scene.nats.signingKeyFile, 'utf8').trim(),
    );
    // Acked: not delivered again.
    await sleep(1000);
    expect(
      logEvents().filter((e) => e.conditionId === id && e.event === 'condition.refused'),
    ).toHaveLength(1);
  });

  it('runs what the API signed: a power on and an action', async () => {
    const before = ran();
    const on = await createCondition(scene.nats.store, 'legit01', {
      action: 'set_power_state',
      action_parameter: 'on',
    });
    const act = await createCondition(
      scene.nats.store,
      'legit02',
      { command: 'record', arguments: ['hello', 'wörld 🔌'] },
      'action',
    );
    expect(await waitForFinal(scene.nats.store, on.id, 20_000)).toMatchObject({
      state: 'succeeded',
    });
    expect(await waitForFinal(scene.nats.store, act.id, 20_000)).toMatchObject({
      state: 'succeeded',
    });
    expect(scene.fleet.get('legit01').power()).toBe('on');
    expect(ran()).toEqual([...before, 'legit02 hello wörld 🔌']);
  });

  it('runs nothing for a record that is no condition at all, and drops its message', async () => {
    const before = ran();
    const record = { ...pending('action', 'victim01', { command: 'record', arguments: ['x'] }) };
    record.kind = 'serverControl'; // action parameters under another kind: no condition
    const id = await inject(record);
    await waitFor(
      'the controller to give up on it',
      () =>
        logEvents().some((e) => e.event === 'condition.unreadable' && e.conditionId === id)
          ? true
          : undefined,
      20_000,
    );
    const entry = await scene.nats.buckets.conditions.get(conditionKey(id));
    expect(entry?.json()).toEqual(record);
    expect(ran()).toEqual(before);
  });

  it('lets no forged record free a server another condition holds, or touch it', async () => {
    const before = ran();
    const legit = await createCondition(
      scene.nats.store,
      'legit01',
      { command: 'slow', arguments: [] },
      'action',
    );
    await waitFor(
      'the legitimate condition to run',
      async () => ((await scene.nats.store.get(legit.id))?.state === 'active' ? true : undefined),
      20_000,
      50,
    );
    // A forged record for the same server, and a forged message naming the running one.
    const forged = await inject(
      pending('action', 'legit01', { command: 'record', arguments: ['x'] }),
    );
    await jetstream(scene.nats.nc).publish(
      conditionSubject('action', 'legit01'),
      JSON.stringify({ id: legit.id, target: 'legit01' }),
    );
    expect(await waitForFinal(scene.nats.store, forged, 20_000)).toMatchObject({
      errorCode: 'signature_missing',
    });
    expect((await scene.nats.store.activeFor('legit01'))?.conditionId).toBe(legit.id);
    const done = await waitForFinal(scene.nats.store, legit.id, 20_000);
    expect(done).toMatchObject({ state: 'succeeded', controller: 'ctl-guard' });
    expect(done.signature).toBeDefined();
    expect(ran()).toEqual([...before, 'legit01 slow']);

    // Delivered again after it is final: acked as a duplicate, its record left as it was.
    const final = await scene.nats.buckets.conditions.get(conditionKey(legit.id));
    await jetstream(scene.nats.nc).publish(
      conditionSubject('action', 'legit01'),
      JSON.stringify({ id: legit.id }),
    );
    await sleep(1500);
    expect((await scene.nats.buckets.conditions.get(conditionKey(legit.id)))?.revision).toBe(
      final?.revision,
    );
    expect(ran()).toEqual([...before, 'legit01 slow']);
  });
});
