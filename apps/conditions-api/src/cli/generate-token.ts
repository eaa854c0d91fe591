import { Command, CommanderError } from 'commander';
import { RangeExpressionError, expandRange } from '@switchboard/inventory';
import { readJwtSecret } from '@switchboard/auth';
import {
  DEFAULT_TOKEN_DAYS,
  MAX_TOKEN_DAYS,
  SCOPES,
  mintToken,
  parseScopeList,
} from '@switchboard/auth';

export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Exit status of a usage or configuration error, as mctl uses it. */
export const USAGE_ERROR = 2;

/**
 * Checks the syntax of a `servers` expression without an inventory: groups cannot be
 * resolved here, so each `@group` is checked as the name pattern it is (`@rack[1-2]`
 * as `rack[1-2]`). Whether the names exist is decided when the token is used.
 */
function checkServersSyntax(expression: string): void {
  try {
    expandRange(expression.replace(/(^|,)(\s*)@/g, '$1$2'));
  } catch (err) {
    if (err instanceof RangeExpressionError)
      throw new Error(`invalid --servers ${JSON.stringify(expression)}: ${err.reason}`);
    throw err;
  }
}

function program(io: CommandIo): Command {
  return new Command('conditions-api generate-token')
    .description(
      `Mints a bearer token for the Conditions API, signed with its secret ` +
        `(JWT_SECRET_FILE or JWT_SECRET).\n` +
        `Prints only the token. Tokens cannot be revoked one by one: rotating the secret ` +
        `revokes them all.`,
    )
    .requiredOption(
      '--subject <name>',
      'who the token speaks for; recorded as requestedBy on every condition it creates',
    )
    .option(
      '--scope <scopes>',
      `${SCOPES.join(', ')}; repeat or comma-separate (write does not imply read; admin ` +
        `is everything)`,
      (v: string, all: string[] = []) => [...all, v],
    )
    .option('--days <n>', `lifetime in days, at most ${MAX_TOKEN_DAYS}`, String(DEFAULT_TOKEN_DAYS))
    .option(
      '--servers <expression>',
      'restrict the token to these servers: a range/group expression such as @rack1 or node[01-08]',
    )
    .allowExcessArguments(false)
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();
}

/**
 * `conditions-api generate-token ...` (argv after the subcommand name): the token alone
 * on stdout, so `TOKEN=$(conditions-api generate-token ...)` works; anything else on
 * stderr with exit status 2. Never prints the secret.
 */
export function generateToken(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo,
): number {
  const command = program(io);
  try {
    command.parse(argv, { from: 'user' });
  } catch (err) {
    // commander has already written its message (or the help) to stderr/stdout.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : USAGE_ERROR;
    throw err;
  }
  const opts = command.opts<{
    subject: string;
    scope?: string[];
    days: string;
    servers?: string;
  }>();
  try {
    const scopes = parseScopeList(opts.scope ?? []);
    const days = Number(opts.days);
    if (opts.days.trim() === '' || Number.isNaN(days))
      throw new Error(`--days must be a number, got ${JSON.stringify(opts.days)}`);
    if (opts.servers !== undefined) checkServersSyntax(opts.servers);
    const token = mintToken(
      { subject: opts.subject, scopes, days, servers: opts.servers },
      readJwtSecret(env),
    );
    io.stdout.write(`${token}\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`generate-token: ${(err as Error).message}\n`);
    return USAGE_ERROR;
  }
}
