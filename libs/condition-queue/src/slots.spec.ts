import { Slots } from './slots';

describe('Slots (fanout limit)', () => {
  it('takes every free slot up to the batch size, and waits when none is free', async () => {
    const slots = new Slots(3);
    expect(await slots.takeAvailable(10)).toBe(3);
    expect(slots.free).toBe(0);
    let got = 0;
    const waiting = slots.takeAvailable(10).then((n) => (got = n));
    await new Promise((r) => setImmediate(r));
    expect(got).toBe(0);
    slots.release(2);
    expect(await waiting).toBe(2);
    expect(slots.inUse).toBe(3);
  });

  it('stops waiting when aborted and refuses to release more than it holds', async () => {
    const slots = new Slots(1);
    await slots.takeAvailable(1);
    const ac = new AbortController();
    const waiting = slots.takeAvailable(1, ac.signal);
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    slots.release(1);
    expect(() => slots.release(1)).toThrow(/only 0 are in use/);
    expect(() => new Slots(0)).toThrow(/fanout/);
  });
});
