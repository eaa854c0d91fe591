import type { LoggerService } from '@nestjs/common';
import type { Logger } from '@switchboard/logging';

/**
 * Sends Nest's own messages (module and route set-up, errors) through the process's
 * pino logger, so that stderr carries one JSON event per line and nothing else. Nest's
 * chatty start-up "log" level becomes debug.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  private write(
    level: 'debug' | 'info' | 'warn' | 'error' | 'trace',
    message: unknown,
    rest: unknown[],
  ): void {
    const context =
      typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const stack = typeof rest[0] === 'string' && rest.length > 1 ? rest[0] : undefined;
    this.pino[level]({ event: 'nest', context, ...(stack ? { stack } : {}) }, String(message));
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
}
