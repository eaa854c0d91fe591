import { isTransient, retryTransient } from './transient';

describe('transient JetStream errors', () => {
  it.each<[string, unknown, boolean]>([
    ['a request timeout', new Error('timeout'), true],
    ['no responders (a stream electing its leader)', new Error('jetstream is not enabled'), true],
    ['JetStream 503', Object.assign(new Error('unavailable'), { code: '503' }), true],
    ['a leadership change', new Error('leadership change'), true],
    ['wrapped', new Error('could not write', { cause: new Error('timeout') }), true],
    ['a lost compare-and-set', new Error('wrong last sequence: 7'), false],
    ['a missing stream', new Error('stream not found'), false],
  ])('%s: %s', (_name, err, expected) => {
    expect(isTransient(err)).toBe(expected);
  });

  it('retries a transient failure, telling the attempt so, and passes others on', async () => {
    const seen: boolean[] = [];
    const value = await retryTransient(async (retried) => {
      seen.push(retried);
      if (seen.length < 3) throw new Error('timeout');
      return 'done';
    });
    expect(value).toBe('done');
    expect(seen).toEqual([false, true, true]);
    await expect(
      retryTransient(async () => {
        throw new Error('wrong last sequence: 7');
      }),
    ).rejects.toThrow('wrong last sequence');
  });

  it('gives up with the last error once its time is spent', async () => {
    let tries = 0;
    await expect(
      retryTransient(async () => {
        tries++;
        throw new Error('timeout');
      }, 300),
    ).rejects.toThrow('timeout');
    expect(tries).toBeGreaterThan(1);
  });
});
