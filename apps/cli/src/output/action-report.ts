import { compareNatural } from '@switchboard/inventory/node-ranges';
import type { CapturedOutput } from '../actions/captured-output';
import type { ServerResult } from '../server-results';
import { scriptExitLines } from '../actions/exit-status';
import { foldResults } from './fold-results';

/**
 * `mctl run -o json`: one object per node, in natural order:
 * `{server, outcome, exit_code, signal?, output, error?, conditionId?}`. `exit_code` is the
 * script's own (null when it has none: timed out, cancelled, never ran); `output` is what the
 * node printed, both streams in order, each line ending in "\n".
 */
export function actionResultsToJson(
  results: readonly ServerResult[],
  output: CapturedOutput,
): string {
  const rows = [...results]
    .sort((a, b) => compareNatural(a.server, b.server))
    .map((r) => {
      const result = r.condition?.kind === 'action' ? r.condition.result : undefined;
      const lines = output.of(r.conditionId);
      return {
        server: r.server,
        outcome: r.outcome,
        exit_code: result?.exit_code ?? null,
        signal: result?.signal,
        output: lines.map((l) => `${l}\n`).join(''),
        error: r.outcome === 'succeeded' || r.outcome === 'queued' ? undefined : r.reason,
        conditionId: r.conditionId,
      };
    });
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/**
 * What did not go well, folded as `mctl power` folds it, then the scripts' own exit
 * statuses (mctl's exit status is 1 whatever they were), for stderr after the output:
 *   failed: node02 (hello/default.sh on node02 exited with status 3)
 *   unknown: node99
 *   exit status 3: node02
 * Nothing when every node succeeded: the output said it all.
 */
export function failureSummary(results: readonly ServerResult[]): string {
  const lines = [
    ...foldResults(results.filter((r) => r.outcome !== 'succeeded')),
    ...scriptExitLines(results),
  ];
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
