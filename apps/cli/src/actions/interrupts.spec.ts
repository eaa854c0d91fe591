import type { InterruptSource } from '../io';
import { watchInterrupts } from './interrupts';

function fakeSignals(): { source: InterruptSource; press(): void; listeners(): number } {
  const listeners = new Set<() => void>();
  return {
    source: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    press: () => listeners.forEach((l) => l()),
    listeners: () => listeners.size,
  };
}

describe('Ctrl-C while mctl run waits', () => {
  it.each([
    [1, ['offer']],
    [2, ['offer', 'cancel']],
    [3, ['offer', 'cancel', 'abandon']],
    [4, ['offer', 'cancel', 'abandon', 'abandon']],
  ])('pressed %i times: %j', (times, expected) => {
    const signals = fakeSignals();
    const seen: string[] = [];
    const watch = watchInterrupts(signals.source, {
      offer: () => seen.push('offer'),
      cancel: () => seen.push('cancel'),
      abandon: () => seen.push('abandon'),
    });
    for (let i = 0; i < times; i++) signals.press();
    expect(seen).toEqual(expected);
    expect(watch.presses).toBe(times);
  });

  it('stops listening once disposed, so a later Ctrl-C gets the default (exit 130)', () => {
    const signals = fakeSignals();
    const watch = watchInterrupts(signals.source, {
      offer: jest.fn(),
      cancel: jest.fn(),
      abandon: jest.fn(),
    });
    expect(signals.listeners()).toBe(1);
    watch.dispose();
    expect(signals.listeners()).toBe(0);
  });

  it('watches nothing without a source', () => {
    expect(() =>
      watchInterrupts(undefined, {
        offer: jest.fn(),
        cancel: jest.fn(),
        abandon: jest.fn(),
      }).dispose(),
    ).not.toThrow();
  });
});
