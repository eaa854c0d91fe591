import type { PowerAction, PowerState } from '@switchboard/condition-types';
import type { ServerEntry, ShellPlatform } from '@switchboard/inventory';
import type { ProcessRunner } from '@switchboard/process';

import { Driver, DriverError, OperationContext, PowerGetter, PowerSetter } from './capabilities';
import { bounded, lastLine } from './output-text';
import { ScriptResult, runScript } from './run-script';
import { nodeVariables, passedVariables, scriptEnvironment } from './shell-environment';

export interface ShellDriverOptions {
  /**
   * Controller variables the operator hands to every platform script (a cloud CLI's credentials
   * file, say); by default none: scripts get a fixed PATH, LANG and the node's variables only.
   */
  passEnv?: Readonly<Record<string, string>>;
  /**
   * The controller's environment, where the names a platform lists in `pass_env` are read
   * (the controller gives its own). Without it those names pass nothing.
   */
  controllerEnv?: Readonly<NodeJS.ProcessEnv>;
  /** Path or name of bash (default `bash`). */
  bashPath?: string;
  /** What runs the scripts (default: the real runner; tests may give a FakeRunner). */
  runner?: ProcessRunner;
}

type CommandKey = 'powerOn' | 'powerOff' | 'restart' | 'status';

/** OpenFlight Power's names for the commands, as the topology file spells them. */
const TOPOLOGY_NAMES: Record<CommandKey, string> = {
  powerOn: 'power_on',
  powerOff: 'power_off',
  restart: 'restart',
  status: 'status',
};

/**
 * Which script carries out each power action. `soft` has none: OpenFlight Power platforms
 * define no graceful shutdown, and whether a platform's power_off is graceful (a cloud "stop")
 * or a hard cut depends on the platform, so running it for `soft` would promise what we cannot
 * know. A power cycle and a reset both mean "bring it back up now", which is what restart is.
 */
const POWER_COMMANDS: Record<PowerAction, CommandKey | undefined> = {
  on: 'powerOn',
  off: 'powerOff',
  cycle: 'restart',
  reset: 'restart',
  soft: undefined,
};

/**
 * The driver of a server on an OpenFlight Power shell platform. Each command is the platform's
 * script, run as `bash -c <script>` with the node's declared variables and `name` in its
 * environment (never in its text), and the controller variables its `pass_env` names. It has a
 * capability only for the scripts the platform defines. Throws when the node lacks a variable the
 * platform declares.
 */
export function createShellDriver(
  server: ServerEntry,
  platform: ShellPlatform,
  options: ShellDriverOptions = {},
): Driver {
  const variables = nodeVariables(server, platform);
  const passEnv = { ...options.passEnv, ...passedVariables(platform, options.controllerEnv) };
  const defined = (Object.keys(TOPOLOGY_NAMES) as CommandKey[]).filter((key) =>
    Boolean(platform[key]),
  );

  const run = (key: CommandKey, ctx: OperationContext): Promise<ScriptResult> => {
    const name = TOPOLOGY_NAMES[key];
    return runScript(
      {
        script: platform[key] as string,
        scriptName: `${platform.name}/${name}`,
        env: scriptEnvironment(variables, passEnv),
        label: labelFor(name),
        bashPath: options.bashPath,
        runner: options.runner,
      },
      ctx,
    );
  };
  const labelFor = (command: string): string =>
    `shell ${platform.name}/${command} for ${server.name}`;

  const powerGetter: PowerGetter | undefined = platform.status
    ? {
        async powerState(ctx: OperationContext): Promise<PowerState> {
          const { exitCode, stderr } = await run('status', ctx);
          if (exitCode === 0) return 'on';
          if (exitCode === platform.statusOffExitCode) return 'off';
          throw failed(
            labelFor('status'),
            `exit ${exitCode} means neither on (0) nor off (${platform.statusOffExitCode})`,
            exitCode,
            stderr,
          );
        },
      }
    : undefined;

  const powerSetter: PowerSetter | undefined = defined.some((key) => key !== 'status')
    ? {
        async setPower(action: PowerAction, ctx: OperationContext): Promise<void> {
          const key = Object.hasOwn(POWER_COMMANDS, action) ? POWER_COMMANDS[action] : undefined;
          if (!key || !platform[key]) {
            const has = defined.map((k) => TOPOLOGY_NAMES[k]).join(', ') || 'none';
            const needs = key
              ? `needs a ${TOPOLOGY_NAMES[key]} command`
              : 'has no script in OpenFlight Power platforms';
            throw new DriverError(
              'unsupported',
              `shell ${platform.name}: power ${String(action)} ${needs} (the platform ` +
                `defines: ${has})`,
            );
          }
          const { exitCode, stderr } = await run(key, ctx);
          if (exitCode !== 0)
            throw failed(
              labelFor(TOPOLOGY_NAMES[key]),
              `failed (exit ${exitCode})`,
              exitCode,
              stderr,
            );
        },
      }
    : undefined;

  return {
    kind: `shell:${platform.name}`,
    server: server.name,
    lockKey: `shell:${server.name}`,
    ...(powerGetter ? { powerGetter } : {}),
    ...(powerSetter ? { powerSetter } : {}),
  };
}

function failed(label: string, what: string, exitCode: number, stderr: string): DriverError {
  const said = lastLine(stderr);
  return new DriverError(
    'command',
    `${label}: ${what}${said ? `: ${said}` : ''}`,
    bounded(stderr) || undefined,
    { exitCode },
  );
}
