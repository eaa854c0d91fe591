import { basename } from 'node:path';
import type { JetStreamClient } from '@nats-io/jetstream';
import {
  CommandDefinition,
  runCommand,
  RunCommandResult,
  ScriptChoice,
  selectScript,
} from '@switchboard/commands';
import { ConditionFailure, Outcome, Task } from '@switchboard/condition-queue';
import type { ActionCondition } from '@switchboard/condition-types';
import type { Inventory } from '@switchboard/inventory';
import type { KeyedMutex } from '../concurrency/keyed-mutex';
import { INTERRUPTED_ERROR, runningRecord, scriptWasStarted } from './action-records';
import { actionOutcome } from './describe-run';
import type { ByteBudget } from './output-budget';
import { OutputPublisher, OutputSummary } from './output-publisher';
import type { CommandsSource } from './commands-directory';
import { resolveCommand } from './resolve-command';
import { scriptInputs, ScriptInputs, SecretsConfig } from './script-inputs';

export interface ActionDeps {
  controllerId: string;
  /** Undefined when no COMMANDS_DIR is configured: every action then fails, saying so. */
  commands?: CommandsSource;
  inventory: () => Inventory;
  secrets: SecretsConfig;
  /**
   * One non-concurrent action per server at a time in this replica (the API's claim does it across
   * replicas).
   */
  serverLocks: KeyedMutex;
  js: JetStreamClient;
  /** Bytes of output all actions may have waiting for JetStream at once. */
  outputBudget: ByteBudget;
}

export type ActionRequest = Task<ActionCondition>;

interface Plan {
  command: CommandDefinition;
  script: ScriptChoice;
  /** Absent for a command without context: it runs once, for no node. */
  inputs?: ScriptInputs;
  /** "usage/metal.sh", as records and results name it. */
  scriptName: string;
  /** "usage/metal.sh on node01". */
  where: string;
}

/**
 * One `action` condition: the command looked up in the commands directory as it is now, its
 * script chosen by the server's ranks, run through @switchboard/commands (own process group,
 * clean working directory, timeout), its output lines published live, its exit turned into the
 * outcome. The redelivery rule for actions is in action-records.ts.
 */
export async function runAction(req: ActionRequest, deps: ActionDeps): Promise<Outcome> {
  const { condition, progress, logger } = req;
  if (req.takeover && scriptWasStarted(req.takeover.previousRecords)) {
    logger.warn(
      { event: 'action.not_rerun' },
      'the previous holder had started the script: not running it again',
    );
    return { state: 'failed', error: INTERRUPTED_ERROR };
  }
  const plan = planRun(condition, deps);

  const release = plan.command.concurrent
    ? () => undefined
    : await lockServer(condition.target, plan, req, deps);
  if (!release) return { state: 'failed', error: `cancelled by ${req.cancellation.by}` };
  try {
    // Cancelled before it started: nothing ran, and no `running` record says otherwise.
    if (req.cancellation.by !== undefined)
      return { state: 'failed', error: `cancelled by ${req.cancellation.by}` };
    await progress.record(runningRecord(plan.scriptName, plan.inputs?.node.name));
    const { run, output } = await execute(plan, req, deps);
    if (output.failed > 0 || output.dropped > 0) {
      const lost = output.failed + output.dropped;
      await progress.record(
        `output: ${lost} lines were not published ` +
          `(${output.firstError ?? 'the output stream could not keep up'})`,
        { evenIfAborted: true },
      );
    }
    return actionOutcome(run, {
      where: plan.where,
      timeoutMs: plan.command.timeoutMs,
      cancelledBy: req.cancellation.by,
      controllerId: deps.controllerId,
    });
  } finally {
    release();
  }
}

function planRun(condition: ActionCondition, deps: ActionDeps): Plan {
  const command = resolveCommand(condition.parameters.command, deps.commands);
  let inputs: ScriptInputs | undefined;
  let ranks: readonly string[] = [];
  if (command.hasContext) {
    const server = deps.inventory().get(condition.target);
    if (!server) throw new ConditionFailure(`server ${condition.target} is not in the inventory`);
    inputs = scriptInputs(server, deps.secrets);
    ranks = server.ranks;
  }
  let script: ScriptChoice;
  try {
    script = selectScript(command, ranks);
  } catch (err) {
    throw new ConditionFailure((err as Error).message);
  }
  const scriptName = `${command.name}/${basename(script.path)}`;
  return {
    command,
    script,
    inputs,
    scriptName,
    where: inputs ? `${scriptName} on ${inputs.node.name}` : scriptName,
  };
}

/**
 * Waits for the server's previous non-concurrent action to end. Resolves with the release, or
 * undefined when cancelled while waiting; a hand-back while waiting propagates (nothing ran,
 * so the next holder may run it).
 */
async function lockServer(
  server: string,
  plan: Plan,
  req: ActionRequest,
  deps: ActionDeps,
): Promise<(() => void) | undefined> {
  if (deps.serverLocks.isHeld(server)) {
    await req.progress.record(
      `waiting for the action running on ${server} to finish: command ` +
        `${plan.command.name} is not concurrent`,
    );
  }
  try {
    return await deps.serverLocks.acquire(
      server,
      AbortSignal.any([req.signal, req.cancellation.signal]),
    );
  } catch (err) {
    if (req.signal.aborted) throw req.signal.reason;
    if (req.cancellation.by !== undefined) return undefined;
    throw err;
  }
}

async function execute(
  plan: Plan,
  req: ActionRequest,
  deps: ActionDeps,
): Promise<{ run: RunCommandResult; output: OutputSummary }> {
  const { condition, logger } = req;
  const output = new OutputPublisher(
    deps.js,
    { conditionId: condition.id, server: condition.target },
    logger,
    deps.outputBudget,
  );
  logger.info(
    {
      event: 'action.started',
      command: plan.command.name,
      script: plan.scriptName,
      rank: plan.script.rank,
      node: plan.inputs?.node.name,
      timeoutMs: plan.command.timeoutMs,
    },
    `running ${plan.where}`,
  );
  let run: RunCommandResult;
  try {
    run = await runCommand({
      command: plan.command,
      script: plan.script,
      node: plan.inputs?.node,
      args: condition.parameters.arguments,
      requester: condition.requestedBy,
      timeoutMs: plan.command.timeoutMs,
      signal: AbortSignal.any([req.signal, req.cancellation.signal]),
      onLine: (stream, line) => output.push(stream, line),
      secrets: plan.inputs?.secrets ?? { allowed: [] },
      logger,
    });
  } catch (err) {
    // It could not start (not executable any more, removed since the last reload): nothing ran.
    await output.flush();
    throw new ConditionFailure((err as Error).message);
  } finally {
    req.cancellation.end();
  }
  // Every line is in the stream before the outcome is written: a client seeing the condition final
  // reads all of it.
  const summary = await output.flush();
  logger.info(
    {
      event: 'action.finished',
      script: plan.scriptName,
      exitCode: run.exitCode,
      signal: run.signal,
      timedOut: run.timedOut,
      cancelled: run.cancelled,
      durationMs: run.durationMs,
      output: summary,
    },
    `${plan.where} ended`,
  );
  return { run, output: summary };
}
