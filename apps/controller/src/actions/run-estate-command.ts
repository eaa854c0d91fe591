import { ConditionFailure, Outcome } from '@switchboard/condition-queue';
import type { ActionResult, EstateParameters, EstateResult } from '@switchboard/condition-types';
import type { EstateRunner } from '../handlers/estate';
import { OutputPublisher } from './output-publisher';
import type { ActionDeps, ActionRequest } from './run-action';

/** "compute-large (c5.2xlarge)", as mctl estate prints a node's type. */
function typeOf(result: EstateResult | undefined): string | undefined {
  if (!result?.instance_type) return undefined;
  return `${result.machine_type ?? 'unknown'} (${result.instance_type})`;
}

/**
 * An action naming OpenFlight's estate-show or estate-change: the estate code does the work
 * (the same runner as `estate` conditions, so the same lock, sequence and failures), and its
 * outcome is told the way an Action client reads a command: lines in the output stream, and
 * OpenFlight's exit status (0; 101 unknown type, 102 no machine types, 103 another family;
 * 1 for any other failure) in the action's result.
 */
export async function runEstateCommand(
  req: ActionRequest,
  parameters: EstateParameters,
  runEstate: EstateRunner,
  deps: ActionDeps,
): Promise<Outcome> {
  const { condition } = req;
  const command = condition.parameters.command;
  // Not cancelled once running (a change stopped half-way could leave a node off); the API
  // refuses such a cancel, and a request that still reaches us is answered "already ended".
  req.cancellation.end();
  let outcome: Outcome;
  try {
    outcome = await runEstate(req, parameters);
  } catch (err) {
    // Not in the inventory, no driver: a failure of this condition; a hand-back propagates.
    if (!(err instanceof ConditionFailure)) throw err;
    outcome = { state: 'failed', error: err.message };
  }
  const estate = outcome.result as EstateResult | undefined;
  const output = new OutputPublisher(
    deps.js,
    { conditionId: condition.id, server: condition.target },
    req.logger,
    deps.outputBudget,
  );
  const type = typeOf(estate);
  if (outcome.state === 'succeeded') {
    const unchanged = parameters.action === 'change' && estate?.changed === false;
    if (type) output.push('stdout', unchanged ? `${type}, unchanged` : type);
  } else {
    output.push('stderr', `${command}: ${outcome.error ?? 'failed'}`);
  }
  await output.flush();
  const result: ActionResult = {
    exit_code: outcome.state === 'succeeded' ? 0 : (estate?.exit_code ?? 1),
    script: `${command} (built in)`,
  };
  if (outcome.state === 'succeeded')
    return { state: 'succeeded', result, record: `succeeded: ${JSON.stringify(result)}` };
  return {
    state: 'failed',
    error:
      `${command} on ${condition.target} exited with status ${result.exit_code}: ` +
      (outcome.error ?? 'failed'),
    result,
  };
}
