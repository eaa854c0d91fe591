const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000 } as const;
// "1h30m", "5m", "90s", "2.5m": one or more number+unit parts, largest unit first.
const DURATION = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/;

/**
 * Longer than any command should run on one node; past it, a typo (`300h`) is the likelier story.
 */
export const MAX_TIMEOUT_MS = 24 * UNIT_MS.h;

/**
 * A command's `timeout` in milliseconds: a number of seconds (`300`, `"300"`) or a duration
 * (`5m`, `90s`, `1h30m`). Returns a message instead when the value is none of these or is out
 * of range, so the caller can attach it to the file and line it came from.
 */
export function parseTimeout(value: number | string): number | { error: string } {
  const ms = typeof value === 'number' ? value * UNIT_MS.s : textToMs(value.trim());
  if (ms === undefined || !Number.isFinite(ms)) {
    return {
      error: `expected seconds or a duration like 90s, 5m or 1h30m, got ${JSON.stringify(value)}`,
    };
  }
  if (ms <= 0) return { error: `must be longer than zero, got ${JSON.stringify(value)}` };
  if (ms > MAX_TIMEOUT_MS) return { error: `must be at most 24h, got ${JSON.stringify(value)}` };
  return Math.round(ms);
}

function textToMs(text: string): number | undefined {
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text) * UNIT_MS.s;
  const match = DURATION.exec(text);
  if (!match || text === '') return undefined;
  const [, h, m, s] = match;
  return Number(h ?? 0) * UNIT_MS.h + Number(m ?? 0) * UNIT_MS.m + Number(s ?? 0) * UNIT_MS.s;
}
