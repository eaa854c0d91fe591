import { Completion } from './completion';

describe('Completion', () => {
  const ids = new Set(['a', 'b']);

  it('is not done while any condition is still running, whatever was delivered', () => {
    const c = new Completion(ids, 1);
    c.final('a', 0);
    c.delivered(1000);
    expect(c.running()).toBe(1);
    expect(c.done()).toBe(false);
  });

  it(
    'is done once every condition is final and the consumer has passed the last line of ' + 'each',
    () => {
      const c = new Completion(ids, 10);
      c.final('a', 12);
      c.final('b', 15);
      c.delivered(12);
      expect(c.done()).toBe(false);
      c.delivered(15);
      expect(c.done()).toBe(true);
    },
  );

  it(
    'waits for nothing before its start: a condition that printed nothing, or only ' +
      'earlier, is done when final',
    () => {
      const c = new Completion(ids, 10);
      c.final('a', 0);
      c.final('b', 9);
      expect(c.done()).toBe(true);
    },
  );

  it('ignores conditions it does not follow', () => {
    const c = new Completion(new Set(['a']), 1);
    c.final('z', 99);
    c.final('a', 0);
    expect(c.done()).toBe(true);
  });
});
