import { Writable } from 'node:stream';
import pino, { Logger } from 'pino';

export interface CapturedLogs {
  logger: Logger;
  /** Every event, parsed. */
  events: () => Record<string, unknown>[];
  /** Everything written, as written: for checking what never appears (secrets). */
  text: () => string;
}

/**
 * A logger whose JSON lines are kept in memory, for tests that check what was logged (and what was
 * not).
 */
export function capturingLogger(level = 'debug'): CapturedLogs {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const text = (): string => chunks.join('');
  return {
    logger: pino({ level }, stream),
    events: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    text,
  };
}
