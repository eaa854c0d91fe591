import { Command, Option } from 'commander';
import { registerBoot } from './commands/boot';
import { registerEstate } from './commands/estate';
import { registerEstateList } from './commands/estate-list';
import { registerHelp } from './commands/help';
import { registerPower } from './commands/power';
import { registerRun } from './commands/run';
import { DEFAULT_BASE_URL } from './config';
import { ExitCode } from './exit-codes';
import type { Io } from './io';
import { reportError } from './output/report-error';
import { terminalSafeIo } from './output/terminal-safe';
import { Session } from './session';
import type { GlobalOptions } from './session';
import { MCTL_VERSION } from './version';

const FOOTER =
  `
Configuration (later wins):
  ~/.config/mctl/config.yaml   base_url (default ${DEFAULT_BASE_URL}), token, verify_ssl
                               ($XDG_CONFIG_HOME/mctl/config.yaml when set; ` +
  `another file: --config or MCTL_CONFIG)
  MCTL_URL, MCTL_TOKEN         environment (MCTL_URL: API replicas, comma-separated)
  --url                        command line
  The token is sent as "Authorization: Bearer <token>".

Exit status:
  0  every server succeeded (with --no-wait: every condition was queued)
  1  some failed: a server failed, conflicted with running work or is unknown
  2  usage or configuration error, or a request the API rejected as invalid (400)
  3  nothing created: the API is unreachable, refused the request (401/403/5xx, e.g. queue
     unavailable) or answered nonsense, after retrying the create (MCTL_CREATE_RETRY_SECONDS)
  4  created, outcome unknown: still running when mctl stopped waiting, or a create whose
     answer was lost
  130  interrupted (Ctrl-C); run: after cancelling what still ran (second Ctrl-C)
  run exits 1 when a node failed, whatever its script exited with: the scripts' own
  statuses are printed on stderr ("exit status 3: node02") and are in -o json

Text from the server and from scripts is shown with control characters, escape sequences,
line separators and bidi overrides escaped (\\r, \\x1b, \\u202e); --raw prints it as it is.

Server commands (OpenFlight Action):
  mctl help                  the server's commands; mctl help <command> describes one
  mctl run <command> <node|range> [args...]   (or -g <group>)

Examples:
  mctl power on node[01-03]
  mctl power status -g rack2 -o json
  mctl power --server node01 --action cycle
  mctl boot --server node01 --device pxe --persistent
  mctl run usage node[01-04]
  mctl estate-list -g rack2
  mctl estate show aws[01-03]; mctl estate change aws01 compute-large`;

/**
 * Builds a fresh commander program whose commands write to `io` and report their exit status
 * through `done`. `onGlobals` hears the global options before any command runs.
 */
export function buildProgram(
  io: Io,
  done: (exitCode: number) => void,
  onGlobals?: (globals: GlobalOptions) => void,
): Command {
  const program = new Command('mctl')
    .description(
      "Switchboard's command line: power and boot control of server fleets, and the " +
        "server's commands run on nodes, through conditions-api.",
    )
    .version(MCTL_VERSION, '-V, --version')
    .option(
      '--url <url>',
      `API base URL (overrides MCTL_URL and base_url; default ${DEFAULT_BASE_URL})`,
    )
    .option('--config <file>', 'config file (default ~/.config/mctl/config.yaml, or MCTL_CONFIG)')
    .addOption(
      new Option(
        '-o, --output <format>',
        'text: folded ipmipower-style lines; json: one object per server',
      )
        .choices(['text', 'json'])
        .default('text'),
    )
    .option(
      '--raw',
      'print what servers and scripts send as it is: control characters, escape sequences ' +
        'and bidi overrides are otherwise shown escaped (\\r, \\x1b, \\u202e)',
    )
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // commander's "error: ..." in mctl's own voice, like every other error.
      outputError: (s, write) => write(s.replace(/^error: /, 'mctl: ')),
    })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .addHelpText('after', FOOTER)
    .hook('preAction', (_program, action) => onGlobals?.(action.optsWithGlobals<GlobalOptions>()));

  const deps = {
    session: (command: Command) => new Session(io, command.optsWithGlobals<GlobalOptions>()),
    done,
  };
  registerPower(program, deps);
  registerBoot(program, deps);
  registerRun(program, deps);
  registerEstate(program, deps);
  registerEstateList(program, deps);
  // Last: its help of a name looks among the built-ins registered above first.
  registerHelp(program, deps);
  return program;
}

/**
 * Runs mctl with `argv` (without node and the script) and resolves with its exit status; never
 * throws.
 */
export async function run(argv: readonly string[], outside: Io): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const screen = terminalSafeIo(outside);
  const io = screen.io;
  try {
    const program = buildProgram(
      io,
      (code) => {
        exitCode = code;
      },
      (globals) => screen.setMode({ raw: globals.raw === true, json: globals.output === 'json' }),
    );
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return ExitCode.Usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    return reportError(err, io);
  }
}
