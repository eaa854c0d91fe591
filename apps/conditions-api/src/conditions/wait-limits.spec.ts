import { MAX_WAITS, MAX_WAITS_PER_SUBJECT, WaitLimits } from './wait-limits';

describe('WaitLimits', () => {
  it(`holds ${MAX_WAITS_PER_SUBJECT} waits per subject, and refuses the next with 429`, () => {
    const limits = new WaitLimits();
    const held = Array.from({ length: MAX_WAITS_PER_SUBJECT }, () => limits.acquire('alice'));
    expect(() => limits.acquire('alice')).toThrow(
      expect.objectContaining({
        body: expect.objectContaining({
          statusCode: 429,
          code: 'too_many_waits',
          message:
            `too many waits for "alice": at most ${MAX_WAITS_PER_SUBJECT} at once; retry ` +
            `when one has ended`,
        }),
      }),
    );
    // Another subject is not held back by alice.
    limits.acquire('bob')();
    held[0]();
    held[0](); // a second release changes nothing
    expect(limits.held).toBe(MAX_WAITS_PER_SUBJECT - 1);
    expect(() => limits.acquire('alice')).not.toThrow();
  });

  it(`holds ${MAX_WAITS} waits in all, whoever asks`, () => {
    const limits = new WaitLimits();
    const subjects = Math.ceil(MAX_WAITS / MAX_WAITS_PER_SUBJECT);
    const held: Array<() => void> = [];
    for (let s = 0; s < subjects; s++)
      for (let i = 0; i < MAX_WAITS_PER_SUBJECT && held.length < MAX_WAITS; i++)
        held.push(limits.acquire(`subject-${s}`));
    expect(() => limits.acquire('newcomer')).toThrow(
      expect.objectContaining({
        body: expect.objectContaining({
          statusCode: 429,
          code: 'too_many_waits',
          message: `the API holds ${MAX_WAITS} waits already; retry shortly`,
        }),
      }),
    );
    held.pop()?.();
    expect(() => limits.acquire('newcomer')).not.toThrow();
  });
});
