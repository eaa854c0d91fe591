import { parseTimeout } from './duration';

describe('parseTimeout: seconds, or a duration', () => {
  it.each([
    [300, 300_000],
    [0.5, 500],
    ['300', 300_000],
    ['90s', 90_000],
    ['5m', 300_000],
    ['2.5m', 150_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    [' 5m ', 300_000],
    ['24h', 86_400_000],
  ])('%p is %p ms', (value, ms) => {
    expect(parseTimeout(value)).toBe(ms);
  });

  it.each([
    ['soon', 'expected seconds or a duration like 90s, 5m or 1h30m, got "soon"'],
    ['', 'expected seconds or a duration like 90s, 5m or 1h30m, got ""'],
    ['5 m', 'expected seconds or a duration like 90s, 5m or 1h30m, got "5 m"'],
    ['30m1h', 'expected seconds or a duration like 90s, 5m or 1h30m, got "30m1h"'],
    ['5d', 'expected seconds or a duration like 90s, 5m or 1h30m, got "5d"'],
    [Number.NaN, 'expected seconds or a duration like 90s, 5m or 1h30m, got null'],
    [0, 'must be longer than zero, got 0'],
    ['0s', 'must be longer than zero, got "0s"'],
    [-5, 'must be longer than zero, got -5'],
    ['25h', 'must be at most 24h, got "25h"'],
  ])('%p is refused: %s', (value, error) => {
    expect(parseTimeout(value)).toEqual({ error });
  });
});
