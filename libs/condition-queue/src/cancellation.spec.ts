import { Cancellation } from './cancellation';

describe('Cancellation', () => {
  it('stops the run for the first requester; a second request changes nothing', () => {
    const c = new Cancellation();
    expect(c.request('alice')).toBe('cancelling');
    expect(c.request('bob')).toBe('cancelling');
    expect(c.signal.aborted).toBe(true);
    expect(c.by).toBe('alice');
  });

  it('once the script is over, a request is too late and aborts nothing', () => {
    const c = new Cancellation();
    c.end();
    expect(c.request('alice')).toBe('ended');
    expect(c.signal.aborted).toBe(false);
    expect(c.by).toBeUndefined();
  });
});
