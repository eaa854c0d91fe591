import { DriverError } from '@switchboard/drivers';
import { AttemptsExhausted, backoffDelay, isRetryable, withRetry } from './retry';

const policy = { attempts: 3, baseDelayMs: 5, maxDelayMs: 12 };

describe('retry classification', () => {
  it.each([
    ['timeout', true],
    ['unreachable', false],
    ['auth', false],
    ['unsupported', false],
    ['command', false],
  ] as const)('a %s fault is retryable: %s', (fault, expected) => {
    expect(isRetryable(new DriverError(fault, 'x'))).toBe(expected);
  });

  it('does not retry errors that are not driver faults', () => {
    expect(isRetryable(new Error('bug'))).toBe(false);
  });

  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, policy))).toEqual([5, 10, 12, 12]);
  });
});

describe('withRetry', () => {
  it('retries a timeout until it succeeds', async () => {
    const retried: number[] = [];
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new DriverError('timeout', 'no answer');
        return 'ok';
      },
      policy,
      { onRetry: (_e, attempt) => void retried.push(attempt) },
    );
    expect(value).toBe('ok');
    expect(retried).toEqual([1, 2]);
  });

  it('makes exactly one attempt for an authentication refusal', async () => {
    let calls = 0;
    const err = await withRetry(async () => {
      calls++;
      throw new DriverError('auth', 'RAKP 2 HMAC is invalid');
    }, policy).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(err).toBeInstanceOf(AttemptsExhausted);
    expect((err as AttemptsExhausted).attempts).toBe(1);
  });

  it('gives up after the last attempt and says how many were made', async () => {
    let calls = 0;
    const err = (await withRetry(async () => {
      calls++;
      throw new DriverError('timeout', 'no answer');
    }, policy).catch((e: unknown) => e)) as AttemptsExhausted;
    expect(calls).toBe(3);
    expect(err.attempts).toBe(3);
    expect((err.cause as DriverError).fault).toBe('timeout');
  });

  it('stops at once when aborted, with the abort reason', async () => {
    const ac = new AbortController();
    const reason = new Error('handed back');
    const run = withRetry(
      async () => {
        ac.abort(reason);
        throw new DriverError('timeout', 'no answer');
      },
      { attempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 },
      { signal: ac.signal },
    );
    await expect(run).rejects.toBe(reason);
  });
});
