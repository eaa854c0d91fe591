import { Option } from 'commander';
import type { Command } from 'commander';
import { findCommand } from '../actions/find-command';
import { checkPresentationFlags } from '../actions/presentation';
import { QUEUE_SLACK_SECONDS, runAction } from '../actions/run-action';
import { splitRunWords } from '../actions/run-words';
import { targetExpression } from '../targets';
import type { CommandDeps } from './command-deps';
import { addTargetOptions, parseSeconds } from './shared-options';
import type { TargetOptions } from './shared-options';

interface RunOptions extends TargetOptions {
  yes?: boolean;
  confirm?: boolean;
  stream?: boolean;
  fold?: boolean;
  wait: boolean;
  timeout?: number;
}

const DETAILS = `
The command comes from the server's commands directory (mctl help lists them). Each node runs
the script its ranks choose, with the words after the node as $1, $2 ... Words that start with
"-" go after "--", so they are not taken for mctl's options: mctl run usage node01 -- -v

Output:
  stdout a terminal, or --stream   lines as they come, prefixed "node01: " (one node: unprefixed)
  otherwise, or --fold             at the end, identical output of many nodes once (dshbak -c):
                                     ----------------
                                     node[01-03]
                                     ----------------
                                     <output>
  -o json                          [{server, outcome, exit_code, output, error, conditionId}]
  What went wrong (exit status, timeout, unknown node ...) follows on stderr, folded.

Confirmation: a command with a confirmation question asks it (%{nodes} filled in) on the
terminal; --yes answers it. Without a terminal and without --yes, mctl refuses (exit 2).

Ctrl-C: the first shows what still runs; the second cancels it (DELETE /conditions/{id}) and
exits 130 once it has stopped; the third exits 130 at once.

Exit status: 0 when every node succeeded; 1 when any failed, whatever its script exited
with (the scripts' statuses follow on stderr: "exit status 3: node02"; -o json has them as
exit_code); 2 usage, 3 API, 130 interrupted, as for every mctl command.

Examples:
  mctl run usage node[01-04]               load of four nodes
  mctl run power-off -g rack2 --yes        no question asked
  mctl run ipmi-sel node07 | less          one node: its output as it is
  mctl run usage @all --fold               each distinct output once
  mctl run usage node01 -- -v              an argument that starts with "-"
  mctl run usage node[01-64] -o json | jq -r '.[] | select(.exit_code != 0) | .server'`;

export function registerRun(program: Command, deps: CommandDeps): void {
  const cmd = program
    .command('run')
    .summary("run one of the server's commands on nodes (OpenFlight Action)")
    .description(
      "Run a command of the server's commands directory on one node, a range or a group, " +
        'following its output live.',
    )
    .argument('<command>', 'a command of the server: mctl help lists them')
    .argument(
      '[args...]',
      '<node|range>, then the arguments of the script ($1...); with -g/-s, arguments only',
    )
    .usage('[options] <command> <node|range> [args...]   (or -g <group> [args...])');
  addTargetOptions(cmd);
  cmd
    .option('-y, --yes', "answer the command's confirmation question with yes")
    .addOption(new Option('--confirm', 'same as --yes (OpenFlight Action)').hideHelp())
    .option(
      '--stream',
      'print the lines as they come, prefixed by node (default when stdout is a terminal)',
    )
    .option(
      '--fold',
      'print each distinct output once at the end, under its nodes (default when stdout ' +
        'is not a terminal)',
    )
    .option('--no-wait', 'queue the conditions, print their ids and return at once')
    .option(
      '--timeout <seconds>',
      `stop waiting after this long; the work goes on (default: the command's timeout + ` +
        `${QUEUE_SLACK_SECONDS} s)`,
      parseSeconds,
    )
    .showHelpAfterError(
      '(script arguments that start with "-" go after "--": mctl run <command> <node> -- ' +
        '-v; mctl run --help)',
    )
    .addHelpText('after', DETAILS);

  cmd.action(async (name: string, words: string[], opts: RunOptions, command: Command) => {
    const session = deps.session(command);
    checkPresentationFlags({ json: session.json, stream: opts.stream, fold: opts.fold });
    const found = await findCommand(session.client(), name);
    const targetFlags = opts.server !== undefined || (opts.group ?? []).length > 0;
    const { positional, args } = splitRunWords(words, { command: name, targetFlags });
    const targets = targetExpression({ positional, server: opts.server, groups: opts.group });
    deps.done(
      await runAction(session, {
        command: found,
        targets,
        args,
        yes: opts.yes === true || opts.confirm === true,
        wait: opts.wait,
        timeoutSeconds: opts.timeout,
        stream: opts.stream,
        fold: opts.fold,
      }),
    );
  });
}
