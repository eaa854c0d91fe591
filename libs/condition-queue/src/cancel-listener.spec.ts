import type { Subscription } from '@nats-io/nats-core';
import { cancelSubject, ConditionKind } from '@switchboard/condition-types';
import pino from 'pino';
import { CancellableJob, listenForCancels } from './cancel-listener';
import { startTestNats, TestNats } from './test-support/nats';
import { Cancellation } from './cancellation';

// Real core NATS request/reply; the jobs are what delivery.ts keeps for each condition.

const ID = '0b9f6a52-3c1e-4a8e-9d57-2f6e1c0a7b11';
let nats: TestNats;
let sub: Subscription;
const jobs = new Map<string, CancellableJob>();

beforeAll(async () => {
  nats = await startTestNats('cancel');
  sub = listenForCancels(nats.nc, jobs, ['action'], pino({ level: 'silent' }));
});

afterAll(async () => {
  sub?.unsubscribe();
  await nats?.stop();
});

afterEach(() => jobs.clear());

function job(kind: ConditionKind | undefined | Promise<ConditionKind | undefined>): CancellableJob {
  return { server: 'node01', held: Promise.resolve(kind), cancellation: new Cancellation() };
}

const ask = (body: unknown, timeout = 2000) =>
  nats.nc.request(cancelSubject(ID), JSON.stringify(body), { timeout }).then((m) => m.json());

describe('answering cancel requests', () => {
  it('stops an action this replica holds and says so', async () => {
    const held = job('action');
    jobs.set(ID, held);

    await expect(ask({ conditionId: ID, by: 'alice' })).resolves.toEqual({ ok: true });
    expect(held.cancellation.signal.aborted).toBe(true);
    expect(held.cancellation.by).toBe('alice');
  });

  it('stays silent about conditions it does not hold: another replica may', async () => {
    jobs.set(ID, job(undefined)); // being claimed here, but the claim went elsewhere

    await expect(ask({ conditionId: ID, by: 'alice' }, 500)).rejects.toThrow(/timeout/i);
    jobs.clear();
    await expect(ask({ conditionId: ID, by: 'alice' }, 500)).rejects.toThrow(/timeout/i);
  });

  it('stays silent once the outcome is written, while its message is being acked', async () => {
    const done = job('action');
    done.cancellation.end();
    done.holds = false;
    jobs.set(ID, done);

    await expect(ask({ conditionId: ID, by: 'alice' }, 500)).rejects.toThrow(/timeout/i);
  });

  it('answers a request that came during the claim once the claim is settled', async () => {
    let settle: (kind: ConditionKind) => void = () => undefined;
    const claiming = job(new Promise<ConditionKind>((resolve) => (settle = resolve)));
    jobs.set(ID, claiming);

    const answer = ask({ conditionId: ID, by: 'alice' });
    setTimeout(() => settle('action'), 100);

    await expect(answer).resolves.toEqual({ ok: true });
  });

  it.each([
    [
      'a serverControl condition',
      job('serverControl'),
      { conditionId: ID, by: 'alice' },
      `condition ${ID} is a serverControl condition: only actions can be cancelled while they run`,
    ],
    [
      'an invalid request',
      job('action'),
      { conditionId: ID },
      `invalid cancel request for condition ${ID}: `,
    ],
    [
      'a request naming another condition',
      job('action'),
      { conditionId: '11111111-1111-4111-8111-111111111111', by: 'alice' },
      `names condition 11111111-1111-4111-8111-111111111111`,
    ],
  ])('refuses %s, saying why', async (_case, held, body, error) => {
    jobs.set(ID, held);

    const reply = (await ask(body)) as { ok: boolean; error: string };

    expect(reply.ok).toBe(false);
    expect(reply.error).toContain(error);
    expect(held.cancellation.signal.aborted).toBe(false);
  });

  it('says when the script had already ended: the outcome stands', async () => {
    const held = job('action');
    held.cancellation.end();
    jobs.set(ID, held);

    await expect(ask({ conditionId: ID, by: 'alice' })).resolves.toEqual({
      ok: false,
      error: `condition ${ID}: the command already ended; its outcome is being recorded`,
    });
  });
});
