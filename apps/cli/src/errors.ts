import { ExitCode } from './exit-codes';

/** Every error mctl expects carries its exit status and a message meant for an operator. */
export abstract class CliError extends Error {
  abstract readonly exitCode: ExitCode;
  /** Extra lines printed under the message (e.g. the API's validation issues). */
  details(): string[] {
    return [];
  }
}

/** A bad command line: unknown verb, conflicting flags, malformed range. */
export class UsageError extends CliError {
  readonly exitCode = ExitCode.Usage;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A bad config file or environment variable; names where the bad value came from. */
export class ConfigError extends CliError {
  readonly exitCode = ExitCode.Usage;
  constructor(
    readonly source: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`${source}${line === undefined ? '' : `:${line}`}: ${reason}`);
    this.name = 'ConfigError';
  }
}
