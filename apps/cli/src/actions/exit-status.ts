import { ExitCode } from '../exit-codes';
import type { ServerResult } from '../server-results';

/**
 * One node's exit status: 0 when it succeeded (or was queued, with --no-wait); the script's own
 * status when it exited non-zero; 1 for every failure that has no status of its own (timed
 * out, cancelled, killed by a signal, conflict, unknown node, API error).
 */
export function nodeExitStatus(result: ServerResult): number {
  if (result.outcome === 'succeeded' || result.outcome === 'queued') return ExitCode.Ok;
  const code = result.condition?.kind === 'action' ? result.condition.result?.exit_code : undefined;
  return typeof code === 'number' && code > 0 ? code : ExitCode.NotAllSucceeded;
}

/**
 * mctl run's exit status: the worst of its nodes, i.e. the highest. A script that exits 3 on
 * one node out of a hundred makes mctl exit 3, as if it had run there alone; OpenFlight's
 * client exits 0 whatever the scripts did. Nothing to report at all is 1: nothing succeeded.
 */
export function worstExitStatus(results: readonly ServerResult[]): number {
  if (results.length === 0) return ExitCode.NotAllSucceeded;
  return Math.max(...results.map(nodeExitStatus));
}
