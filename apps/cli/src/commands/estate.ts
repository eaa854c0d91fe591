import type { Command } from 'commander';
import { abstractMachineTypes } from '@switchboard/condition-types';
import { foldNames } from '@switchboard/inventory/node-ranges';
import { askYesNo, confirmationStep } from '../actions/confirmation';
import { UsageError } from '../errors';
import { nodesForQuestion } from '../actions/confirm-run';
import { foldResults } from '../output/fold-results';
import { resultsToJson } from '../output/json';
import { exitCodeFor, ServerResult } from '../server-results';
import { targetExpression } from '../targets';
import type { CommandDeps } from './command-deps';
import { submitAndWait } from './run-server-control';
import { addTargetOptions, addWaitOptions } from './shared-options';
import type { TargetOptions, WaitFlags } from './shared-options';

interface EstateOptions extends TargetOptions, WaitFlags {
  yes?: boolean;
}

const EXAMPLES = `
Machine types (OpenFlight's): ${abstractMachineTypes.join(', ')};
a cloud's own type (t3.large, Standard_D4s_v5) is accepted too. What each abstract type means
per platform is the controller's MACHINE_TYPES_FILE.

A change follows OpenFlight: the same type does nothing; otherwise the node is shut down, its
type changed, and it is powered on again only if it was on. A failed step powers it on again
and says what state it was left in.

Exit status (OpenFlight's estate-change): 101 unknown type, 102 the platform has no machine
types, 103 a type of another family; otherwise as every mctl command.

Examples:
  mctl estate show aws[01-03]
  mctl estate change aws01 compute-large
  mctl estate change -g gpu gpu-medium --yes`;

/** OpenFlight's question before an estate change. */
const QUESTION =
  'Change machine type for %s. If powered on it will be rebooted. Confirm to proceed [y/n]?';

/** The highest of OpenFlight's estate exit codes among the failures, else mctl's usual status. */
export function estateExitCode(results: readonly ServerResult[]): number {
  const codes = results
    .map((r) => (r.condition?.kind === 'estate' ? r.condition.result?.exit_code : undefined))
    .filter((c): c is number => c !== undefined);
  return codes.length > 0 ? Math.max(...codes) : exitCodeFor(results);
}

/** `mctl estate show|change`: OpenFlight Action's estate commands as estate conditions. */
export function registerEstate(program: Command, deps: CommandDeps): void {
  const estate = program
    .command('estate')
    .summary("show or change cloud nodes' machine types")
    .description("Show or change the machine type of cloud nodes (OpenFlight's estate commands).");
  estate.addHelpText('after', EXAMPLES);

  // OpenFlight Action's own names too: `mctl estate-show aws01`, `mctl estate-change aws01 TYPE`.
  defineShow(estate.command('show'), deps);
  defineShow(program.command('estate-show').summary('= estate show (OpenFlight Action)'), deps);
  defineChange(estate.command('change'), deps);
  defineChange(
    program.command('estate-change').summary('= estate change (OpenFlight Action)'),
    deps,
  );
}

function defineShow(show: Command, deps: CommandDeps): void {
  show
    .description('the machine type of each node: abstract type (cloud type)')
    .argument('[targets]', 'node01, node[01-64], @rack2');
  addTargetOptions(show);
  addWaitOptions(show);
  show.action(async (positional: string | undefined, opts: EstateOptions, command: Command) => {
    const session = deps.session(command);
    const targets = targetExpression({ positional, server: opts.server, groups: opts.group });
    const results = await submitAndWait(session, 'estate', targets, { action: 'show' }, opts);
    session.out(session.json ? resultsToJson(results) : foldResults(results).join('\n'));
    deps.done(estateExitCode(results));
  });
}

function defineChange(change: Command, deps: CommandDeps): void {
  change
    .description('change the machine type of the nodes, rebooting those that are on')
    .argument('<targets>', 'node01, node[01-64], @rack2 (or -g)')
    .argument('[type]', `an abstract type (${abstractMachineTypes[0]} ...) or the cloud's own`)
    .option('-y, --yes', 'do not ask for confirmation');
  addTargetOptions(change);
  addWaitOptions(change);
  change.action(
    async (first: string, second: string | undefined, opts: EstateOptions, command: Command) => {
      // `mctl estate change -g gpu gpu-medium`: the one positional is the type.
      const grouped = second === undefined && (opts.group ?? []).length > 0;
      const positional = grouped ? undefined : first;
      const type = grouped ? first : second;
      const session = deps.session(command);
      if (!type) throw new UsageError('estate change needs a machine type, e.g. compute-large');
      const targets = targetExpression({ positional, server: opts.server, groups: opts.group });
      const nodes = await nodesForQuestion(session.client(), targets);
      const step = confirmationStep({
        question: nodes.length > 0 ? QUESTION.replace('%s', foldNames(nodes)) : undefined,
        yes: opts.yes === true,
        canAsk: session.io.stdin?.isTTY === true,
        command: 'estate change',
      });
      if (step.ask && session.io.stdin) {
        if (!(await askYesNo(session.io.stdin, session.io.stderr, step.question))) {
          session.io.stderr.write('mctl: estate change not confirmed: nothing done\n');
          deps.done(1);
          return;
        }
      }
      const results = await submitAndWait(
        session,
        'estate',
        targets,
        { action: 'change', machine_type: type },
        opts,
      );
      session.out(session.json ? resultsToJson(results) : foldResults(results).join('\n'));
      deps.done(estateExitCode(results));
    },
  );
}
