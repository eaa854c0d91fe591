import { Option } from 'commander';
import type { Command } from 'commander';
import { targetExpression } from '../targets';
import { showActionStatus } from './action-status';
import { listServers } from './list-servers';
import { metalToolboxCreate, metalToolboxStatus } from './metal-toolbox';
import {
  powerActionFlags,
  powerIntent,
  powerParameters,
  powerPositionals,
  powerVerbs,
} from './power-actions';
import type { PowerActionFlag } from './power-actions';
import { runServerControl } from './run-server-control';
import { addTargetOptions, addWaitOptions } from './shared-options';
import type { TargetOptions, WaitFlags } from './shared-options';
import type { CommandDeps } from './command-deps';

interface PowerOptions extends TargetOptions, WaitFlags {
  action?: PowerActionFlag;
  actionStatus?: boolean;
}

const EXAMPLES =
  `
Verbs (OpenFlight):   on, off, restart (= cycle), status, list
--action (FlipFlop):  on, off, cycle, reset, soft, status (get_power_state),
                      bmc-reset (power_cycle_bmc), boot-pxe-persistent (pxe_boot_persistent)
                      every --action value also works as a verb: mctl power cycle node01
status    asks each BMC now (a get_power_state condition) and reports on/off.
list      lists servers from the inventory (name, id, platform, driver, groups); no BMC is asked.
--action-status  shows the latest condition of each server; starts no work.

Examples:
  mctl power on node[01-03]                 power on three servers, wait, print "on: node[01-03]"
  mctl power status -g rack2                power state of every server in group rack2
  mctl power restart node07 --no-wait       queue a power cycle, print its condition id
  mctl power --server node01 --action off   FlipFlop style: queues it and prints what
  mctl power --server node01 --action-status  metal-toolbox mctl prints (-o text: folded)
  mctl power list @gpu -o json
  mctl power off node[01-64] --timeout 300 -o json | jq -r ` +
  `'.[] | select(.outcome != "succeeded") | .server'`;

export function registerPower(program: Command, deps: CommandDeps): void {
  const cmd = program
    .command('power')
    .summary('power servers on/off/cycle, read their power state, reset BMCs, list servers')
    .description(
      'Power control of one server, a range or a group. Waits for the outcome of every ' +
        'server and folds the report like ipmipower.',
    )
    .argument('[verb]', `what to do: ${powerVerbs.join(', ')}`)
    .argument('[targets]', 'server name, id or range: node01, node[01-64], node01,node07, @rack2');
  addTargetOptions(cmd);
  cmd
    .addOption(
      new Option('-a, --action <action>', 'what to do, FlipFlop style').choices(powerActionFlags),
    )
    .option('--action-status', 'show the latest condition of each server instead of starting work');
  addWaitOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);

  cmd.action(
    async (
      first: string | undefined,
      second: string | undefined,
      opts: PowerOptions,
      command: Command,
    ) => {
      const { verb, targets } = powerPositionals(
        first,
        second,
        opts.action !== undefined || opts.actionStatus === true,
      );
      const intent = powerIntent(verb, opts.action, opts.actionStatus === true);
      const inputs = { positional: targets, server: opts.server, groups: opts.group };
      const session = deps.session(command);
      // FlipFlop's flags without -o: metal-toolbox mctl's output, for the scripts written for it.
      const metalToolbox =
        (opts.action !== undefined || opts.actionStatus === true) && !outputChosen(command);
      switch (intent.kind) {
        case 'list': {
          const filtered =
            targets !== undefined || opts.server !== undefined || (opts.group ?? []).length > 0;
          deps.done(await listServers(session, filtered ? targetExpression(inputs) : undefined));
          return;
        }
        case 'action-status':
          deps.done(
            metalToolbox
              ? await metalToolboxStatus(session, targetExpression(inputs))
              : await showActionStatus(session, targetExpression(inputs)),
          );
          return;
        case 'control':
          if (metalToolbox) {
            const parameters = powerParameters(intent.action);
            deps.done(await metalToolboxCreate(session, targetExpression(inputs), parameters));
            return;
          }
          deps.done(
            await runServerControl(
              session,
              targetExpression(inputs),
              powerParameters(intent.action),
              opts,
            ),
          );
          return;
      }
    },
  );
}

/** Whether `-o` was given on the command line (not just its default). */
function outputChosen(command: Command): boolean {
  let root = command;
  while (root.parent) root = root.parent;
  return root.getOptionValueSource('output') === 'cli';
}
