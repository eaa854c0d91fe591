import { pollUntil, sleep } from './poll';

const timing = { timeoutMs: 300, intervalMs: 10, maxIntervalMs: 40 };
const never = new AbortController().signal;

describe('pollUntil', () => {
  it('resolves with the first value a round returns', async () => {
    const rounds: number[] = [];
    const polled = await pollUntil(
      async (round) => {
        rounds.push(round);
        return round === 3 ? 'on' : undefined;
      },
      timing,
      never,
    );
    expect(polled).toEqual({ value: 'on' });
    expect(rounds).toEqual([1, 2, 3]);
  });

  it('gives up after the timeout, saying how long it tried, with pauses capped', async () => {
    const at: number[] = [];
    const polled = await pollUntil(
      async () => void at.push(Date.now()),
      { timeoutMs: 900, intervalMs: 20, maxIntervalMs: 45 },
      never,
    );
    expect(polled).toMatchObject({ timedOut: true });
    expect((polled as { elapsedMs: number }).elapsedMs).toBeGreaterThanOrEqual(900);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(19);
    // Capped at 45 ms that is about 20 rounds; growing by half without a cap it would be 8.
    expect(at.length).toBeGreaterThanOrEqual(12);
  });

  it('stops at once when a round throws', async () => {
    let rounds = 0;
    const stop = pollUntil(
      async () => {
        rounds++;
        throw new Error('authentication refused');
      },
      timing,
      never,
    );
    await expect(stop).rejects.toThrow('authentication refused');
    expect(rounds).toBe(1);
  });

  it('stops waiting with the abort reason', async () => {
    const ac = new AbortController();
    const reason = new Error('handed back');
    setTimeout(() => ac.abort(reason), 30);
    await expect(pollUntil(async () => undefined, timing, ac.signal)).rejects.toBe(reason);
  });
});

describe('sleep', () => {
  it('rejects with the signal’s own reason, not an AbortError', async () => {
    const ac = new AbortController();
    const reason = new Error('handed back');
    const waiting = sleep(10_000, ac.signal);
    ac.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });
});
