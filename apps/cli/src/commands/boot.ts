import { bootDevices } from '@switchboard/condition-types';
import type { BootDevice } from '@switchboard/condition-types';
import { Option } from 'commander';
import type { Command } from 'commander';
import { targetExpression } from '../targets';
import type { CommandDeps } from './command-deps';
import { bootParameters } from './power-actions';
import { runServerControl } from './run-server-control';
import { addTargetOptions, addWaitOptions } from './shared-options';
import type { TargetOptions, WaitFlags } from './shared-options';

interface BootOptions extends TargetOptions, WaitFlags {
  device: BootDevice;
  persistent?: boolean;
  efi?: boolean;
}

const EXAMPLES = `
Sets the device the server boots from next (set_next_boot_device); it does not power-cycle.

Examples:
  mctl boot --server node01 --device pxe               next boot only, from the network
  mctl boot node[01-16] --device pxe --persistent --efi
  mctl boot -g rack2 --device disk --no-wait`;

export function registerBoot(program: Command, deps: CommandDeps): void {
  const cmd = program
    .command('boot')
    .summary('set the next boot device of servers')
    .description(
      'Set the next boot device of one server, a range or a group, and wait for the outcome.',
    )
    .argument('[targets]', 'server name, id or range: node01, node[01-64], @rack2');
  addTargetOptions(cmd);
  cmd
    .addOption(
      new Option('-d, --device <device>', 'boot device').choices(bootDevices).makeOptionMandatory(),
    )
    .option('--persistent', 'keep the device for every later boot, not only the next one')
    .option('--efi', 'boot in EFI mode rather than legacy BIOS');
  addWaitOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);

  cmd.action(async (positional: string | undefined, opts: BootOptions, command: Command) => {
    const targets = targetExpression({ positional, server: opts.server, groups: opts.group });
    const parameters = bootParameters({
      device: opts.device,
      persistent: opts.persistent,
      efi: opts.efi,
    });
    deps.done(await runServerControl(deps.session(command), targets, parameters, opts));
  });
}
