import { KeyedMutex } from './keyed-mutex';

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyedMutex', () => {
  it('grants one holder per key, in arrival order, and other keys independently', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const first = await mutex.acquire('bmc-a');
    const second = mutex.acquire('bmc-a').then((release) => {
      order.push('second');
      return release;
    });
    const third = mutex.acquire('bmc-a').then((release) => {
      order.push('third');
      return release;
    });
    const other = await mutex.acquire('bmc-b');
    await tick();
    expect(order).toEqual([]);
    expect(mutex.waiting('bmc-a')).toBe(2);
    first();
    first(); // a second release is harmless
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    expect(mutex.isHeld('bmc-a')).toBe(false);
    expect(mutex.isHeld('bmc-b')).toBe(true);
    other();
    expect(mutex.isHeld('bmc-b')).toBe(false);
  });

  it('lets a waiter give up without taking its turn', async () => {
    const mutex = new KeyedMutex();
    const release = await mutex.acquire('k');
    const ac = new AbortController();
    const waiting = mutex.acquire('k', ac.signal);
    ac.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
    expect(mutex.waiting('k')).toBe(0);
    release();
    expect(mutex.isHeld('k')).toBe(false);
  });

  it('never has two holders of one key at once under contention', async () => {
    const mutex = new KeyedMutex();
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const release = await mutex.acquire(`k${i % 3}`);
        inside++;
        most = Math.max(most, inside);
        await tick();
        inside--;
        release();
      }),
    );
    expect(most).toBeLessThanOrEqual(3);
  });
});
