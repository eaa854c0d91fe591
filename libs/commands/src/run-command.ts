import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { Logger, silentLogger } from '@switchboard/logging';

import { OutputStream, SCRIPT_PATH, ProcessRunner, processRunner } from '@switchboard/process';

import { redact } from './redact';
import { SecretSource, scriptEnvironment } from './script-environment';
import type { CommandDefinition, ScriptChoice } from './types';

/** A node as a script sees it: its name and every scalar key of its inventory entry. */
export interface CommandNode {
  name: string;
  attributes: Record<string, string>;
  /** Keys besides lower-case identifiers the node's platform allows (its `allowed_keys`). */
  allowedKeys?: readonly string[];
}

export interface RunCommandOptions {
  /** Only `name` and `dir` are used. */
  command: Pick<CommandDefinition, 'name' | 'dir'>;
  /** Usually `selectScript(command, server.ranks)`. */
  script: ScriptChoice;
  /** Absent for a command without context (`has_context: false`): it runs once, for no node. */
  node?: CommandNode;
  /** `$1…` of the script. */
  args: readonly string[];
  /** Who asked (a token's subject), as `SWITCHBOARD_REQUESTER`. */
  requester: string;
  timeoutMs: number;
  /** Aborting it stops the script like a timeout does; the result says `cancelled`. */
  signal?: AbortSignal;
  /**
   * Each complete output line as it comes, in order per stream; secrets given to the script are
   * redacted.
   */
  onLine?: (stream: OutputStream, line: string) => void;
  logger?: Logger;
  /** Controller variables that `bmc_password_env` attributes may name; none unless given. */
  secrets?: SecretSource;
  /** PATH of the script (default: the fixed SCRIPT_PATH, not the controller's). */
  path?: string;
  /** Between SIGTERM and SIGKILL when stopping (default 2000 ms). */
  graceMs?: number;
  /** Output kept per stream, from the end (default 1 MiB). */
  maxOutputBytes?: number;
  /** What runs the script (default: the real runner; tests may give a FakeRunner). */
  runner?: ProcessRunner;
}

export interface RunCommandResult {
  /**
   * The script's exit status; null when a signal ended it. 0 is success, anything else the caller's
   * failure.
   */
  exitCode: number | null;
  /** The signal that ended the script, if one did. */
  signal?: string;
  timedOut: boolean;
  cancelled: boolean;
  /** The last `maxOutputBytes` of each stream. */
  stdout: string;
  stderr: string;
  /** Bytes cut from the front of each stream to stay within `maxOutputBytes`. */
  droppedBytes: Record<OutputStream, number>;
  /** `<command>/<file>`, as a record may show it (`power-on/ipmi.sh`). */
  script: string;
  rank: string;
  durationMs: number;
}

export const DEFAULT_GRACE_MS = 2000;
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * Runs one command's script for one node (or for none), to its end, and reports how it ended.
 * The script is exec'd directly with `args` as `$1…` (no shell in between that could read its
 * inputs as code), in its own process group, in a new empty working directory that is removed
 * afterwards, with only the environment `scriptEnvironment` builds.
 *
 * Resolves whatever the exit status: what it means is the caller's business. Rejects when the
 * inputs are unusable or the script cannot start, with the command, script and node in the message.
 */
export async function runCommand(options: RunCommandOptions): Promise<RunCommandResult> {
  const { command, script, node } = options;
  const logger = (options.logger ?? silentLogger).child({
    command: command.name,
    rank: script.rank,
    node: node?.name,
  });
  const label =
    `command ${command.name}, script ` + `${script.path}${node ? `, node ${node.name}` : ''}`;
  checkInputs(options, label);

  let environment;
  try {
    environment = scriptEnvironment({
      command: command.name,
      scriptRoot: command.dir,
      requester: options.requester,
      node,
      path: options.path ?? SCRIPT_PATH,
      secrets: options.secrets,
    });
  } catch (err) {
    throw new Error(`${label}: ${(err as Error).message}`, { cause: err });
  }
  for (const { key, reason } of environment.skipped) {
    logger.warn({ variable: key, reason }, 'node attribute not passed to the script');
  }
  const { secrets } = environment;
  const summary = { script: `${command.name}/${path.basename(script.path)}`, rank: script.rank };

  const started = Date.now();
  if (options.signal?.aborted) {
    // Cancelled while queued: nothing ran, and that is what the result says.
    const empty = { stdout: '', stderr: '', droppedBytes: { stdout: 0, stderr: 0 } };
    return {
      exitCode: null,
      timedOut: false,
      cancelled: true,
      ...empty,
      ...summary,
      durationMs: 0,
    };
  }

  const cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'switchboard-command-'));
  try {
    let lineFailed = false;
    const runner = options.runner ?? processRunner;
    const outcome = await runner
      .run({
        file: script.path,
        args: options.args,
        env: environment.env,
        cwd,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        // SIGTERM first, so a script's traps can clean up.
        kill: { graceMs: options.graceMs ?? DEFAULT_GRACE_MS },
        maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
        onLine: (stream, line) => {
          if (!options.onLine || lineFailed) return;
          try {
            options.onLine(stream, redact(line, secrets));
          } catch (err) {
            // A broken progress sink must not break the run; it is told once and then left alone.
            lineFailed = true;
            logger.warn(
              { err },
              'onLine handler failed; no more lines are passed to it for this run',
            );
          }
        },
      })
      .catch((err: NodeJS.ErrnoException) => {
        throw new Error(`${label}: could not start (${err.code ?? err.message})`, { cause: err });
      });

    const durationMs = Date.now() - started;
    if (outcome.leftovers)
      logger.debug({ durationMs }, 'the script left processes behind; killed them');
    if (!outcome.groupEnded)
      logger.warn(
        { durationMs },
        'processes of the script were still there after SIGKILL (unreaped?)',
      );
    logger.debug(
      {
        exitCode: outcome.exitCode,
        signal: outcome.signal,
        timedOut: outcome.timedOut,
        cancelled: outcome.cancelled,
        durationMs,
      },
      'command script finished',
    );
    return {
      exitCode: outcome.exitCode,
      ...(outcome.signal ? { signal: outcome.signal } : {}),
      timedOut: outcome.timedOut,
      cancelled: outcome.cancelled,
      stdout: redact(outcome.stdout, secrets),
      stderr: redact(outcome.stderr, secrets),
      droppedBytes: outcome.droppedBytes,
      ...summary,
      durationMs,
    };
  } finally {
    await fs.rm(cwd, { recursive: true, force: true });
  }
}

function checkInputs(options: RunCommandOptions, label: string): void {
  const { command, script } = options;
  // A script from another command would run with this command's SCRIPT_ROOT and name.
  if (path.dirname(path.resolve(script.path)) !== path.resolve(command.dir)) {
    throw new Error(`${label}: the script is not in the command's directory ${command.dir}`);
  }
  if (!(options.timeoutMs > 0))
    throw new Error(`${label}: timeoutMs must be a positive number, got ${options.timeoutMs}`);
  const nul = options.args.findIndex((arg) => arg.includes('\0'));
  if (nul !== -1)
    throw new Error(
      `${label}: argument $${nul + 1} contains a NUL character, which no argument can hold`,
    );
}
