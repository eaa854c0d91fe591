import type { Command } from 'commander';
import { targetExpression } from '../targets';
import type { CommandDeps } from './command-deps';
import { ESTATE_COLUMNS, listServers } from './list-servers';
import { addTargetOptions } from './shared-options';
import type { TargetOptions } from './shared-options';

const EXAMPLES = `
Reads the inventory (GET /api/v1/servers); touches no node. A node's ranks choose which script
of a command runs on it (ipmi.sh for rank ipmi, else default.sh).

Examples:
  mctl estate-list                  every node
  mctl estate-list -g rack2         the nodes of a group
  mctl estate-list node[01-08] -o json`;

/** `mctl estate-list`: OpenFlight's name for listing the nodes actions run on, with their ranks. */
export function registerEstateList(program: Command, deps: CommandDeps): void {
  const cmd = program
    .command('estate-list')
    .summary('list the nodes: name, ranks, groups, platform')
    .description(
      'List the nodes of the inventory with the ranks that choose their scripts, their ' +
        'groups and platform.',
    )
    .argument('[targets]', 'only these: node01, node[01-64], @rack2');
  addTargetOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);

  cmd.action(async (positional: string | undefined, opts: TargetOptions, command: Command) => {
    const filtered =
      positional !== undefined || opts.server !== undefined || (opts.group ?? []).length > 0;
    const targets = filtered
      ? targetExpression({ positional, server: opts.server, groups: opts.group })
      : undefined;
    deps.done(await listServers(deps.session(command), targets, ESTATE_COLUMNS));
  });
}
