import pino, { DestinationStream, Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * One structured logger per process: one JSON event per line on stderr, so stdout
 * stays free for command output (mctl, generate-token). Secrets are redacted by
 * key name wherever they appear in a logged object.
 */
export function createLogger(
  name: string,
  level = process.env.LOG_LEVEL ?? 'info',
  destination: DestinationStream = pino.destination(2),
): Logger {
  return pino(
    {
      name,
      level,
      base: { service: name },
      redact: {
        paths: [
          'password',
          '*.password',
          '*.*.password',
          'token',
          '*.token',
          'authorization',
          '*.authorization',
          'secret',
          '*.secret',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** A logger that discards everything, for library code used without a host logger. */
export const silentLogger: Logger = pino({ level: 'silent' });
export { capturingLogger } from './capture';
export type { CapturedLogs } from './capture';
